// Input scaling through the fnn tool: fitted on the training rows only.
#include <bit>
#include <cmath>
#include <cstdint>
#include <fnn/model_file.hpp>

#include "support/process.hpp"
#include "support/test_support.hpp"

using fnn::test::run_fnn;
using fnn::test::write_file;

TEST_CASE("with --validation-split, the scaler is fitted on the training rows only", "[cli][scale]") {
  fnn::test::TemporaryDirectory folder;
  const auto path = [&](const std::string& name) { return (folder.path() / name).string(); };
  // Row i holds 2^i: any sum of distinct rows tells which rows it is made of, whatever the
  // seeded split chose.
  std::string csv = "x,y\n";
  for (int i = 0; i < 10; ++i) csv += std::to_string(1 << i) + "," + std::to_string(i % 2) + "\n";
  write_file(path("powers.csv"), csv);
  const auto trained = run_fnn({"train", "--train", path("powers.csv"), "--validation-split", "0.3",
                                "--scale", "standardize", "--epochs", "1", "--progress", "plain",
                                "--save", path("model.fnn")});
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
  REQUIRE_THAT(trained.out, Catch::Matchers::Contains("3 for validation"));

  const fnn::ModelFile model = fnn::read_model_file(path("model.fnn"));
  const float offset = model.tensors.at("scaler_offsets").at(0);
  const float factor = model.tensors.at("scaler_factors").at(0);
  // The mean of the 7 training rows: its sum is a whole number with 7 of the 10 bits set. The
  // mean of all 10 rows, 102.3, is not.
  const double sum = 7.0 * offset;
  REQUIRE(std::abs(sum - std::round(sum)) < 1e-3);
  const auto chosen = static_cast<std::uint32_t>(std::round(sum));
  REQUIRE(chosen < 1024);
  CHECK(std::popcount(chosen) == 7);
  // Its deviation is those rows' too.
  double squares = 0.0;
  for (int i = 0; i < 10; ++i) {
    if (chosen & (1U << i)) squares += std::pow((1 << i) - sum / 7.0, 2);
  }
  CHECK(factor == Approx(1.0 / std::sqrt(squares / 7.0)).epsilon(1e-5));
}
