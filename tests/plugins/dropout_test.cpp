// dropout: identity outside training; in training an inverted-dropout mask drawn from a hash of
// (seed, batch row, column), so it is the same in backward and however the batch is cut.
#include <algorithm>

#include "support/test_support.hpp"

namespace {

std::shared_ptr<fnn::Layer> dropout(std::size_t width, const fnn::Options& options = {}) {
  auto layer = fnn::test::plugins().make_layer("dropout", options);
  layer->setup(width);
  return layer;
}

fnn::Matrix ones(std::size_t rows, std::size_t cols) {
  fnn::Matrix m(rows, cols);
  for (float& value : m.values()) value = 1.0F;
  return m;
}

fnn::Matrix forward(const fnn::Layer& layer, const fnn::Matrix& input,
                    const fnn::PassContext& context) {
  fnn::Matrix output(input.rows(), input.cols());
  layer.forward(input, output, context);
  return output;
}

std::vector<float> values(const fnn::Matrix& m) {
  return {m.values().begin(), m.values().end()};
}

constexpr fnn::PassContext training{.training = true, .seed = 1234, .first_row = 0};

}  // namespace

TEST_CASE("dropout keeps its width, has no parameters and is the identity outside training",
          "[dropout]") {
  const auto layer = dropout(7, {{"rate", "0.9"}});
  CHECK(layer->output_size() == 7);
  CHECK(layer->parameter_count() == 0);
  fnn::Rng rng(3);
  fnn::Matrix input(5, 7);
  for (float& value : input.values()) value = rng.uniform(-1, 1);
  CHECK(values(forward(*layer, input, fnn::PassContext{})) == values(input));
  fnn::Matrix input_gradient(5, 7);
  layer->backward(input, input, input, input_gradient, fnn::PassContext{});
  CHECK(values(input_gradient) == values(input));
}

TEST_CASE("dropout in training keeps about 1 - rate of the elements, scaled by 1 / (1 - rate)",
          "[dropout]") {
  for (const double rate : {0.5, 0.2, 0.8}) {
    INFO("rate " << rate);
    const auto layer = dropout(100, {{"rate", std::to_string(rate)}});
    const fnn::Matrix output = forward(*layer, ones(400, 100), training);
    std::size_t kept = 0;
    for (const float value : output.values()) {
      if (value == 0.0F) continue;
      ++kept;
      REQUIRE(value == static_cast<float>(1.0 / (1.0 - rate)));
    }
    // 40,000 draws: the kept fraction's standard deviation is at most 0.0025.
    CHECK(static_cast<double>(kept) / 40000.0 == Approx(1.0 - rate).margin(0.01));
  }
  const auto default_rate = dropout(100);
  std::size_t kept = 0;
  const fnn::Matrix default_output = forward(*default_rate, ones(400, 100), training);
  for (const float value : default_output.values()) {
    kept += value != 0.0F ? 1 : 0;
  }
  CHECK(static_cast<double>(kept) / 40000.0 == Approx(0.5).margin(0.01));
}

TEST_CASE("dropout draws the same mask from the same seed and another from another", "[dropout]") {
  const auto layer = dropout(30);
  const fnn::Matrix input = ones(20, 30);
  const fnn::Matrix first = forward(*layer, input, training);
  CHECK(values(forward(*layer, input, training)) == values(first));
  fnn::PassContext other = training;
  other.seed = 1235;
  CHECK(values(forward(*layer, input, other)) != values(first));
  // Rows differ from one another too: the row is part of the hash.
  const std::span<const float> row0 = first.view().row(0);
  const std::span<const float> row1 = first.view().row(1);
  CHECK_FALSE(std::ranges::equal(row0, row1));
}

TEST_CASE("dropout's mask of a row does not depend on how the batch is cut into blocks",
          "[dropout]") {
  const auto layer = dropout(16, {{"rate", "0.3"}});
  fnn::Rng rng(8);
  fnn::Matrix input(10, 16);
  for (float& value : input.values()) value = rng.uniform(-1, 1);
  const fnn::Matrix whole = forward(*layer, input, training);

  fnn::Matrix chunked(10, 16);
  const std::pair<std::size_t, std::size_t> chunks[] = {{0, 4}, {4, 6}};
  for (const auto& [first, count] : chunks) {
    fnn::PassContext chunk = training;
    chunk.first_row = first;
    layer->forward(input.view().row_block(first, count), chunked.view().row_block(first, count),
                   chunk);
  }
  CHECK(values(chunked) == values(whole));
}

TEST_CASE("dropout's backward applies the forward mask", "[dropout][gradient]") {
  const auto layer = dropout(12);
  const fnn::Matrix input = ones(8, 12);
  const fnn::Matrix output = forward(*layer, input, training);
  fnn::Matrix input_gradient(8, 12);
  layer->backward(input, output, input, input_gradient, training);
  CHECK(values(input_gradient) == values(output));
  std::vector<float> no_parameters;
  REQUIRE_GRADIENT_OK(fnn::check_layer(*layer, no_parameters, 6));
}

TEST_CASE("dropout refuses a rate outside 0 (inclusive) to 1 (exclusive)", "[dropout]") {
  CHECK(fnn::test::error_message([] {
          dropout(3, {{"rate", "1"}});
        }) == "layer 'dropout': option 'rate' must be in [0, 1), is 1");
  CHECK(fnn::test::error_message([] {
          dropout(3, {{"rate", "-0.1"}});
        }) == "layer 'dropout': option 'rate' must be in [0, 1), is -0.1");
  // rate 0 keeps everything, even in training
  const auto keep_all = dropout(5, {{"rate", "0"}});
  const fnn::Matrix input = ones(3, 5);
  CHECK(values(forward(*keep_all, input, training)) == values(input));
}

TEST_CASE("training through dropout gives the same parameters with 1 and 2 threads", "[dropout]") {
  fnn::Rng rng(12);
  fnn::Matrix inputs(64, 3);
  fnn::Matrix targets(64, 1);
  for (float& value : inputs.values()) value = rng.uniform(-1, 1);
  for (float& value : targets.values()) value = rng.uniform(0, 1);
  std::vector<std::vector<float>> trained;
  for (const std::size_t threads : {1, 2}) {
    fnn::NetworkSpec spec{3};
    spec.add("dense", {{"units", "8"}})
        .add("tanh")
        .add("dropout", {{"rate", "0.3"}})
        .add("dense", {{"units", "1"}});
    fnn::Network network(fnn::test::plugins(), spec);
    fnn::Rng init(4);
    network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), init);
    const auto mse = fnn::test::plugins().make_loss("mse");
    const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "0.1"}});
    fnn::Trainer trainer(network, *mse, *sgd,
                         {.batch_size = 32, .epochs = 3, .seed = 5, .threads = threads});
    trainer.fit(inputs, targets);
    trained.emplace_back(network.parameters().begin(), network.parameters().end());
  }
  CHECK(trained[0] == trained[1]);
}
