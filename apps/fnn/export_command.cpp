// fnn export: a saved model as an ONNX inference graph, checked against fnn before it is written.
#include <unistd.h>

#include <fnn/error.hpp>
#include <fnn/data_source.hpp>
#include <fnn/file_identity.hpp>
#include <fnn/model.hpp>
#include <fnn/registry.hpp>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"
#include "output_files.hpp"

#ifdef FNN_HAVE_ONNX
#include <fnn/onnx_export.hpp>
#endif

namespace fnn::cli {

namespace {

// Sample rows the check evaluates: the first of --sample, or this many random ones.
constexpr std::size_t sample_rows = 256;

#ifdef FNN_HAVE_ONNX
int export_model(const po::variables_map& values, const std::string& model_file,
                 const std::string& onnx_file) {
  const Registry registry = load_plugins(values);
  const LoadedModel model = load_model(model_file, registry);
  const Network& network = model.network;

  std::string source = "random rows in the scaler's input range";
  Matrix sample;
  if (const auto sample_file = optional_value<std::string>(values, "sample")) {
    const Matrix all = load_inputs(*sample_file, model.info.layout, network.input_size());
    if (all.rows() == 0) throw DataError(*sample_file + ": no rows to check the export on");
    sample = Matrix(std::min(all.rows(), sample_rows), all.cols());
    std::copy_n(all.data(), sample.values().size(), sample.data());
    source = "the first rows of " + *sample_file;
  } else {
    sample = onnx_sample_rows(model.info.scaler, network.input_size(), sample_rows, 1);
  }
  const OnnxExportReport report =
      export_onnx(network, model.info.scaler, sample, output_path(onnx_file));

  const bool to_standard_output = process_descriptor(output_path(onnx_file)) == STDOUT_FILENO;
  (to_standard_output ? std::cerr : std::cout)
      << "wrote " << onnx_file << ": ONNX opset " << onnx_opset << ", " << report.nodes
      << " nodes, " << report.initializers << " initializers, input [batch, "
      << network.input_size() << "], output [batch, " << network.output_size() << "]\n"
      << "checked: ONNX checker and shape inference passed; on " << report.rows << " sample rows ("
      << source << ") the largest difference from fnn predict is " << report.largest_difference
      << "\n";
  return 0;
}
#endif

}  // namespace

int export_command(const std::vector<std::string>& args) {
  po::options_description own(
      "fnn export --model FILE --onnx FILE [options]\n\n"
      "Writes a saved model as an ONNX inference graph (opset 17; input \"input\" and output "
      "\"output\",\nboth [batch, width] with a symbolic batch): the scaler as Sub and Mul, each "
      "layer's operators\n(dense as Gemm; dropout, the identity at inference, left out). The "
      "graph is checked with ONNX's\nchecker and shape inference, and evaluated on sample rows "
      "by fnn's reference evaluator: an\noutput more than 1e-4 (relative) from fnn predict's "
      "fails the export, and nothing is written.\nEvery component must provide an ONNX hook "
      "(docs/writing-plugins.md, \"Exporting to ONNX\")");
  own.add_options()
      ("model", po::value<std::string>()->value_name("FILE"), "model written by fnn train --save")
      ("onnx", po::value<std::string>()->value_name("FILE"),
       "ONNX file to write, atomically; - for standard output")
      ("sample", po::value<std::string>()->value_name("FILE"),
       "rows to check the export on (its first 256): a CSV or IDX file as fnn predict reads "
       "it; default: 256 seeded random rows in the range the model's scaler was fitted to");
  const auto parsed = parse_command("export", own, args);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  const std::string model_file = required<std::string>(values, "export", "model");
  const std::string onnx_file = required<std::string>(values, "export", "onnx");
  const auto thread_limit = limit_threads(thread_count(values));
  check_output_files(given_files(values, {"model", "sample", "config"}),
                     given_files(values, {"onnx"}));
#ifdef FNN_HAVE_ONNX
  return export_model(values, model_file, onnx_file);
#else
  throw Error("this fnn was built without ONNX export (it needs Debian's libonnx-dev and "
              "libprotobuf-dev when fnn is built; configure with -DFNN_ONNX=ON to require them)");
#endif
}

}  // namespace fnn::cli
