#include <cmath>
#include <fnn/scaler.hpp>
#include <vector>

#include "support/test_support.hpp"

using fnn::test::error_message;

namespace {

std::vector<float> column(const fnn::Matrix& m, std::size_t c) {
  std::vector<float> values;
  for (std::size_t r = 0; r < m.rows(); ++r) values.push_back(m(r, c));
  return values;
}

}  // namespace

TEST_CASE("scaling methods are parsed and named", "[scaler]") {
  for (const char* name : {"none", "standardize", "minmax"}) {
    CHECK(fnn::Scaler::name(fnn::Scaler::parse(name)) == name);
  }
  CHECK(fnn::Scaler::parse("minmax") == fnn::Scaler::Method::min_max);
  CHECK_THROWS_AS(fnn::Scaler::parse("zscore"), fnn::SpecError);
  CHECK(error_message([] { (void)fnn::Scaler::parse("zscore"); }) ==
        "unknown scaling method 'zscore', expected one of: none, standardize, minmax");
}

TEST_CASE("standardize gives each column mean 0 and deviation 1", "[scaler]") {
  fnn::Matrix data{{1, 10}, {2, 20}, {3, 30}, {4, 40}};
  const fnn::Scaler scaler(fnn::Scaler::Method::standardize, data);
  CHECK(scaler.offsets() == std::vector<float>{2.5F, 25.0F});
  CHECK(scaler.factors()[0] == Approx(1.0 / std::sqrt(1.25)));
  CHECK(scaler.factors()[1] == Approx(1.0 / std::sqrt(125.0)));
  scaler.apply(data);
  for (std::size_t c = 0; c < 2; ++c) {
    const std::vector<float> values = column(data, c);
    double sum = 0.0;
    double squares = 0.0;
    for (const float x : values) sum += x;
    for (const float x : values) squares += x * x;
    CHECK(sum / 4 == Approx(0.0).margin(1e-6));
    CHECK(squares / 4 == Approx(1.0));
  }
  CHECK(data(0, 0) == Approx(-1.5 / std::sqrt(1.25)));
}

TEST_CASE("minmax maps each column onto 0 to 1", "[scaler]") {
  fnn::Matrix data{{1, 10}, {3, 30}, {2, 40}};
  const fnn::Scaler scaler(fnn::Scaler::Method::min_max, data);
  CHECK(scaler.offsets() == std::vector<float>{1.0F, 10.0F});
  scaler.apply(data);
  CHECK(column(data, 0) == std::vector<float>{0.0F, 1.0F, 0.5F});
  CHECK(column(data, 1)[0] == 0.0F);
  CHECK(column(data, 1)[1] == Approx(2.0 / 3.0));
  CHECK(column(data, 1)[2] == Approx(1.0));
}

TEST_CASE("a constant column gets factor 1 and no division by zero", "[scaler]") {
  // 0.1 has no exact float: its mean may differ from it by rounding, its range may not.
  fnn::Matrix data(1000, 2);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    data(r, 0) = 0.1F;
    data(r, 1) = static_cast<float>(r);
  }
  for (const auto method : {fnn::Scaler::Method::standardize, fnn::Scaler::Method::min_max}) {
    fnn::Matrix copy = data;
    const fnn::Scaler scaler(method, copy);
    CHECK(scaler.factors()[0] == 1.0F);
    scaler.apply(copy);
    for (const float x : column(copy, 0)) CHECK(std::abs(x) < 1e-6F);
  }
}

TEST_CASE("a scaler restored from its vectors scales the same way", "[scaler]") {
  const fnn::Scaler scaler(fnn::Scaler::Method::standardize, {1.0F, 2.0F}, {0.5F, 4.0F});
  CHECK(scaler.method() == fnn::Scaler::Method::standardize);
  fnn::Matrix data{{3, 3}, {1, 2}};
  scaler.apply(data);
  CHECK(std::vector<float>(data.values().begin(), data.values().end()) ==
        std::vector<float>{1, 4, 0, 0});
  CHECK_THROWS_AS(fnn::Scaler(fnn::Scaler::Method::min_max, {1.0F}, {1.0F, 2.0F}), fnn::SpecError);
  CHECK(error_message([] {
          fnn::Scaler(fnn::Scaler::Method::min_max, {1.0F, 0.0F}, {1.0F, std::nanf("")});
        }) == "scaler: column 2 has a non-finite offset or factor, expected finite numbers");
}

TEST_CASE("a scaler refuses data of another width", "[scaler]") {
  const fnn::Matrix training{{1, 2}, {3, 4}};
  const fnn::Scaler scaler(fnn::Scaler::Method::min_max, training);
  fnn::Matrix wider(1, 3);
  CHECK_THROWS_AS(scaler.apply(wider), fnn::SpecError);
  CHECK(error_message([&] { scaler.apply(wider); }) ==
        "the 'minmax' scaler was fitted to 2 columns, the data has 3");
  // "none" fitted to data still knows its width; a default scaler has none and scales nothing.
  const fnn::Scaler none(fnn::Scaler::Method::none, training);
  CHECK_THROWS_AS(none.apply(wider), fnn::SpecError);
  fnn::Scaler().apply(wider);
  CHECK(wider(0, 2) == 0.0F);
}

TEST_CASE("a scaler touches only the columns of a strided view", "[scaler]") {
  fnn::Matrix storage{{2, 9}, {4, 9}};
  const fnn::MatrixView first_column(storage.data(), 2, 1, 2);
  const fnn::Scaler scaler(fnn::Scaler::Method::min_max, first_column);
  scaler.apply(first_column);
  CHECK(std::vector<float>(storage.values().begin(), storage.values().end()) ==
        std::vector<float>{0, 9, 1, 9});
}
