#include <algorithm>

#include "support/test_support.hpp"

namespace {

// A class network and data of more rows than one evaluation block, with a short last block.
struct ClassProblem {
  fnn::Network network;
  fnn::Dataset data;
};

ClassProblem class_problem(std::size_t rows) {
  fnn::NetworkSpec spec{5};
  spec.add("dense", {{"units", "7"}}).add("tanh").add("dense", {{"units", "3"}}).add("softmax");
  ClassProblem problem{fnn::Network(fnn::test::plugins(), spec),
                       {fnn::Matrix(rows, 5), fnn::Matrix(rows, 3)}};
  fnn::Rng rng(7);
  problem.network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  for (std::size_t r = 0; r < rows; ++r) {
    for (float& x : problem.data.inputs.view().row(r)) x = rng.uniform(-0.5F, 0.5F);
    problem.data.targets(r, rng.below(3)) = 1.0F;
  }
  return problem;
}

}  // namespace

TEST_CASE("evaluating block by block gives what evaluating all rows at once gives, bit for bit",
          "[evaluation]") {
  const std::size_t rows = 2 * fnn::evaluation_block_rows + 37;
  const ClassProblem problem = class_problem(rows);
  const auto loss = fnn::test::plugins().make_loss("cross_entropy");
  const fnn::Evaluation whole = fnn::evaluate(problem.network, *loss, problem.data, true);

  fnn::EvaluationSum sum(problem.network, *loss, true);
  for (std::size_t first = 0; first < rows; first += fnn::evaluation_block_rows) {
    const std::size_t count = std::min(fnn::evaluation_block_rows, rows - first);
    sum.add(problem.data.inputs.view().row_block(first, count),
            problem.data.targets.view().row_block(first, count));
    CHECK(sum.outputs().rows() == count);
  }
  const fnn::Evaluation blocks = sum.result();
  CHECK(blocks.samples == rows);
  CHECK(blocks.loss == whole.loss);  // exact: the same sums in the same order
  CHECK(blocks.correct == whole.correct);
  REQUIRE(blocks.accuracy);
  CHECK(*blocks.accuracy == *whole.accuracy);
  CHECK(blocks.loss > 0.0);
  CHECK(blocks.correct > 0);

  // The loss is the mean_loss of the rows: the block sums divided by the rows.
  CHECK(whole.loss == problem.network.mean_loss(problem.data.inputs, problem.data.targets, *loss));
}

TEST_CASE("an evaluation of nothing has no loss and no accuracy to speak of", "[evaluation]") {
  const ClassProblem problem = class_problem(1);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const fnn::EvaluationSum sum(problem.network, *loss, false);
  const fnn::Evaluation result = sum.result();
  CHECK(result.samples == 0);
  CHECK(result.loss == 0.0);
  CHECK_FALSE(result.accuracy);
}
