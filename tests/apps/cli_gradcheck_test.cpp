// fnn gradcheck on components with options: NAME:KEY=VALUE and --option reach activations,
// losses and layers alike; an option no checked component takes is a usage error (exit 2); the
// width gradcheck gives a layer on its own never shows in a message.
#include <filesystem>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;

namespace {

/// A plugin directory holding only option_derivative.so: the activation 'gained_tanh', whose
/// derivative is right at its default gain 1 and wrong for any other gain.
struct GainedTanhFolder {
  fnn::test::TemporaryDirectory folder;
  GainedTanhFolder() {
    std::filesystem::copy_file(fnn::test::fixture("option_derivative.so"),
                               folder.path() / "option_derivative.so");
  }
  fnn::test::ProcessResult gradcheck(std::vector<std::string> args) const {
    args.insert(args.begin(), "gradcheck");
    args.insert(args.end(), {"--plugin-dir", folder.path().string()});
    return run_fnn(args);
  }
};

}  // namespace

TEST_CASE("gradcheck passes options to activations: a derivative wrong only with the option fails",
          "[cli][gradcheck]") {
  const GainedTanhFolder plugin;
  const auto plain = plugin.gradcheck({"gained_tanh"});
  INFO(plain.out << plain.err);
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.out, Contains("1 checked, 0 failed"));

  const auto named = plugin.gradcheck({"gained_tanh:gain=2"});
  INFO(named.out << named.err);
  CHECK(named.exit_code == 1);
  CHECK_THAT(named.out, Contains("gained_tanh:gain=2") && Contains("FAILED") &&
                            Contains("1 checked, 1 failed"));

  const auto shared = plugin.gradcheck({"gained_tanh", "--option", "gain=2"});
  INFO(shared.out << shared.err);
  CHECK(shared.exit_code == 1);
  CHECK_THAT(shared.out, Contains("gained_tanh:gain=2") && Contains("1 checked, 1 failed"));

  // --option goes to every checked component that takes it, and only to those: all of fnn's
  // components and the plugin's are checked, and only gained_tanh fails.
  const auto everything = plugin.gradcheck({"--option", "gain=2"});
  INFO(everything.out << everything.err);
  CHECK(everything.exit_code == 1);
  CHECK_THAT(everything.out, Contains("gained_tanh:gain=2") && Contains("sigmoid ") &&
                                 Contains(", 1 failed"));
}

TEST_CASE("gradcheck refuses an option no checked component takes, with exit 2",
          "[cli][gradcheck]") {
  const GainedTanhFolder plugin;
  const auto named = plugin.gradcheck({"gained_tanh:gian=2"});
  CHECK(named.exit_code == 2);
  CHECK_THAT(named.err, Contains("gained_tanh:gian=2") && Contains("does not take option gian") &&
                            Contains("did you mean 'gain'"));
  CHECK(named.out.empty());

  const auto shared = plugin.gradcheck({"gained_tanh", "sigmoid", "--option", "gian=2"});
  CHECK(shared.exit_code == 2);
  CHECK_THAT(shared.err, Contains("--option gian=2: no checked component takes option 'gian'") &&
                             Contains("did you mean 'gain'?"));
  CHECK(shared.out.empty());  // refused before anything is checked

  // The option of a component that is not checked does not count.
  const auto unchecked = run_fnn({"gradcheck", "sigmoid", "--option", "slope=0.3"});
  CHECK(unchecked.exit_code == 2);
  CHECK_THAT(unchecked.err, Contains("no checked component takes option 'slope'"));

  const auto bad_value = run_fnn({"gradcheck", "leaky_relu:slope=steep"});
  CHECK(bad_value.exit_code == 2);
  CHECK_THAT(bad_value.err, Contains("leaky_relu") && Contains("'steep'"));

  const auto malformed = run_fnn({"gradcheck", "leaky_relu:slope"});
  CHECK(malformed.exit_code == 2);
  CHECK_THAT(malformed.err, Contains("fnn gradcheck 'leaky_relu:slope'") &&
                                Contains("expected NAME or NAME:KEY=VALUE"));
}

TEST_CASE("gradcheck checks fnn's components with their options", "[cli][gradcheck]") {
  const auto leaky = run_fnn({"gradcheck", "leaky_relu:slope=0.3", "huber:delta=0.5"});
  INFO(leaky.out << leaky.err);
  CHECK(leaky.exit_code == 0);
  CHECK_THAT(leaky.out, Contains("activation  leaky_relu:slope=0.3") &&
                            Contains("loss        huber:delta=0.5") &&
                            Contains("2 checked, 0 failed"));

  // dense on 5 inputs, 4 rows: 20 input coordinates, plus 5·units + units parameters.
  const auto given = run_fnn({"gradcheck", "dense:units=7"});
  INFO(given.out << given.err);
  CHECK(given.exit_code == 0);
  CHECK_THAT(given.out, Contains("dense:units=7") && Contains("over 62 coordinates"));
  const auto shared = run_fnn({"gradcheck", "dense", "dropout", "--option", "units=7"});
  INFO(shared.out << shared.err);
  CHECK(shared.exit_code == 0);
  CHECK_THAT(shared.out, Contains("dense:units=7") && Contains("over 62 coordinates") &&
                             Contains("2 checked, 0 failed"));
}

TEST_CASE("gradcheck's own width for a layer never appears in a message", "[cli][gradcheck]") {
  const auto typo = run_fnn({"gradcheck", "dropout:rte=0.5"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Contains("does not take option rte") && Contains("did you mean 'rate'") &&
                           !Contains("units"));

  const auto dense_typo = run_fnn({"gradcheck", "dense:bais=false"});
  CHECK(dense_typo.exit_code == 2);
  CHECK_THAT(dense_typo.err, Contains("does not take option bais") &&
                                 Contains("did you mean 'bias'") && !Contains("units=3") &&
                                 !Contains("units, ") && !Contains(", units"));

  const auto shared = run_fnn({"gradcheck", "dropout", "--option", "inti=3"});
  CHECK(shared.exit_code == 2);
  CHECK_THAT(shared.err, Contains("'inti'") && !Contains("units"));
  const auto plain = run_fnn({"gradcheck", "dense", "dropout"});
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.out, !Contains("units"));
}
