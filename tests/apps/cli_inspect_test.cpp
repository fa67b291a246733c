// fnn inspect: a model described for people, from files written by the CLI and by a host app.
#include <fnn/fnn.hpp>
#include <fstream>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;

TEST_CASE("fnn inspect prints the network as a --layers line, each layer's parameters, the data "
          "and the training state", "[cli][inspect]") {
  const fnn::test::XorDirectory w;
  const auto trained =
      run_fnn({"train", "--train", w.xor_data, "--hidden", "3", "--activation", "leaky_relu:slope=0.2",
               "--output-activation", "sigmoid", "--scale", "minmax", "--epochs", "2",
               "--batch-size", "2", "--progress", "plain", "--save", w.path("m.fnn")});
  REQUIRE(trained.exit_code == 0);
  const auto inspected = run_fnn({"inspect", w.path("m.fnn")});
  INFO(inspected.err);
  REQUIRE(inspected.exit_code == 0);
  CHECK_THAT(inspected.out,
             Contains(w.path("m.fnn") + ": fnn model format 1, written by fnn ") &&
                 Contains(" (matches)") &&
                 Contains("network: 2 inputs -> 1 outputs, 13 parameters") &&
                 Contains("--layers 'dense:units=3 leaky_relu:slope=0.2 dense:units=1 sigmoid'") &&
                 Contains("  1     dense:units=3                               9        3") &&
                 Contains("  3     dense:units=1                               4        1") &&
                 Contains("loss: mse") && Contains("columns by name: inputs 'a', 'b'; targets 'xor'") &&
                 Contains("input scaling: minmax") &&
                 Contains("training: sgd:learning_rate=0.1, schedule constant, batch size 2") &&
                 Contains("2 of 2 epochs done"));
}

TEST_CASE("fnn inspect on a host app's model without training state says so", "[cli][inspect]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "plain.fnn";
  fnn::NetworkSpec spec{4};
  spec.add("dense", {{"units", "2"}});
  fnn::save_model(file, fnn::Network(fnn::test::plugins(), spec));
  const auto inspected = run_fnn({"inspect", "--model", file.string()});
  REQUIRE(inspected.exit_code == 0);
  CHECK_THAT(inspected.out, Contains("--layers 'dense:units=2'") &&
                                Contains("columns by position") &&
                                Contains("training state: none"));
}

TEST_CASE("fnn inspect refuses a damaged model, a missing one, and no model", "[cli][inspect]") {
  const fnn::test::XorDirectory w;
  REQUIRE(run_fnn({"train", "--train", w.xor_data, "--epochs", "1", "--progress", "plain",
                   "--save", w.path("m.fnn")})
              .exit_code == 0);
  {
    std::fstream file(w.path("m.fnn"), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-3, std::ios::end);
    file.put('\x7f');
  }
  const auto damaged = run_fnn({"inspect", w.path("m.fnn")});
  CHECK(damaged.exit_code == 1);
  CHECK_THAT(damaged.err, Contains(w.path("m.fnn")) && Contains("damaged (checksum mismatch)"));
  CHECK(damaged.out.empty());
  const auto missing = run_fnn({"inspect", w.path("none.fnn")});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains(w.path("none.fnn")));
  const auto none = run_fnn({"inspect"});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Contains("--model is required"));
}
