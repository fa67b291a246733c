#include <cstring>
#include <tbb/task_arena.h>
#include <limits>

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

namespace {

// A dropout network and a momentum optimizer: the run depends on every batch's seed and on the
// optimizer's state, so resuming must restore both exactly.
fnn::Network make_dropout_network() {
  fnn::NetworkSpec spec{8};
  spec.add("dense", {{"units", "16"}}).add("sigmoid").add("dropout", {{"rate", "0.3"}});
  spec.add("dense", {{"units", "3"}}).add("sigmoid");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

std::vector<float> copy(std::span<const float> values) { return {values.begin(), values.end()}; }

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("a run resumed from a position inside an epoch ends bit-identical, epoch losses too",
          "[trainer][resume]") {
  const Data data;
  const auto loss = fnn::test::plugins().make_loss("mse");
  const fnn::Options momentum{{"learning_rate", "0.3"}, {"momentum", "0.9"}};
  const fnn::TrainingOptions options{.batch_size = 32, .epochs = 4, .seed = 5, .threads = 2};  // 300 samples: 10 batches, the last of 12

  fnn::Network unbroken = make_dropout_network();
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", momentum);
  fnn::Trainer whole(unbroken, *loss, *sgd, options);
  std::vector<double> whole_losses;
  whole.fit(data.inputs, data.targets, [&](const fnn::EpochReport& report) {
    whole_losses.push_back(report.train_loss);
    return true;
  });

  const std::size_t stop_batch = GENERATE(1, 4, 10);  // the first, a middle and the last batch
  INFO("stopped after batch " << stop_batch << " of epoch 2");
  fnn::Network first = make_dropout_network();
  const auto first_sgd = fnn::test::plugins().make_optimizer("sgd", momentum);
  fnn::Trainer before(first, *loss, *first_sgd, options);
  before.train_epoch(data.inputs, data.targets);
  fnn::TrainingPosition position;
  std::vector<float> parameters;
  std::vector<float> optimizer_state;
  before.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport& report) {
    if (report.batch != stop_batch) return;
    position = before.position();  // what a checkpoint written here would hold
    parameters = copy(first.parameters());
    optimizer_state = copy(first_sgd->state());
  });
  CHECK(position.epochs_done == 1);
  CHECK(position.batches_done == stop_batch);

  fnn::Network second = make_dropout_network();
  std::ranges::copy(parameters, second.parameters().begin());
  const auto second_sgd = fnn::test::plugins().make_optimizer("sgd", momentum);
  fnn::Trainer after(second, *loss, *second_sgd, options);
  std::ranges::copy(optimizer_state, second_sgd->state().begin());
  after.resume(position);
  std::vector<double> resumed_losses;
  after.fit(data.inputs, data.targets, [&](const fnn::EpochReport& report) {
    resumed_losses.push_back(report.train_loss);
    return true;
  });
  CHECK(after.epochs_done() == 4);
  CHECK(same_bits(unbroken.parameters(), second.parameters()));
  CHECK(same_bits(sgd->state(), second_sgd->state()));
  CHECK(after.shuffle_state() == whole.shuffle_state());
  REQUIRE(resumed_losses.size() == 3);  // epochs 2, 3, 4
  CHECK(resumed_losses[0] == whole_losses[1]);
  CHECK(resumed_losses[2] == whole_losses[3]);
}

TEST_CASE("a position beyond the epoch's batches is refused", "[trainer][resume]") {
  const Data data;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 64});
  fnn::TrainingPosition position = trainer.position();
  CHECK(position.epochs_done == 0);
  CHECK(position.batches_done == 0);
  position.epochs_done = 3;
  position.batches_done = 6;  // 300 samples in batches of 64 make 5
  trainer.resume(position);
  CHECK(fnn::test::error_message([&] { trainer.train_epoch(data.inputs, data.targets); }) ==
        "the run to resume stands after batch 6 of epoch 4, but an epoch of this data has 5 "
        "batches; resume with the same data and batch size");
}

namespace {

// MSE whose gradient turns NaN (or infinite) from its n-th call on while its loss stays finite:
// a broken derivative, or one that overflows where the loss does not.
class PoisonedGradient final : public fnn::Loss {
 public:
  PoisonedGradient(std::size_t from_call, float poison) : from_call_(from_call), poison_(poison) {}
  double sum(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target) const override {
    return mse_->sum(prediction, target);
  }
  void gradient(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target,
                fnn::MatrixView gradient) const override {
    mse_->gradient(prediction, target, gradient);
    if (++calls_ >= from_call_) gradient(0, 0) = poison_;
  }

 private:
  std::shared_ptr<fnn::Loss> mse_ = fnn::test::plugins().make_loss("mse");
  std::size_t from_call_;
  float poison_;
  mutable std::size_t calls_ = 0;
};

}  // namespace

TEST_CASE("a NaN or infinite gradient with a finite loss stops training before the step",
          "[trainer][faults]") {
  const Data data;
  const float poison = GENERATE(std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity());
  INFO("poison " << poison);
  fnn::Network network = make_network();
  const PoisonedGradient loss(8, poison);  // one loss call per batch: batch 3 of epoch 2
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"momentum", "0.9"}});
  fnn::Trainer trainer(network, loss, *sgd, {.batch_size = 64, .epochs = 3});
  std::vector<float> last_good;
  std::vector<float> last_good_state;
  CHECK_THAT(fnn::test::error_message([&] {
               trainer.fit(data.inputs, data.targets);
             }),
             Contains("training diverged in epoch 2, batch 3: the gradient became infinite or NaN "
                      "(the loss was ") &&
                 Contains("the learning rate is likely too high"));
  // Nothing of batch 3 was applied: the network, the optimizer and the position are as after
  // batch 2, and they are finite.
  CHECK(fnn::all_finite(network.parameters()));
  CHECK(fnn::all_finite(sgd->state()));
  const fnn::TrainingPosition position = trainer.position();
  CHECK(position.epochs_done == 1);
  CHECK(position.batches_done == 2);

  fnn::Network replay = make_network();
  const PoisonedGradient never(std::numeric_limits<std::size_t>::max(), 0.0F);
  const auto replay_sgd = fnn::test::plugins().make_optimizer("sgd", {{"momentum", "0.9"}});
  fnn::Trainer clean(replay, never, *replay_sgd, {.batch_size = 64, .epochs = 3});
  clean.train_epoch(data.inputs, data.targets);
  clean.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport& report) {
    if (report.batch == 2) {
      last_good = copy(replay.parameters());
      last_good_state = copy(replay_sgd->state());
    }
  });
  CHECK(same_bits(network.parameters(), last_good));
  CHECK(same_bits(sgd->state(), last_good_state));
}

TEST_CASE("all_finite finds NaN and infinity anywhere, and nothing else", "[trainer][faults]") {
  std::vector<float> values(1001, 1.0F);
  values[3] = std::numeric_limits<float>::max();
  values[4] = -std::numeric_limits<float>::max();
  values[5] = std::numeric_limits<float>::denorm_min();
  values[6] = -0.0F;
  CHECK(fnn::all_finite(values));
  CHECK(fnn::all_finite({}));
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(),
                          -std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::signaling_NaN(),
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity()}) {
    for (const std::size_t at : {std::size_t{0}, std::size_t{500}, std::size_t{1000}}) {
      std::vector<float> poisoned = values;
      poisoned[at] = bad;
      CHECK_FALSE(fnn::all_finite(poisoned));
    }
  }
}

namespace {

// MSE that records how many threads the arena it is called in has.
class ArenaProbe final : public fnn::Loss {
 public:
  double sum(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target) const override {
    seen_threads = tbb::this_task_arena::max_concurrency();
    return mse_->sum(prediction, target);
  }
  void gradient(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target,
                fnn::MatrixView gradient) const override {
    mse_->gradient(prediction, target, gradient);
  }
  mutable int seen_threads = 0;

 private:
  std::shared_ptr<fnn::Loss> mse_ = fnn::test::plugins().make_loss("mse");
};

}  // namespace

TEST_CASE("a batch runs on exactly the trainer's thread count", "[trainer][threads]") {
  const Data data;
  for (const std::size_t threads : {1, 3}) {
    fnn::Network network = make_network();
    const ArenaProbe probe;
    const auto sgd = fnn::test::plugins().make_optimizer("sgd");
    fnn::Trainer trainer(network, probe, *sgd, {.batch_size = 64, .threads = threads});
    trainer.train_epoch(data.inputs, data.targets);
    CHECK(probe.seen_threads == static_cast<int>(threads));
  }
}

namespace {

// MSE whose loss sum becomes NaN from its n-th call on, as a diverged network's would.
class NanLossFrom final : public fnn::Loss {
 public:
  explicit NanLossFrom(std::size_t call) : from_call_(call) {}
  double sum(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target) const override {
    return ++calls_ >= from_call_ ? std::numeric_limits<double>::quiet_NaN()
                                  : mse_->sum(prediction, target);
  }
  void gradient(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target,
                fnn::MatrixView gradient) const override {
    mse_->gradient(prediction, target, gradient);
  }

 private:
  std::shared_ptr<fnn::Loss> mse_ = fnn::test::plugins().make_loss("mse");
  std::size_t from_call_;
  mutable std::size_t calls_ = 0;
};

}  // namespace

TEST_CASE("a loss that becomes NaN stops training with epoch, batch and cause, before the step",
          "[trainer][faults]") {
  const Data data;
  fnn::Network network = make_network();
  const NanLossFrom loss(7);  // 300 samples in batches of 64: batch 2 of epoch 2
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, loss, *sgd, {.batch_size = 64, .epochs = 3});
  trainer.train_epoch(data.inputs, data.targets);
  std::vector<float> before_batch_2;
  try {
    trainer.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport&) {
      before_batch_2.assign(network.parameters().begin(), network.parameters().end());
    });
    FAIL("no error");
  } catch (const fnn::TrainingError& error) {
    CHECK_THAT(error.what(), Contains("training diverged in epoch 2, batch 2: the loss became nan") &&
                                 Contains("the learning rate is likely too high"));
  }
  CHECK(same_bits(before_batch_2, {network.parameters().begin(), network.parameters().end()}));
}

TEST_CASE("a stop request ends the epoch after the batch it is on; the same trainer then "
          "continues bit-identical",
          "[trainer][resume][interrupt]") {
  const Data data;
  const auto loss = fnn::test::plugins().make_loss("mse");
  const fnn::Options momentum{{"learning_rate", "0.3"}, {"momentum", "0.9"}};
  fnn::TrainingOptions options{.batch_size = 32, .epochs = 3, .seed = 5, .threads = 2};

  fnn::Network unbroken = make_dropout_network();
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", momentum);
  fnn::Trainer whole(unbroken, *loss, *sgd, options);
  whole.fit(data.inputs, data.targets);

  fnn::StopRequest stop;
  options.stop = &stop;
  fnn::Network network = make_dropout_network();
  const auto stopped_sgd = fnn::test::plugins().make_optimizer("sgd", momentum);
  fnn::Trainer trainer(network, *loss, *stopped_sgd, options);
  trainer.train_epoch(data.inputs, data.targets);
  const fnn::EpochReport cut =
      trainer.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport& report) {
        if (report.batch == 4) stop.request(2);  // as a SIGINT handler would, during batch 4
      });
  CHECK(cut.interrupted);
  CHECK(cut.epoch == 2);
  CHECK(trainer.epochs_done() == 1);
  CHECK(trainer.position().batches_done == 4);
  CHECK(stop.signal() == 2);
  // fit, too, stops after one batch while the request stands.
  trainer.fit(data.inputs, data.targets);
  CHECK(trainer.position().batches_done == 5);

  // A new trainer (setup resets the optimizer's state: put it back, as a resume does).
  const std::vector<float> state = copy(stopped_sgd->state());
  fnn::StopRequest none;
  options.stop = &none;
  fnn::Trainer rest(network, *loss, *stopped_sgd, options);
  std::ranges::copy(state, stopped_sgd->state().begin());
  rest.resume(trainer.position());
  rest.fit(data.inputs, data.targets);
  CHECK(rest.epochs_done() == 3);
  CHECK(same_bits(unbroken.parameters(), network.parameters()));
  CHECK(same_bits(sgd->state(), stopped_sgd->state()));
}
