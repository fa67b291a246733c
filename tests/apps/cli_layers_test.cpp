// fnn train --layers: any network from the command line, with fnn's components and a plugin
// author's own layer; the shorthand options expand to the same network; errors name the entry.
#include <filesystem>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::read_file;
using fnn::test::run_fnn;

namespace {

// fnn train on the XOR data for a few epochs, plain progress, with `args` added.
fnn::test::ProcessResult train(const fnn::test::XorDirectory& w, std::vector<std::string> args) {
  std::vector<std::string> all{"train",        "--train", w.xor_data,   "--epochs", "3",
                               "--batch-size", "2",       "--progress", "plain"};
  all.insert(all.end(), args.begin(), args.end());
  return run_fnn(all);
}

// The --layers line `fnn inspect` prints for a model, unquoted.
std::string inspected_layers(const std::string& model) {
  const auto inspected = run_fnn({"inspect", model});
  REQUIRE(inspected.exit_code == 0);
  // (No std::regex: GCC 12 warns, wrongly, inside <regex> in the sanitizer builds.)
  const std::string start = "--layers '";
  const std::size_t begin = inspected.out.find(start);
  REQUIRE(begin != std::string::npos);
  const std::size_t first = begin + start.size();
  const std::size_t end = inspected.out.find('\'', first);
  REQUIRE(end != std::string::npos);
  return inspected.out.substr(first, end - first);
}

}  // namespace

TEST_CASE(
    "fnn train --layers builds a network of every built-in layer and activation, and fnn inspect "
    "prints a line that, pasted back, makes the same model",
    "[cli][layers]") {
  const fnn::test::XorDirectory w;
  const std::string spec =
      "dense:units=4 elu dense:units=4 identity dense:units=4 leaky_relu:slope=0.2 "
      "dense:units=4 relu dropout:rate=0.1 dense:units=4 sigmoid dense:units=4 softplus "
      "dense:units=4 tanh dense softmax";
  const auto first = train(
      w, {"--classes", "--loss", "cross_entropy", "--layers", spec, "--save", w.path("first.fnn")});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  // The last dense layer's units came from the data: 2 classes.
  const std::string printed = inspected_layers(w.path("first.fnn"));
  std::string expected = spec;
  expected.replace(expected.rfind("dense softmax"), std::string("dense softmax").size(),
                   "dense:units=2 softmax");
  CHECK(printed == expected);

  const auto again = train(w, {"--classes", "--loss", "cross_entropy", "--layers", printed,
                               "--save", w.path("again.fnn")});
  REQUIRE(again.exit_code == 0);
  CHECK(read_file(w.path("again.fnn")) == read_file(w.path("first.fnn")));
}

TEST_CASE("the shorthand options and the --layers spec they expand to give identical models",
          "[cli][layers]") {
  const fnn::test::XorDirectory w;
  const auto shorthand =
      train(w, {"--hidden", "5,3", "--activation", "tanh", "--output-activation", "sigmoid",
                "--dropout", "0.2", "--save", w.path("shorthand.fnn")});
  REQUIRE(shorthand.exit_code == 0);
  const auto layers =
      train(w, {"--layers",
                "dense:units=5 tanh dropout:rate=0.2 dense:units=3 tanh dropout:rate=0.2 dense "
                "sigmoid",
                "--save", w.path("layers.fnn")});
  INFO(layers.out << layers.err);
  REQUIRE(layers.exit_code == 0);
  CHECK(read_file(w.path("layers.fnn")) == read_file(w.path("shorthand.fnn")));
}

TEST_CASE(
    "fnn train --layers reaches a plugin author's own layer through --plugin-dir, and an INI file "
    "takes layers = ...",
    "[cli][layers]") {
  const fnn::test::XorDirectory w;
  const fnn::test::TemporaryDirectory plugins;
  std::filesystem::copy_file(fnn::test::fixture("gain_layer.so"), plugins.path() / "gain_layer.so");
  fnn::test::write_file(w.path("run.ini"),
                        "layers = gain dense:units=6 tanh dense sigmoid\nepochs = 40\n"
                        "learning-rate = 0.5\n");
  const auto trained = train(w, {"--config", w.path("run.ini"), "--plugin-dir",
                                 plugins.path().string(), "--save", w.path("gain.fnn")});
  INFO(trained.out << trained.err);
  REQUIRE(trained.exit_code == 0);
  const auto inspected =
      run_fnn({"inspect", w.path("gain.fnn"), "--plugin-dir", plugins.path().string()});
  REQUIRE(inspected.exit_code == 0);
  CHECK_THAT(inspected.out, Contains("--layers 'gain dense:units=6 tanh dense:units=1 sigmoid'") &&
                                Contains("  1     gain                                        2"));
  // Its derivatives, checked by finite differences like every built-in component's.
  const auto checked = run_fnn({"gradcheck", "gain", "--plugin-dir", plugins.path().string()});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK_THAT(checked.out, Contains("1 checked, 0 failed"));
}

TEST_CASE(
    "a bad --layers entry is a usage error naming the entry by position and text, and "
    "nothing is written",
    "[cli][layers]") {
  const fnn::test::XorDirectory w;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"dense:units=4 relu dropout:rat=0.2 dense sigmoid",
       "--layers entry 3 'dropout:rat=0.2': layer 'dropout' does not take option rat; did you "
       "mean 'rate' for 'rat'?"},
      {"dense:units=4 rleu dense",
       "--layers entry 2 'rleu': no layer or activation is called "
       "'rleu'; did you mean 'relu'?"},
      {"dense:units=4 dropout:rate dense",
       "--layers entry 2 'dropout:rate': expected NAME or "
       "NAME:KEY=VALUE"},
      {"dense relu dense sigmoid",
       "--layers entry 1 'dense': layer 'dense': option 'units' is "
       "required"},
      {"dense:units=4 relu dropout:rate=1.5 dense",
       "--layers entry 3 'dropout:rate=1.5': layer 'dropout': option 'rate' must be in [0, 1)"},
      {"   ", "--layers: the layer list is empty"}};
  for (const auto& [spec, message] : cases) {
    const auto run = train(w, {"--layers", spec, "--save", w.path("m.fnn")});
    INFO(spec << "\n" << run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains(message));
    CHECK_FALSE(std::filesystem::exists(w.path("m.fnn")));
  }
}

TEST_CASE(
    "fnn train --layers with the shorthand or --resume, and a layer given to --activation, are "
    "usage "
    "errors",
    "[cli][layers]") {
  const fnn::test::XorDirectory w;
  for (const std::string option :
       {"--hidden", "--activation", "--output-activation", "--dropout"}) {
    const std::string value = option == "--hidden" ? "4" : option == "--dropout" ? "0.1" : "tanh";
    const auto run = train(w, {"--layers", "dense:units=4 relu dense", option, value});
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains(option + " cannot be combined with --layers"));
  }
  for (const std::string option : {"--activation", "--output-activation"}) {
    const auto run = train(w, {option, "dropout:rate=0.3"});
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Contains(option + " dropout: 'dropout' is a layer, not an activation") &&
                            Contains("--layers"));
  }
  REQUIRE(train(w, {"--save", w.path("m.fnn")}).exit_code == 0);
  const auto resumed = run_fnn({"train", "--train", w.xor_data, "--resume", w.path("m.fnn"),
                                "--epochs", "5", "--layers", "dense:units=4 relu dense"});
  CHECK(resumed.exit_code == 2);
  CHECK_THAT(resumed.err, Contains("--layers cannot be combined with --resume"));
}

TEST_CASE("fnn train --help shows --layers with an example", "[cli][layers]") {
  const auto help = run_fnn({"train", "--help"});
  REQUIRE(help.exit_code == 0);
  CHECK_THAT(help.out, Contains("--layers SPEC") && Contains("dense:units=256 relu"));
}
