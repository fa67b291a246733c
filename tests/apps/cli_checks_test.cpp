// fnn train checks what a run needs before its first epoch, and every number means what it
// says: options out of range or NaN, data without samples or inputs, a model naming a component
// that does not exist, a --test file that does not fit, a --config that is a directory.
#include <fnn/model_file.hpp>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace {

using Folder = fnn::test::XorDirectory;

std::vector<std::string> train(const Folder& f, std::vector<std::string> more) {
  std::vector<std::string> args{"train", "--train", f.xor_data, "--progress", "plain"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("floating options are checked for NaN and range", "[cli][checks]") {
  const Folder f;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases{
      {{"--validation-split", "nan"}, "--validation-split must be at least 0 and below 1, got nan"},
      {{"--validation-split", "1"}, "--validation-split must be at least 0 and below 1, got 1"},
      {{"--dropout", "-0.5"}, "--dropout must be at least 0 and below 1, got -0.5"},
      {{"--dropout", "nan"}, "--dropout must be at least 0 and below 1, got nan"},
      {{"--learning-rate", "1e-50"}, "not a positive float"},
      {{"--learning-rate", "1e39"}, "not a positive float"},
      {{"--learning-rate", "nan"}, "learning_rate"},
      {{"--optimizer", "adam:learning_rate=1e-46"}, "not a positive float"},
  };
  for (const Case& c : cases) {
    INFO(c.args[0] << " " << c.args[1]);
    const auto result = run_fnn(train(f, c.args));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(c.message));
    CHECK_THAT(result.out, !Contains("epoch 1/"));
  }
}

TEST_CASE("training data without samples or without input columns names its file",
          "[cli][checks]") {
  const Folder f;
  write_file(f.path("empty.csv"), "a,b,y\n");
  const auto empty = run_fnn({"train", "--train", f.path("empty.csv")});
  CHECK(empty.exit_code == 1);
  CHECK_THAT(empty.err, Contains(f.path("empty.csv") + ": there are no training samples"));

  write_file(f.path("one.csv"), "y\n1\n0\n");
  const auto one_column = run_fnn({"train", "--train", f.path("one.csv")});
  CHECK(one_column.exit_code == 1);
  CHECK_THAT(one_column.err,
             Contains(f.path("one.csv") + ": every column is a target") && !Contains("--hidden"));
}

TEST_CASE("a --test file that cannot be read or does not fit fails before the first epoch",
          "[cli][checks]") {
  const Folder f;
  write_file(f.path("wide.csv"), "0,0,0,0\n");  // no header: read by position
  const std::string save = f.path("m.fnn");
  for (const std::string& test : {f.path("absent.csv"), f.path("wide.csv")}) {
    INFO(test);
    const auto result = run_fnn(train(f, {"--test", test, "--save", save, "--epochs", "3"}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains(test));
    CHECK_THAT(result.out, !Contains("epoch 1/"));
  }
  const auto wide = run_fnn(train(f, {"--test", f.path("wide.csv")}));
  CHECK_THAT(wide.err, Contains("has 4 columns; the model trained on " + f.xor_data +
                                " takes 2 input columns and 1 target column"));
}

TEST_CASE("a model whose components do not exist is the model file's fault (exit 1)",
          "[cli][checks]") {
  const Folder f;
  const std::string model = f.path("m.fnn");
  REQUIRE(run_fnn(train(f, {"--epochs", "1", "--save", model})).exit_code == 0);
  // A model file may name anything (its checksum is no authentication): here an optimizer
  // that no plugin provides.
  fnn::ModelFile edited = fnn::read_model_file(model);
  edited.metadata.at("optimizer") = "sgx:learning_rate=0.1";
  fnn::write_model_file(model, edited);
  const auto result = run_fnn(
      {"train", "--resume", model, "--train", f.xor_data, "--epochs", "3", "--progress", "plain"});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains(model) && !Contains("--optimizer"));
}

TEST_CASE("a --config naming a directory is a usage error", "[cli][checks][config]") {
  const Folder f;
  const auto result = run_fnn({"train", "--config", f.folder.path().string()});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains("is a directory, not an INI file"));
}

TEST_CASE("eval blames the model file for a component no plugin provides, and prints nothing "
          "before its result",
          "[cli][checks]") {
  const Folder f;
  const std::string model = f.path("m.fnn");
  REQUIRE(run_fnn(train(f, {"--epochs", "1", "--save", model})).exit_code == 0);
  fnn::ModelFile edited = fnn::read_model_file(model);
  edited.network.layers.at(1).name = "gelu";
  fnn::write_model_file(model, edited);
  const auto result = run_fnn({"eval", "--model", model, "--test", f.xor_data});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains(model) && Contains("gelu"));
  CHECK(result.out.empty());
}
