// A network as an ONNX graph (through its components' hooks), and the checked export.
#include "fnn/onnx_export.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>

#include "fnn/atomic_file.hpp"
#include "fnn/error.hpp"
#include "fnn/random.hpp"

namespace fnn {

namespace {

std::string describe_layer(const Network& network, std::size_t index) {
  return "network layer " + std::to_string(index + 1) + " (" + network.spec().layers[index].name +
         ")";
}

std::string text(double value) {
  std::ostringstream out;
  out << std::setprecision(9) << value;
  return out.str();
}

void add_scaler(OnnxGraph& graph, const Scaler& scaler, std::string& value) {
  if (scaler.method() == Scaler::Method::none) return;
  const auto width = static_cast<std::int64_t>(scaler.offsets().size());
  graph.set_scope("scaler");
  const std::string offsets = graph.add_initializer("offset", {width}, scaler.offsets());
  const std::string factors = graph.add_initializer("factor", {width}, scaler.factors());
  // (x − offset) · factor, in that order, as Scaler::apply computes it.
  value = graph.add_node("Mul", {graph.add_node("Sub", {value, offsets}), factors});
}

}  // namespace

OnnxGraph onnx_graph(const Network& network, const Scaler& scaler) {
  if (scaler.method() != Scaler::Method::none && scaler.offsets().size() != network.input_size()) {
    throw SpecError("the model's scaler has " + std::to_string(scaler.offsets().size()) +
                    " columns, its network " + std::to_string(network.input_size()) + " inputs");
  }
  OnnxGraph graph("input");
  std::string value = graph.input();
  add_scaler(graph, scaler, value);
  for (std::size_t i = 0; i < network.layer_count(); ++i) {
    const std::string& name = network.spec().layers[i].name;
    graph.set_scope("layer" + std::to_string(i + 1) + "_" + name);
    std::optional<std::string> output;
    try {
      output = network.layer(i).to_onnx(graph, value);
    } catch (const std::exception& error) {
      throw SpecError(describe_layer(network, i) + ": its ONNX export failed: " + error.what());
    }
    if (!output) {
      throw SpecError(describe_layer(network, i) +
                      " cannot be exported to ONNX: the plugin that "
                      "provides '" +
                      name +
                      "' has no to_onnx hook (a plugin adds one to map "
                      "its component to ONNX operators; see docs/writing-plugins.md, \"Exporting "
                      "to ONNX\")");
    }
    value = *output;
  }
  graph.set_scope("");
  graph.set_output(value, "output");
  return graph;
}

Matrix onnx_sample_rows(const Scaler& scaler, std::size_t inputs, std::size_t rows,
                        std::uint64_t seed) {
  Rng rng(seed);
  Matrix sample(rows, inputs);
  const bool fitted = scaler.method() != Scaler::Method::none && scaler.offsets().size() == inputs;
  for (std::size_t c = 0; c < inputs; ++c) {
    // The fitted columns' raw range: (x − offset) · factor spans [−2, 2] (standardize) or
    // [0, 1] (minmax), so x spans offset + that / factor.
    float low = -2.0F;
    float high = 2.0F;
    if (fitted) {
      const float from = scaler.method() == Scaler::Method::min_max ? 0.0F : -2.0F;
      const float to = scaler.method() == Scaler::Method::min_max ? 1.0F : 2.0F;
      low = scaler.offsets()[c] + from / scaler.factors()[c];
      high = scaler.offsets()[c] + to / scaler.factors()[c];
    }
    for (std::size_t r = 0; r < rows; ++r) sample(r, c) = rng.uniform(low, high);
  }
  return sample;
}

OnnxExportReport export_onnx(const Network& network, const Scaler& scaler, ConstMatrixView sample,
                             const std::filesystem::path& file) {
  if (sample.rows() == 0 || sample.cols() != network.input_size()) {
    throw DataError("the ONNX check needs sample rows of " + std::to_string(network.input_size()) +
                    " inputs, was given " + std::to_string(sample.rows()) + " rows of " +
                    std::to_string(sample.cols()));
  }
  const OnnxGraph graph = onnx_graph(network, scaler);
  const std::string bytes = onnx_model_bytes(graph, network.input_size(), network.output_size());

  Matrix scaled(sample.rows(), sample.cols());
  for (std::size_t r = 0; r < sample.rows(); ++r) {
    std::ranges::copy(sample.row(r), scaled.view().row(r).begin());
  }
  scaler.apply(scaled);
  const Matrix expected = network.predict(scaled);
  const Matrix exported = evaluate_onnx(bytes, sample);
  if (exported.cols() != expected.cols()) {
    throw Error("the exported graph gives " + std::to_string(exported.cols()) +
                " outputs per row, the network " + std::to_string(expected.cols()));
  }

  OnnxExportReport report{graph.nodes().size(), graph.initializers().size(), sample.rows(), 0.0};
  for (std::size_t r = 0; r < expected.rows(); ++r) {
    for (std::size_t c = 0; c < expected.cols(); ++c) {
      const double want = expected(r, c);
      const double got = exported(r, c);
      const double difference = std::abs(got - want);
      // NaN compares false: a NaN on one side only is a failure, as is any difference above the
      // tolerance.
      const bool agree = (std::isnan(want) && std::isnan(got)) ||
                         difference <= onnx_tolerance * std::max(1.0, std::abs(want));
      if (!agree) {
        throw Error("the exported graph disagrees with fnn on sample row " + std::to_string(r + 1) +
                    ", output " + std::to_string(c + 1) + ": fnn " + text(want) + ", ONNX " +
                    text(got) + " (tolerance " + text(onnx_tolerance) +
                    " relative); a component's to_onnx hook "
                    "does not compute what its forward does; nothing was written");
      }
      if (!std::isnan(difference))
        report.largest_difference = std::max(report.largest_difference, difference);
    }
  }
  write_file_atomically(file, bytes);
  return report;
}

}  // namespace fnn
