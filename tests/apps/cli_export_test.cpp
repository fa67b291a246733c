// fnn export: what it refuses and what it says. The round trips themselves (every activation,
// checked by an independent evaluator) are ctest's onnx_round_trip_* (tests/onnx).
#include <filesystem>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;

namespace {

// XOR trained for one epoch with `activation` (enough for an export), saved as model.fnn.
struct TrainedXor : fnn::test::XorDirectory {
  explicit TrainedXor(const std::string& activation = "tanh") {
    const auto trained = run_fnn({"train", "--train", xor_data, "--hidden", "3", "--activation",
                                  activation, "--epochs", "1", "--progress", "plain", "--save",
                                  model, "--plugin-dir", FNN_ONNX_TEST_PLUGIN_DIR});
    INFO(trained.err);
    REQUIRE(trained.exit_code == 0);
  }
  std::string model = path("model.fnn");
  std::string onnx = path("model.onnx");
};

}  // namespace

TEST_CASE("fnn export --help documents the command", "[cli][export]") {
  const auto help = run_fnn({"export", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Contains("--model") && Contains("--onnx") && Contains("--sample") &&
                           Contains("opset 17") && Contains("Exporting to ONNX"));
  const auto listed = run_fnn({"--help"});
  CHECK_THAT(listed.out, Contains("export"));
}

TEST_CASE("fnn export refuses bad arguments and leaves no file", "[cli][export]") {
  const TrainedXor w;
  SECTION("no --onnx") {
    const auto result = run_fnn({"export", "--model", w.model});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("--onnx is required"));
  }
#ifdef FNN_HAVE_ONNX  // else "built without ONNX export" comes first (below)
  SECTION("a missing model") {
    const auto result = run_fnn({"export", "--model", w.path("absent.fnn"), "--onnx", w.onnx});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("absent.fnn"));
  }
#endif
  SECTION("the model file as the output") {
    const std::string before = fnn::test::read_file(w.model);
    const auto result = run_fnn({"export", "--model", w.model, "--onnx", w.model});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("--onnx") && Contains("is the same file as --model"));
    CHECK(fnn::test::read_file(w.model) == before);
  }
  SECTION("a directory that does not exist") {
    const std::string onnx = w.path("no/such/dir/model.onnx");
    const auto result = run_fnn({"export", "--model", w.model, "--onnx", onnx});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("--onnx") && Contains("no/such/dir"));
  }
  CHECK_FALSE(std::filesystem::exists(w.onnx));
}

#ifdef FNN_HAVE_ONNX

TEST_CASE("fnn export writes a checked graph and says how close it is", "[cli][export]") {
  const TrainedXor w;
  const auto result = run_fnn({"export", "--model", w.model, "--onnx", w.onnx});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("wrote " + w.onnx + ": ONNX opset 17, 4 nodes, 4 initializers") &&
                             Contains("input [batch, 2], output [batch, 1]") &&
                             Contains("checker and shape inference passed") &&
                             Contains("on 256 sample rows (random rows") &&
                             Contains("largest difference from fnn predict is"));
  CHECK(std::filesystem::file_size(w.onnx) > 0);

  const auto sampled =
      run_fnn({"export", "--model", w.model, "--onnx", w.onnx, "--sample", w.xor_data});
  CHECK(sampled.exit_code == 0);
  CHECK_THAT(sampled.out, Contains("on 4 sample rows (the first rows of " + w.xor_data + ")"));
}

// The error of exporting XOR trained with one of tests/onnx/cube.cpp's activations; the export
// must fail with exit 1 and leave no file.
std::string refused_export(const std::string& activation) {
  const TrainedXor w(activation);
  const auto result = run_fnn(
      {"export", "--model", w.model, "--onnx", w.onnx, "--plugin-dir", FNN_ONNX_TEST_PLUGIN_DIR});
  CHECK(result.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(w.onnx));
  return result.err;
}

TEST_CASE("a component without an ONNX hook is named, with what to do", "[cli][export]") {
  CHECK_THAT(refused_export("cube"),
             Contains("network layer 2 (cube) cannot be exported to ONNX") &&
                 Contains("has no to_onnx hook") && Contains("docs/writing-plugins.md"));
}

TEST_CASE("a hook that computes something else fails the numeric check", "[cli][export]") {
  CHECK_THAT(refused_export("wrong_cube"),
             Contains("the exported graph disagrees with fnn on sample row") &&
                 Contains("nothing was written"));
}

#else

TEST_CASE("an fnn built without ONNX says so", "[cli][export]") {
  const TrainedXor w;
  const auto result = run_fnn({"export", "--model", w.model, "--onnx", w.onnx});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains("built without ONNX export"));
  CHECK_FALSE(std::filesystem::exists(w.onnx));
}

#endif
