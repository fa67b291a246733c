// One plugin (tests/fixtures/portable_softsign.cpp) compiled otherwise than fnn was, as plugin
// authors do: by clang++, which must load and work, and against another standard library or with
// its ABI-changing flags, which must be refused naming only the fields that differ.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using fnn::test::run_fnn;

namespace {

std::string variant_directory(const char* variant) {
  return (fs::path(FNN_COMPILER_FIXTURE_DIR) / variant).string();
}

/// Checks that every field the message lists ("plugin vs fnn: NAME A vs B, NAME A vs B; ...")
/// has A != B, where B and A are as many words: it names only what differs.
void check_only_differences_listed(const std::string& message) {
  const std::string intro = "plugin vs fnn: ";
  const std::size_t begin = message.find(intro);
  REQUIRE(begin != std::string::npos);
  const std::string fields =
      message.substr(begin + intro.size(), message.find(';', begin) - begin - intro.size());
  int listed = 0;
  for (std::size_t start = 0; start <= fields.size();) {
    const std::size_t end = std::min(fields.find(", ", start), fields.size());
    const std::string field = fields.substr(start, end - start);
    start = end + 2;
    INFO(field);
    const std::size_t vs = field.find(" vs ");
    REQUIRE(vs != std::string::npos);
    const std::string ours = field.substr(vs + 4);
    const auto words = std::count(ours.begin(), ours.end(), ' ') + 1;
    std::size_t theirs_begin = vs;
    for (auto word = 0; word < words; ++word) theirs_begin = field.rfind(' ', theirs_begin - 1);
    CHECK(field.substr(theirs_begin + 1, vs - theirs_begin - 1) != ours);
    ++listed;
  }
  CHECK(listed > 0);
}

/// `fnn plugins --plugin-dir` the variant's directory: must be refused (exit 1) for its C++ ABI,
/// before anything of the plugin is called. Returns the message.
std::string refusal(const char* variant) {
  const auto result = run_fnn({"plugins", "--plugin-dir", variant_directory(variant)});
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Contains("portable_softsign.so") &&
                             Contains("was built with a C++ ABI this fnn cannot use") &&
                             Contains("rebuild it against this fnn (g++ and clang++ both work)") &&
                             !Contains("not a shared object") && !Contains("undefined symbol"));
  check_only_differences_listed(result.err);
  return result.err;
}

}  // namespace

TEST_CASE("a plugin built with the old libstdc++ string ABI is refused, naming it", "[cli][abi]") {
  const std::string message = refusal("old_string_abi");
  CHECK_THAT(message,
             Contains("plugin vs fnn: _GLIBCXX_USE_CXX11_ABI 0 vs 1, sizeof(std::string) " +
                      std::to_string(sizeof(void*)) + " vs " + std::to_string(sizeof(std::string)) +
                      ";") &&
                 Contains("compile it with _GLIBCXX_USE_CXX11_ABI=1 as fnn was"));
  CHECK_THAT(message, !Contains("standard library") && !Contains("_GLIBCXX_DEBUG") &&
                          !Contains("sizeof(void*)") && !Contains("sizeof(std::function)"));
}

TEST_CASE("a plugin built with libstdc++'s debug containers is refused, naming them",
          "[cli][abi]") {
  const std::string message = refusal("debug_containers");
  CHECK_THAT(message, Contains("plugin vs fnn: _GLIBCXX_DEBUG on vs off;") &&
                          Contains("compile it without -D_GLIBCXX_DEBUG, as fnn was"));
  CHECK_THAT(message, !Contains("standard library") && !Contains("_GLIBCXX_USE_CXX11_ABI") &&
                          !Contains("sizeof"));
}

#if FNN_LIBCXX_FIXTURE
TEST_CASE("a plugin built against libc++ is refused, naming the standard library", "[cli][abi]") {
  const std::string message = refusal("libcxx");
  CHECK_THAT(message, Contains("compiled by clang ") &&
                          Contains("plugin vs fnn: standard library libc++ ") &&
                          Contains(" vs libstdc++ " + std::to_string(_GLIBCXX_RELEASE)) &&
                          Contains("compile it against libstdc++, fnn's standard library (drop "
                                   "-stdlib=libc++)"));
  // libstdc++'s own flags mean nothing for libc++, so they are not compared.
  CHECK_THAT(message, !Contains("_GLIBCXX") && !Contains("sizeof(void*)"));
}
#endif

#if FNN_CLANG_FIXTURES
TEST_CASE("a plugin built by clang++ loads into the g++-built fnn and works", "[cli][abi]") {
  const std::string directory = variant_directory("clang");
  {  // really clang's: its .comment section names the compiler
    std::ifstream file(fs::path(directory) / "portable_softsign.so", std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(file), {}};
    REQUIRE(bytes.find("clang version") != std::string::npos);
  }
  const auto checked = run_fnn({"gradcheck", "portable_softsign", "--plugin-dir", directory});
  INFO(checked.err);
  CHECK(checked.exit_code == 0);
  CHECK_THAT(checked.out, Contains("portable_softsign") && Contains("1 checked, 0 failed"));

  // Options of std::strings read through libfnn, and libfnn's exception thrown in clang's code
  // and caught in g++'s, with its message.
  const fnn::test::XorDirectory xor_data;
  const std::vector<std::string> train{"train",      "--train",     xor_data.xor_data,
                                       "--hidden",   "4",           "--output-activation",
                                       "sigmoid",    "--epochs",    "20",
                                       "--progress", "plain",       "--plugin-dir",
                                       directory,    "--activation"};
  auto with = [&](const std::string& activation) {
    std::vector<std::string> args = train;
    args.push_back(activation);
    return run_fnn(args);
  };
  const auto trained = with("portable_softsign:softness=2");
  INFO(trained.err);
  CHECK(trained.exit_code == 0);
  const auto refused = with("portable_softsign:softness=0");
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Contains("option 'softness' must be positive, is 0"));
}
#endif
