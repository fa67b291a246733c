// fnn's command line as a user meets it: help, version, exit codes, options and config files.
#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;

namespace {

constexpr const char* xor_csv = "a,b,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";

struct XorFolder {
  fnn::test::TemporaryDirectory folder;
  std::string data = (folder.path() / "xor.csv").string();
  XorFolder() { fnn::test::write_file(data, xor_csv); }
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
};

}  // namespace

TEST_CASE("fnn --help, --version and COMMAND --help exit 0", "[cli]") {
  const auto help = run_fnn({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Contains("train") && Contains("gradcheck") && Contains("Exit status"));
  const auto version = run_fnn({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Contains(std::string("fnn ") + fnn::version));
  for (const char* command : {"train", "eval", "predict", "plugins", "gradcheck"}) {
    INFO(command);
    const auto command_help = run_fnn({command, "--help"});
    CHECK(command_help.exit_code == 0);
    CHECK_THAT(command_help.out, Contains(std::string("fnn ") + command) && Contains("--config"));
  }
  const auto train_help = run_fnn({"train", "--help"});
  for (const char* option :
       {"--train", "--test", "--target", "--classes", "--hidden", "--activation",
        "--output-activation", "--loss", "--optimizer", "--learning-rate", "--batch-size",
        "--epochs", "--init", "--seed", "--threads", "--validation-split", "--plugin-dir",
        "--save", "--metrics", "--resume", "--scale"}) {
    CHECK_THAT(train_help.out, Contains(option));
  }
}

TEST_CASE("usage errors exit 2 with the option named and a suggestion", "[cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases{
      {{}, "usage: fnn COMMAND"},
      {{"trian"}, "unknown command 'trian'; did you mean 'train'?"},
      {{"train", "--train", "x.csv", "--epoch", "3"},
       "unknown option '--epoch'; did you mean '--epochs'?"},
      {{"train", "--train", "x.csv", "--epochs", "many"}, "--epochs"},
      {{"train", "--train", "x.csv", "--epochs", "-3"}, "--epochs must be at least 1, got -3"},
      {{"train", "--train", "x.csv", "--hidden", "8,x"}, "--hidden '8,x'"},
      {{"train"}, "--train is required"},
      {{"eval", "--test", "x.csv"}, "--model is required"},
      {{"train", "--train", "x.csv", "--progress", "fancy"}, "expected auto, bar or plain"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    const auto result = run_fnn(c.args);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(c.message));
  }
}

TEST_CASE("unknown component names are usage errors with a suggestion", "[cli]") {
  const XorFolder xor_data;
  const auto result = run_fnn({"train", "--train", xor_data.data, "--activation", "sigmod"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains("did you mean 'sigmoid'?"));
  const auto loss = run_fnn({"train", "--train", xor_data.data, "--loss", "mes"});
  CHECK(loss.exit_code == 2);
  CHECK_THAT(loss.err, Contains("--loss") && Contains("did you mean 'mse'?"));
  const auto rate = run_fnn({"train", "--train", xor_data.data, "--learning-rate", "-1"});
  CHECK(rate.exit_code == 2);
  CHECK_THAT(rate.err, Contains("learning_rate' must be positive"));
}

TEST_CASE("a config file sets options and the command line overrides it", "[cli][config]") {
  const XorFolder xor_data;
  const std::string config = xor_data.path("xor.ini");
  fnn::test::write_file(config, "# XOR\ntrain = " + xor_data.data +
                                    "\nhidden = 3\nepochs = 5\nlearning-rate = 2\n");
  const auto from_file = run_fnn({"train", "--config", config, "--progress", "plain"});
  REQUIRE(from_file.exit_code == 0);
  CHECK_THAT(from_file.out, Contains("13 parameters") && Contains("epoch 5/5"));

  const auto overridden =
      run_fnn({"train", "--config", config, "--epochs", "2", "--progress", "plain"});
  REQUIRE(overridden.exit_code == 0);
  CHECK_THAT(overridden.out, Contains("epoch 2/2") && !Contains("epoch 5/"));

  fnn::test::write_file(config, "train = " + xor_data.data + "\nepoch = 5\n");
  const auto typo = run_fnn({"train", "--config", config});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Contains("xor.ini:2: unknown option 'epoch'; did you mean 'epochs'?"));

  fnn::test::write_file(config, "train = " + xor_data.data + "\n\nepochs = lots\n");
  const auto bad_value = run_fnn({"train", "--config", config});
  CHECK(bad_value.exit_code == 2);
  CHECK_THAT(bad_value.err, Contains("xor.ini:3") && Contains("epochs"));

  const auto missing = run_fnn({"train", "--config", xor_data.path("absent.ini")});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("--config: cannot read") && Contains("absent.ini"));
}

TEST_CASE("fnn plugins lists every component with its shared object", "[cli][plugins]") {
  const auto result = run_fnn({"plugins"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("layers:") && Contains("dense") && Contains("fnn_dense.so") &&
                             Contains("activations:") && Contains("sigmoid") &&
                             Contains("losses:") && Contains("mse") && Contains("optimizers:") &&
                             Contains("sgd") && Contains("initializers:") &&
                             Contains("glorot_uniform") && Contains("uniform01"));
  const auto extra = run_fnn({"plugins", "--plugin-dir", FNN_FIXTURE_DIR});
  CHECK(extra.exit_code == 1);  // the fixture directory holds deliberately broken plugins
  CHECK_THAT(extra.err, Contains("abi_mismatch.so"));
}

TEST_CASE("fnn gradcheck passes fnn's components and fails a wrong derivative", "[cli][gradcheck]") {
  const auto all = run_fnn({"gradcheck"});
  CHECK(all.exit_code == 0);
  CHECK_THAT(all.out, Contains("dense") && Contains("sigmoid") && Contains("mse") &&
                          Contains("0 failed"));

  const auto one = run_fnn({"gradcheck", "sigmoid"});
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out, Contains("1 checked, 0 failed"));

  fnn::test::TemporaryDirectory plugins;
  std::filesystem::copy_file(fnn::test::fixture("wrong_derivative.so"),
                             plugins.path() / "wrong_derivative.so");
  const auto wrong =
      run_fnn({"gradcheck", "wrong_tanh", "--plugin-dir", plugins.path().string()});
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.out, Contains("FAILED") && Contains("1 checked, 1 failed"));

  const auto typo = run_fnn({"gradcheck", "sigmod"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Contains("did you mean 'sigmoid'?"));
}

TEST_CASE("components take options as NAME:KEY=VALUE", "[cli]") {
  const XorFolder xor_data;
  const auto trained = run_fnn({"train", "--train", xor_data.data, "--activation",
                                "leaky_relu:slope=0.1", "--output-activation", "sigmoid",
                                "--optimizer", "sgd:momentum=0.9,nesterov=true", "--dropout",
                                "0.1", "--epochs", "3", "--progress", "plain", "--save",
                                xor_data.path("m.fnn")});
  INFO(trained.err);
  CHECK(trained.exit_code == 0);
  const auto evaluated = run_fnn({"eval", "--model", xor_data.path("m.fnn"), "--test", xor_data.data});
  CHECK(evaluated.exit_code == 0);

  const auto twice = run_fnn({"train", "--train", xor_data.data, "--optimizer",
                              "adam:learning_rate=0.01", "--learning-rate", "0.1"});
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.err, Contains("learning rate is given twice"));
  const auto malformed = run_fnn({"train", "--train", xor_data.data, "--optimizer", "sgd:momentum"});
  CHECK(malformed.exit_code == 2);
  CHECK_THAT(malformed.err, Contains("--optimizer 'sgd:momentum': expected NAME or NAME:KEY=VALUE"));
  const auto unknown = run_fnn({"train", "--train", xor_data.data, "--optimizer", "sgd:momentun=0.9"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Contains("does not take option momentun"));
}

// Found by fuzz_cli_config: Boost.Program_options 1.74 loops forever building the message of a
// bad value that contains one of its own placeholders.
TEST_CASE("a bad value containing %value% is reported, not hung on", "[cli][config]") {
  const auto given = run_fnn({"train", "--train", "x.csv", "--epochs", "9000%value%"});
  CHECK(given.exit_code == 2);
  CHECK_THAT(given.err, Contains("the argument ('9000?value?') for option '--epochs' is invalid"));

  const XorFolder xor_data;
  const std::string config = xor_data.path("placeholder.ini");
  fnn::test::write_file(config, "train = " + xor_data.data + "\nepochs = 1%option%\n");
  const auto from_file = run_fnn({"train", "--config", config});
  CHECK(from_file.exit_code == 2);
  CHECK_THAT(from_file.err, Contains("placeholder.ini:2: the argument ('1?option?')"));
}
