// The exporter's C++ API (fnn/onnx_export.hpp): every built-in activation exported and evaluated
// against Network::predict, the reference evaluator on graphs with known answers, and what the
// checker and the evaluator refuse.
#include <filesystem>
#include <fnn/onnx_export.hpp>
#include <fstream>
#include <sstream>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;

namespace {

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

fnn::Network random_network(fnn::NetworkSpec spec) {
  fnn::Network network(fnn::test::plugins(), std::move(spec));
  fnn::Rng rng(7);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

// x → [2, 3] constant W → Gemm → `op`, declared with `outputs` columns.
std::string gemm_model(const std::string& op, std::size_t outputs = 3) {
  fnn::OnnxGraph graph;
  const float w[] = {1, 0, 1, 0, 1, 1};
  const float b[] = {0.5F, 0.5F, 0.5F};
  const std::string y = graph.add_node(
      "Gemm",
      {graph.input(), graph.add_initializer("w", {2, 3}, w), graph.add_initializer("b", {3}, b)});
  graph.set_output(op.empty() ? y : graph.add_node(op, {y}), "output");
  return fnn::onnx_model_bytes(graph, 2, outputs);
}

}  // namespace

TEST_CASE("every built-in activation exports and evaluates as Network::predict", "[onnx]") {
  const std::vector<fnn::LayerSpec> activations{{"identity", {}},
                                                {"sigmoid", {}},
                                                {"tanh", {}},
                                                {"relu", {}},
                                                {"softplus", {}},
                                                {"softmax", {}},
                                                {"leaky_relu", {{"slope", "0.3"}}},
                                                {"elu", {{"alpha", "0.6"}}}};
  const fnn::Matrix data = fnn::onnx_sample_rows({}, 3, 50, 11);
  for (const auto method : {fnn::Scaler::Method::none, fnn::Scaler::Method::standardize,
                            fnn::Scaler::Method::min_max}) {
    const fnn::Scaler scaler(method, data);
    for (const fnn::LayerSpec& activation : activations) {
      INFO(activation.name << " with scaling " << fnn::Scaler::name(method));
      fnn::NetworkSpec spec{3};
      spec.add("dense", {{"units", "5"}})
          .add(activation.name, activation.options)
          .add("dropout", {{"rate", "0.5"}})
          .add("dense", {{"units", "4"}})
          .add(activation.name, activation.options);
      const fnn::Network network = random_network(spec);
      const fnn::test::TemporaryDirectory folder;
      const auto file = folder.path() / "m.onnx";
      const fnn::Matrix sample = fnn::onnx_sample_rows(scaler, 3, 64, 5);
      const fnn::OnnxExportReport report = fnn::export_onnx(network, scaler, sample, file);
      CHECK(report.rows == 64);
      CHECK(report.largest_difference < 1e-5);
      const bool scaled = method != fnn::Scaler::Method::none;
      const std::size_t activation_nodes = activation.name == "identity" ? 0 : 2;
      CHECK(report.nodes == 2 + activation_nodes + (scaled ? 2 : 0));  // dropout adds none
      CHECK(report.initializers == 4 + (scaled ? 2 : 0));

      // The file as written evaluates like the network on the scaled rows.
      fnn::Matrix inputs = sample;
      scaler.apply(inputs);
      const fnn::Matrix expected = network.predict(inputs);
      const fnn::Matrix got = fnn::evaluate_onnx(read_bytes(file), sample);
      REQUIRE(got.cols() == 4);
      for (std::size_t i = 0; i < expected.values().size(); ++i) {
        CHECK(got.values()[i] == Approx(expected.values()[i]).margin(1e-5));
      }
    }
  }
}

TEST_CASE("the reference evaluator computes Gemm, broadcasting and Softmax", "[onnx]") {
  const fnn::Matrix x{{1, 2}, {-1, 0}};
  const fnn::Matrix y = fnn::evaluate_onnx(gemm_model(""), x);
  CHECK(y.values()[0] == 1.5F);  // 1·1 + 2·0 + 0.5
  CHECK(y.values()[1] == 2.5F);
  CHECK(y.values()[2] == 3.5F);
  CHECK(y.values()[3] == -0.5F);
  CHECK(y.values()[4] == 0.5F);
  CHECK(y.values()[5] == -0.5F);
  const fnn::Matrix p = fnn::evaluate_onnx(gemm_model("Softmax"), fnn::Matrix{{0, 0}});
  CHECK(p.values()[0] == Approx(1.0 / 3));
  CHECK(p.values()[2] == Approx(1.0 / 3));
}

TEST_CASE("ONNX's checker and shape inference refuse a bad graph", "[onnx]") {
  CHECK_THAT(fnn::test::error_message([] { gemm_model("NoSuchOperator"); }),
             Contains("ONNX's checker refused the exported graph") && Contains("NoSuchOperator"));
  // Gemm gives 3 columns; an output declared with 2 is a shape inference error.
  CHECK_THAT(fnn::test::error_message([] { gemm_model("", 2); }),
             Contains("ONNX's checker refused the exported graph"));
}

TEST_CASE("the reference evaluator refuses an operator it does not implement", "[onnx]") {
  const std::string bytes = gemm_model("Cos");  // valid ONNX, unknown to the evaluator
  CHECK_THAT(fnn::test::error_message([&] {
               fnn::evaluate_onnx(bytes, fnn::Matrix{{0, 0}});
             }),
             Contains("(Cos)") && Contains("does not implement this operator"));
  CHECK_THAT(fnn::test::error_message([] { fnn::evaluate_onnx("not onnx", fnn::Matrix{{0}}); }),
             Contains("does not parse"));
}

TEST_CASE("an export that cannot be written leaves nothing behind", "[onnx]") {
  const fnn::Network network = random_network(fnn::NetworkSpec{2}.add("dense", {{"units", "1"}}));
  const fnn::test::TemporaryDirectory folder;
  const auto file = folder.path() / "missing" / "m.onnx";
  CHECK_THROWS_AS(fnn::export_onnx(network, {}, fnn::Matrix{{1, 2}}, file), fnn::DataError);
  CHECK_FALSE(std::filesystem::exists(folder.path() / "missing"));
  CHECK_THAT(fnn::test::error_message([&] {
               fnn::export_onnx(network, {}, fnn::Matrix{{1, 2, 3}}, file);
             }),
             Contains("sample rows of 2 inputs"));
}

TEST_CASE("random sample rows lie in the range the scaler was fitted to", "[onnx]") {
  const fnn::Matrix data{{10, -1}, {20, -3}, {30, -2}};
  const fnn::Matrix minmax = fnn::onnx_sample_rows({fnn::Scaler::Method::min_max, data}, 2, 100, 1);
  const fnn::Matrix standard =
      fnn::onnx_sample_rows({fnn::Scaler::Method::standardize, data}, 2, 100, 1);
  for (std::size_t r = 0; r < 100; ++r) {
    CHECK((minmax(r, 0) >= 10 && minmax(r, 0) <= 30));
    CHECK((minmax(r, 1) >= -3 && minmax(r, 1) <= -1));
    // mean 20, deviation √(200/3) ≈ 8.16: within 20 ± 16.33
    CHECK((standard(r, 0) >= 3.6 && standard(r, 0) <= 36.4));
  }
}
