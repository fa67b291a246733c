#include <cmath>
#include <fnn/dataset.hpp>
#include <limits>
#include <vector>

#include "support/test_support.hpp"

using fnn::test::error_message;

TEST_CASE("one_hot puts a 1 in each label's column", "[dataset]") {
  const std::vector<float> labels{2, 0, 1, 2};
  const fnn::Matrix encoded = fnn::one_hot(labels, 3, "labels.csv");
  REQUIRE(encoded.rows() == 4);
  REQUIRE(encoded.cols() == 3);
  const std::vector<float> expected{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  CHECK(std::vector<float>(encoded.values().begin(), encoded.values().end()) == expected);
}

TEST_CASE("bad one-hot labels name the source, the row and the label", "[dataset]") {
  const auto message = [](std::vector<float> labels) {
    return error_message([&] { (void)fnn::one_hot(labels, 3, "labels.csv"); });
  };
  CHECK(message({0, 1.5F}) ==
        "labels.csv: row 2: expected a class label, a whole number from 0 to 2, found 1.5");
  CHECK(message({-1}) ==
        "labels.csv: row 1: expected a class label, a whole number from 0 to 2, found -1");
  CHECK(message({0, 1, 2, 3}) ==
        "labels.csv: row 4: expected a class label, a whole number from 0 to 2, found 3");
  CHECK(message({std::nanf("")}) ==
        "labels.csv: row 1: expected a class label, a whole number from 0 to 2, found nan");
  const std::vector<float> one{0};
  CHECK_NOTHROW(fnn::one_hot(one, 3, "x"));
  CHECK_THROWS_AS(fnn::one_hot(std::vector<float>{5}, 3, "x"), fnn::DataError);
  CHECK_THROWS_AS(fnn::one_hot(one, 0, "x"), fnn::SpecError);
}

TEST_CASE("arg_max picks the first largest value", "[dataset]") {
  CHECK(fnn::arg_max(std::vector<float>{0.1F, 0.7F, 0.2F}) == 1);
  CHECK(fnn::arg_max(std::vector<float>{0.5F, 0.2F, 0.5F}) == 0);
  CHECK(fnn::arg_max(std::vector<float>{-3.0F}) == 0);
  CHECK_THROWS_AS(fnn::arg_max(std::vector<float>{}), fnn::SpecError);
}

TEST_CASE("slice copies a block of rows of inputs and targets", "[dataset]") {
  const fnn::Dataset data{fnn::Matrix{{0, 1}, {2, 3}, {4, 5}, {6, 7}},
                          fnn::Matrix{{0}, {1}, {2}, {3}}};
  const fnn::Dataset middle = fnn::slice(data, 1, 2);
  CHECK(std::vector<float>(middle.inputs.values().begin(), middle.inputs.values().end()) ==
        std::vector<float>{2, 3, 4, 5});
  CHECK(std::vector<float>(middle.targets.values().begin(), middle.targets.values().end()) ==
        std::vector<float>{1, 2});
  const fnn::Dataset none = fnn::slice(data, 4, 0);
  CHECK(none.inputs.rows() == 0);
  CHECK(none.inputs.cols() == 2);
  CHECK(error_message([&] { (void)fnn::slice(data, 3, 2); }) ==
        "slice: cannot take 2 rows from row 3 (0-based): the dataset has 4 rows");
  constexpr std::size_t huge = std::numeric_limits<std::size_t>::max();
  CHECK_THROWS_AS(fnn::slice(data, 2, huge), fnn::SpecError);
  CHECK_THROWS_AS(fnn::slice(data, huge, 2), fnn::SpecError);
}
