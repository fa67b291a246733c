#include <cstring>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;

namespace {

// A small regression task: 300 samples, 8 features, 3 targets in (0, 1).
struct Data {
  fnn::Matrix inputs{300, 8};
  fnn::Matrix targets{300, 3};
  Data() {
    fnn::Rng rng(11);
    for (float& x : inputs.values()) x = rng.uniform(-1.0F, 1.0F);
    for (std::size_t r = 0; r < 300; ++r) {
      targets(r, 0) = inputs(r, 0) * inputs(r, 1) > 0 ? 0.9F : 0.1F;
      targets(r, 1) = 0.5F + 0.4F * inputs(r, 2);
      targets(r, 2) = inputs(r, 3) > inputs(r, 4) ? 0.8F : 0.2F;
    }
  }
};

fnn::Network make_network() {
  fnn::NetworkSpec spec{8};
  spec.add("dense", {{"units", "16"}}).add("sigmoid").add("dense", {{"units", "3"}}).add("sigmoid");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

std::vector<float> train(std::size_t threads, std::size_t epochs = 3) {
  const Data data;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "0.5"}});
  fnn::Trainer trainer(network, *loss, *sgd,
                       {.batch_size = 64, .epochs = epochs, .seed = 9, .threads = threads});
  trainer.fit(data.inputs, data.targets);
  return {network.parameters().begin(), network.parameters().end()};
}

// Wide enough that every matrix product of a batch is cut into parallel tiles, with ragged last
// tiles (200 = 3 × 64 + 8, 130 = 2 × 64 + 2), and the element-wise loops and the optimizer
// step run in several tasks.
std::vector<float> train_wide(std::size_t threads) {
  constexpr std::size_t samples = 256;
  fnn::Rng rng(21);
  fnn::Matrix inputs(samples, 200);
  fnn::Matrix targets(samples, 10);
  for (float& x : inputs.values()) x = rng.uniform(0.0F, 1.0F);
  for (std::size_t r = 0; r < samples; ++r) targets(r, rng.below(10)) = 1.0F;
  fnn::NetworkSpec spec{200};
  spec.add("dense", {{"units", "130"}}).add("sigmoid").add("dense", {{"units", "200"}});
  spec.add("relu").add("dense", {{"units", "10"}}).add("softmax");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng init(5);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), init);
  const auto loss = fnn::test::plugins().make_loss("cross_entropy");
  const auto sgd = fnn::test::plugins().make_optimizer(
      "sgd", {{"learning_rate", "0.1"}, {"momentum", "0.9"}});
  fnn::Trainer trainer(network, *loss, *sgd,
                       {.batch_size = 128, .epochs = 2, .seed = 3, .threads = threads});
  trainer.fit(inputs, targets);
  return {network.parameters().begin(), network.parameters().end()};
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("same seed, bit-identical weights with 1, 2 or 4 threads", "[trainer][threads]") {
  const std::vector<float> one = train(1);
  CHECK(same_bits(one, train(2)));
  CHECK(same_bits(one, train(4)));
  CHECK(one != train(1, 4));  // and training did move the weights
}

TEST_CASE("bit-identical across threads when every product is cut into parallel tiles",
          "[trainer][threads]") {
  const std::vector<float> one = train_wide(1);
  CHECK(same_bits(one, train_wide(2)));
  CHECK(same_bits(one, train_wide(3)));
  CHECK(same_bits(one, train_wide(4)));
}

TEST_CASE("a run resumed from its saved state ends bit-identical to an unbroken one",
          "[trainer][resume]") {
  const Data data;
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "0.5"}});
  const fnn::TrainingOptions options{.batch_size = 32, .epochs = 4, .seed = 5};

  fnn::Network unbroken = make_network();
  fnn::Trainer whole(unbroken, *loss, *sgd, options);
  whole.fit(data.inputs, data.targets);

  fnn::Network first_half = make_network();
  fnn::Trainer before(first_half, *loss, *sgd, options);
  before.train_epoch(data.inputs, data.targets);
  before.train_epoch(data.inputs, data.targets);
  const std::string shuffle = before.shuffle_state();

  fnn::Network second_half = make_network();
  std::copy(first_half.parameters().begin(), first_half.parameters().end(),
            second_half.parameters().begin());
  fnn::Trainer after(second_half, *loss, *sgd, options);
  after.resume(2, shuffle);
  std::vector<std::size_t> epochs;
  after.fit(data.inputs, data.targets, [&](const fnn::EpochReport& report) {
    epochs.push_back(report.epoch);
    return report.epoch < 4;
  });
  CHECK(epochs == std::vector<std::size_t>{3, 4});
  CHECK(std::memcmp(unbroken.parameters().data(), second_half.parameters().data(),
                    unbroken.parameters().size() * sizeof(float)) == 0);
}

TEST_CASE("every batch is reported with its position", "[trainer]") {
  const Data data;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 64});
  std::vector<fnn::BatchReport> reports;
  trainer.train_epoch(data.inputs, data.targets,
                      [&](const fnn::BatchReport& report) { reports.push_back(report); });
  REQUIRE(reports.size() == 5);  // 300 samples: 4 × 64 + 44
  CHECK(reports.back().batch == 5);
  CHECK(reports.back().batches == 5);
  CHECK(reports.back().samples_done == 300);
  CHECK(reports[1].samples_done == 128);
  CHECK(reports[0].loss > 0.0);
}

TEST_CASE("training lowers the loss", "[trainer]") {
  const Data data;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "0.5"}});
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 16, .epochs = 40});
  const double before = loss->mean(network.predict(data.inputs), data.targets);
  std::size_t calls = 0;
  const fnn::EpochReport last = trainer.fit(data.inputs, data.targets, [&](const auto& report) {
    CHECK(report.epoch == ++calls);
    return true;
  });
  CHECK(calls == 40);
  CHECK(trainer.epochs_done() == 40);
  const double after = loss->mean(network.predict(data.inputs), data.targets);
  CHECK(after < 0.5 * before);
  CHECK(last.train_loss == Approx(after).epsilon(0.2));
}

TEST_CASE("training stops early when the callback says so", "[trainer]") {
  const Data data;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd, {.epochs = 10});
  trainer.fit(data.inputs, data.targets, [](const auto& report) { return report.epoch < 3; });
  CHECK(trainer.epochs_done() == 3);
}

TEST_CASE("the trainer refuses data and settings that cannot work", "[trainer]") {
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  CHECK(fnn::test::error_message([&] {
          fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 0});
        }) == "the batch size must be at least 1");
  fnn::Trainer trainer(network, *loss, *sgd, {});
  CHECK(fnn::test::error_message([&] { trainer.train_epoch(fnn::Matrix(4, 7), fnn::Matrix(4, 3)); }) ==
        "the network maps 8 inputs to 3 outputs, the data has 7 input and 3 target columns");
  CHECK(fnn::test::error_message([&] { trainer.train_epoch(fnn::Matrix(4, 8), fnn::Matrix(5, 3)); }) ==
        "there are 4 input rows but 5 target rows");
  CHECK(fnn::test::error_message([&] { trainer.train_epoch(fnn::Matrix(0, 8), fnn::Matrix(0, 3)); }) ==
        "there are no training samples");
}

TEST_CASE("a diverging run stops with the epoch, the batch and the likely cause", "[trainer]") {
  fnn::NetworkSpec spec{1};
  spec.add("dense", {{"units", "1"}});  // linear regression: a huge step diverges fast
  fnn::Network network(fnn::test::plugins(), spec);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "1e6"}});
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 2, .epochs = 100, .shuffle = false});
  const fnn::Matrix x{{1}, {2}, {3}, {4}};
  const fnn::Matrix y{{2}, {4}, {6}, {8}};
  CHECK_THAT(fnn::test::error_message([&] { trainer.fit(x, y); }),
             Contains("training diverged in epoch") && Contains(", batch ") &&
                 Contains("learning rate is likely too high"));
}
