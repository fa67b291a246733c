// Early stopping and the plateau schedule: the decision on constructed value sequences
// (fnn::observe), and in fnn::TrainingRun the best weights restored whatever ends the run, and
// runs continued from checkpoints bit for bit as unbroken ones.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fnn/atomic_file.hpp>
#include <fnn/fnn.hpp>
#include <fnn/metrics_log.hpp>
#include <fstream>
#include <limits>
#include <sstream>

#include "support/test_support.hpp"

namespace {

using Catch::Matchers::Contains;
using fnn::Monitor;
using fnn::test::error_message;

struct Outcome {
  std::size_t best_epoch = 0;
  std::size_t stopped_epoch = 0;
  std::vector<double> rate_factors;  // after each epoch
};

// Feeds `values` (epochs 1, 2, ...) until patience runs out.
Outcome watch(const fnn::Monitoring& monitoring, const std::vector<double>& values,
              const std::string& schedule = "constant", double base_rate = 1.0) {
  fnn::MonitorState state;
  Outcome outcome;
  const auto parsed = fnn::LearningRateSchedule::parse(schedule);
  for (std::size_t e = 1; e <= values.size(); ++e) {
    const fnn::MonitorStep step =
        fnn::observe(monitoring, parsed, base_rate, state, e, values[e - 1]);
    outcome.rate_factors.push_back(state.rate_factor);
    if (step.stop) break;
  }
  outcome.best_epoch = state.best_epoch;
  outcome.stopped_epoch = state.stopped_epoch;
  return outcome;
}

fnn::Monitoring stopping(Monitor monitor, std::size_t patience, double min_delta = 0.0,
                         std::size_t start_from_epoch = 0) {
  return {.monitor = monitor,
          .patience = patience,
          .min_delta = min_delta,
          .start_from_epoch = start_from_epoch};
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// 3 inputs, 2 classes, wide enough to overfit 24 noisy training rows.
fnn::Network classifier() {
  fnn::NetworkSpec spec{3};
  spec.add("dense", {{"units", "24"}}).add("tanh").add("dense", {{"units", "2"}}).add("softmax");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

// Class 1 when the inputs sum above 0, with a fifth of the labels flipped: the validation loss
// falls, then rises as the network learns the flips.
fnn::Dataset noisy_data(std::size_t rows, std::uint64_t seed) {
  fnn::Dataset data{fnn::Matrix(rows, 3), fnn::Matrix(rows, 2)};
  fnn::Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    float sum = 0.0F;
    for (std::size_t c = 0; c < 3; ++c) sum += data.inputs(r, c) = rng.uniform(-1.0F, 1.0F);
    const bool flipped = rng.below(5) == 0;
    data.targets(r, (sum > 0.0F) != flipped ? 1 : 0) = 1.0F;
  }
  return data;
}

const fnn::Dataset& train_rows() {
  static const fnn::Dataset data = noisy_data(24, 11);
  return data;
}
const fnn::Dataset& validation_rows() {
  static const fnn::Dataset data = noisy_data(40, 12);
  return data;
}

fnn::ModelInfo run_info(std::size_t epochs, std::optional<fnn::Monitoring> monitoring,
                        const std::string& schedule = "constant") {
  fnn::ModelInfo info;
  info.loss = {"cross_entropy", {}};
  info.layout.classes = 2;
  fnn::TrainingState& training = info.training.emplace();
  training.optimizer = {"sgd", {{"learning_rate", "0.1"}, {"momentum", "0.9"}}};
  training.total_epochs = epochs;
  training.batch_size = 5;  // 24 rows: an uneven last batch
  training.seed = 5;
  training.schedule = schedule;
  training.monitoring = monitoring;
  return info;
}

// The weights after `epochs` epochs of the same run with nothing watched.
std::vector<float> plain_run(std::size_t epochs) {
  fnn::Network network = classifier();
  fnn::TrainingRun run(fnn::test::plugins(), network, run_info(epochs, std::nullopt), {});
  REQUIRE(run.train(train_rows(), validation_rows()));
  return {network.parameters().begin(), network.parameters().end()};
}

}  // namespace

TEST_CASE("early stopping stops PATIENCE epochs after the best, in both directions", "[stopping]") {
  // Losses fall: best 0.5 in epoch 2, no improvement in 3..5: stopped at 5.
  Outcome loss = watch(stopping(Monitor::validation_loss, 3), {1.0, 0.5, 0.75, 0.5, 0.625, 0.25});
  CHECK(loss.best_epoch == 2);
  CHECK(loss.stopped_epoch == 5);
  // Accuracies rise; an equal value is no improvement.
  Outcome accuracy = watch(stopping(Monitor::validation_accuracy, 2), {0.5, 0.75, 0.75, 0.5, 1.0});
  CHECK(accuracy.best_epoch == 2);
  CHECK(accuracy.stopped_epoch == 4);
  CHECK(watch(stopping(Monitor::training_accuracy, 2), {0.5, 0.75, 0.75, 1.0}).stopped_epoch == 0);
  CHECK(watch(stopping(Monitor::training_loss, 1), {1.0, 0.5, 0.5}).stopped_epoch == 3);
  // Patience 0: the best is watched, the run never stopped.
  const Outcome never = watch(stopping(Monitor::training_loss, 0), {1.0, 2.0, 3.0, 4.0});
  CHECK(never.best_epoch == 1);
  CHECK(never.stopped_epoch == 0);
}

TEST_CASE("an improvement must be by MORE than min_delta", "[stopping]") {
  // 1.0 → 0.75 is by exactly 0.25: not an improvement; 0.5 is by 0.5.
  CHECK(watch(stopping(Monitor::validation_loss, 5, 0.25), {1.0, 0.75, 0.5}).best_epoch == 3);
  CHECK(watch(stopping(Monitor::validation_loss, 1, 0.25), {1.0, 0.75, 0.5}).stopped_epoch == 2);
  CHECK(watch(stopping(Monitor::validation_loss, 1, 0.0), {1.0, 0.75, 0.5}).stopped_epoch == 0);
  // Accuracy: 0.5 → 0.75 by exactly 0.25 is not enough, → 1.0 is.
  const Outcome rising = watch(stopping(Monitor::validation_accuracy, 5, 0.25), {0.5, 0.75, 1.0});
  CHECK(rising.best_epoch == 3);
  // Values within min_delta of the best use up patience; steps that add up to more than it
  // from the best improve.
  CHECK(watch(stopping(Monitor::training_loss, 3, 0.25), {1.0, 0.875, 0.75, 0.875}).stopped_epoch ==
        4);
  CHECK(watch(stopping(Monitor::training_loss, 3, 0.25), {1.0, 0.875, 0.75, 0.625}).best_epoch == 4);
}

TEST_CASE("epochs up to start_from_epoch are not watched", "[stopping]") {
  const std::vector<double> rising = {0.125, 0.25, 0.5, 1.0, 2.0, 4.0};
  // Watched from epoch 1: the best is epoch 1, patience 2 runs out in epoch 3.
  CHECK(watch(stopping(Monitor::validation_loss, 2), rising).stopped_epoch == 3);
  // From epoch 3 on: epoch 3 is the first best, patience runs out in epoch 5.
  const Outcome later = watch(stopping(Monitor::validation_loss, 2, 0.0, 2), rising);
  CHECK(later.best_epoch == 3);
  CHECK(later.stopped_epoch == 5);
  // A run that ends inside the warm-up has no best.
  CHECK(watch(stopping(Monitor::validation_loss, 2, 0.0, 10), rising).best_epoch == 0);
}

TEST_CASE("a NaN value is never an improvement", "[stopping]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Outcome outcome = watch(stopping(Monitor::validation_loss, 2), {nan, 1.0, nan, nan});
  CHECK(outcome.best_epoch == 2);
  CHECK(outcome.stopped_epoch == 4);
}

TEST_CASE("the plateau schedule lowers the rate after P epochs without improvement",
          "[stopping][schedule]") {
  const fnn::Monitoring loss = stopping(Monitor::training_loss, 0);
  // Best in epoch 1; no improvement in 2, 3 (reduce), 4, 5 (reduce); a best in 6; 7, 8 (reduce).
  const std::vector<double> values = {1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5};
  CHECK(watch(loss, values, "plateau:2:0.5").rate_factors ==
        std::vector<double>{1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125});
  // A floor of rate 0.03 from a base of 0.1: factor 0.3 at least.
  const std::vector<double> floored = watch(loss, values, "plateau:2:0.5:0.03", 0.1).rate_factors;
  CHECK(floored.back() == Approx(0.3));
  CHECK(floored[4] == Approx(0.3));
  // min_delta applies to the plateau too: 1.0 → 0.5 by 0.5 is no improvement with min_delta 0.5,
  // so the wait goes on through epoch 6.
  const fnn::Monitoring strict = stopping(Monitor::training_loss, 0, 0.5);
  CHECK(watch(strict, values, "plateau:2:0.5").rate_factors ==
        std::vector<double>{1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125});
}

TEST_CASE("plateau schedules and monitored values parse, or name what is wrong",
          "[stopping][schedule]") {
  const auto plateau = fnn::LearningRateSchedule::parse("plateau:5:0.5");
  CHECK(plateau.kind == fnn::LearningRateSchedule::Kind::plateau);
  CHECK(plateau.step_epochs == 5);
  CHECK(plateau.gamma == 0.5);
  CHECK(plateau.rate(0.1, 7, 10) == 0.1);  // the reductions are the run's
  CHECK(fnn::LearningRateSchedule::parse("plateau:3:0.1:1e-4").min_rate == 1e-4);
  CHECK(fnn::LearningRateSchedule::parse("step:10:0.5").gamma == 0.5);
  for (const char* bad : {"plateau", "plateau:5", "plateau:0:0.5", "plateau:5:1", "plateau:5:0",
                          "plateau:5:1.5", "plateau:5:0.5:-1", "plateau:5:0.5:1:2", "plateau:x:0.5",
                          "plateau::0.5", "step:10:0.5:1", "step:10:inf", "plateau:5:nan"}) {
    INFO(bad);
    CHECK_THAT(error_message([&] { fnn::LearningRateSchedule::parse(bad); }),
               Contains(std::string("'") + bad + "'") && Contains("plateau:P:F[:MIN]"));
  }
  for (const auto monitor : {Monitor::validation_loss, Monitor::validation_accuracy,
                             Monitor::training_loss, Monitor::training_accuracy}) {
    CHECK(fnn::parse_monitor(fnn::monitor_name(monitor)) == monitor);
  }
  CHECK(error_message([&] { fnn::parse_monitor("val_acc"); }) ==
        "monitored value 'val_acc': expected val_loss, val_accuracy, loss or accuracy");
}

TEST_CASE(
    "the best weights are restored when patience runs out, and the model file keeps the "
    "latest too",
    "[stopping][run]") {
  const fnn::test::TemporaryDirectory directory;
  fnn::Network network = classifier();
  fnn::TrainingRun run(fnn::test::plugins(), network,
                       run_info(200, stopping(Monitor::validation_loss, 4)), {});
  REQUIRE(run.train(train_rows(), validation_rows()));
  const fnn::MonitorState state = run.monitor_state();
  INFO("best epoch " << state.best_epoch << ", stopped in " << state.stopped_epoch);
  REQUIRE(state.stopped_epoch > 0);
  REQUIRE(state.best_epoch > 1);  // a best inside the run, not the first epoch
  CHECK(state.stopped_epoch == state.best_epoch + 4);
  CHECK(run.epochs_done() == state.stopped_epoch);
  CHECK(same_bits(network.parameters(), plain_run(state.best_epoch)));

  // The saved model holds the best weights, and beside them the latest.
  run.save(directory.path() / "best.fnn");
  const fnn::LoadedModel saved =
      fnn::load_model(directory.path() / "best.fnn", fnn::test::plugins());
  CHECK(same_bits(saved.network.parameters(), plain_run(state.best_epoch)));
  CHECK(same_bits(saved.info.training->latest_parameters, plain_run(state.stopped_epoch)));
  CHECK(saved.info.training->monitor_state.stopped_epoch == state.stopped_epoch);
  CHECK(saved.info.training->monitor_state.best_epoch == state.best_epoch);
  // There is nothing left to continue.
  CHECK_THAT(
      error_message([&] {
        fnn::Network copy = classifier();
        fnn::TrainingRun(fnn::test::plugins(), copy, saved.info, {});
      }),
      Contains("early stopping ended this run at epoch " + std::to_string(state.stopped_epoch)));
}

TEST_CASE(
    "the best weights are restored when the run reaches its last epoch, and a saved model "
    "continues exactly",
    "[stopping][run]") {
  const fnn::test::TemporaryDirectory directory;
  // Patience never runs out in 12 epochs; the best lies before the end.
  fnn::Network network = classifier();
  fnn::TrainingRun run(fnn::test::plugins(), network,
                       run_info(12, stopping(Monitor::validation_loss, 100)), {});
  REQUIRE(run.train(train_rows(), validation_rows()));
  const std::size_t best = run.monitor_state().best_epoch;
  INFO("best epoch " << best);
  REQUIRE(best > 1);
  REQUIRE(best < 12);
  CHECK(run.monitor_state().stopped_epoch == 0);
  CHECK(same_bits(network.parameters(), plain_run(best)));

  // Saved with the best weights, continued to 20 epochs: as a run of 20 in one go.
  run.save(directory.path() / "model.fnn");
  fnn::LoadedModel saved = fnn::load_model(directory.path() / "model.fnn", fnn::test::plugins());
  saved.info.training->total_epochs = 20;
  fnn::TrainingRun continued(fnn::test::plugins(), saved.network, saved.info, {});
  REQUIRE(continued.train(train_rows(), validation_rows()));
  fnn::Network whole_network = classifier();
  fnn::TrainingRun whole(fnn::test::plugins(), whole_network,
                         run_info(20, stopping(Monitor::validation_loss, 100)), {});
  REQUIRE(whole.train(train_rows(), validation_rows()));
  CHECK(same_bits(saved.network.parameters(), whole_network.parameters()));
  CHECK(continued.monitor_state().best_epoch == whole.monitor_state().best_epoch);
  CHECK(same_bits(continued.snapshot().training->latest_parameters,
                  whole.snapshot().training->latest_parameters));
}

TEST_CASE(
    "the best weights are restored when a stop is requested; the checkpoint keeps the "
    "latest",
    "[stopping][run]") {
  const fnn::test::TemporaryDirectory directory;
  fnn::Network network = classifier();
  fnn::StopRequest stop;
  fnn::RunOptions options;
  options.checkpoints.file = directory.path() / "run.checkpoint";
  options.stop = &stop;
  fnn::TrainingRun run(fnn::test::plugins(), network,
                       run_info(100, stopping(Monitor::validation_loss, 100)), options);
  // Stop inside epoch 15, batch 2.
  const bool complete = run.train(train_rows(), validation_rows(),
                                  {.on_batch =
                                       [&](const fnn::BatchReport& b) {
                                         if (b.epoch == 15 && b.batch == 2) stop.request();
                                       },
                                   .on_epoch = {}});
  REQUIRE_FALSE(complete);
  const std::size_t best = run.monitor_state().best_epoch;
  INFO("best epoch " << best);
  REQUIRE(best > 1);
  REQUIRE(best < 14);
  CHECK(same_bits(network.parameters(), plain_run(best)));
  const fnn::LoadedModel checkpoint =
      fnn::load_model(options.checkpoints.file, fnn::test::plugins());
  CHECK(fnn::describe(checkpoint.info.training->position) == "batch 2 of epoch 15");
  CHECK(same_bits(checkpoint.info.training->best_parameters, plain_run(best)));
  CHECK(checkpoint.info.training->latest_parameters.empty());
  CHECK_FALSE(same_bits(checkpoint.network.parameters(), plain_run(best)));
}

TEST_CASE("a run resumed inside a patience window ends bit for bit as an unbroken one",
          "[stopping][run]") {
  const fnn::test::TemporaryDirectory directory;
  const auto monitoring = stopping(Monitor::validation_loss, 4, 1e-3, 2);
  fnn::Network unbroken = classifier();
  fnn::RunOptions metrics_options;
  metrics_options.metrics = directory.path() / "unbroken.csv";
  fnn::TrainingRun whole(fnn::test::plugins(), unbroken, run_info(200, monitoring),
                         metrics_options);
  REQUIRE(whole.train(train_rows(), validation_rows()));
  const fnn::MonitorState end = whole.monitor_state();
  REQUIRE(end.stopped_epoch > 0);
  const fnn::ModelInfo whole_model = whole.snapshot();

  // Stopped one epoch into the last patience window: at its boundary, and inside the epoch.
  for (const bool inside : {false, true}) {
    DYNAMIC_SECTION((inside ? "inside an epoch" : "at an epoch boundary")) {
      fnn::Network first = classifier();
      fnn::StopRequest stop;
      fnn::RunOptions options;
      options.checkpoints.file = directory.path() / "run.checkpoint";
      options.metrics = directory.path() / "resumed.csv";
      options.stop = &stop;
      fnn::TrainingRun interrupted(fnn::test::plugins(), first, run_info(200, monitoring), options);
      const std::size_t at = end.best_epoch + 1;
      REQUIRE_FALSE(interrupted.train(train_rows(), validation_rows(),
                                      {.on_batch =
                                           [&](const fnn::BatchReport& b) {
                                             if (inside && b.epoch == at + 1 && b.batch == 3)
                                               stop.request();
                                           },
                                       .on_epoch =
                                           [&](const fnn::EpochSummary& e) {
                                             if (!inside && e.training.epoch == at) stop.request();
                                           }}));
      fnn::LoadedModel checkpoint = fnn::load_model(options.checkpoints.file, fnn::test::plugins());
      CHECK(checkpoint.info.training->monitor_state.wait == 1);
      options.stop = nullptr;
      fnn::TrainingRun continued(fnn::test::plugins(), checkpoint.network, checkpoint.info,
                                 options);
      REQUIRE(continued.train(train_rows(), validation_rows()));
      const fnn::ModelInfo continued_model = continued.snapshot();
      CHECK(same_bits(checkpoint.network.parameters(), unbroken.parameters()));
      CHECK(same_bits(continued_model.training->optimizer_state,
                      whole_model.training->optimizer_state));
      CHECK(same_bits(continued_model.training->latest_parameters,
                      whole_model.training->latest_parameters));
      CHECK(continued.monitor_state().best == end.best);
      CHECK(continued.monitor_state().best_epoch == end.best_epoch);
      CHECK(continued.monitor_state().stopped_epoch == end.stopped_epoch);
      // The metrics files agree but for the seconds column.
      const auto without_seconds = [](const std::filesystem::path& file) {
        std::string kept;
        std::size_t column = 0;
        for (const char c : read_file(file)) {
          if (column != 4) kept += c;
          column = c == '\n' ? 0 : column + (c == ',' ? 1 : 0);
        }
        return kept;
      };
      CHECK(without_seconds(options.metrics) == without_seconds(metrics_options.metrics));
    }
  }
}

TEST_CASE("the plateau schedule lowers the rate of the next epoch and resumes exactly",
          "[stopping][run][schedule]") {
  const fnn::test::TemporaryDirectory directory;
  const auto monitoring = stopping(Monitor::training_loss, 0, 0.02);
  std::vector<fnn::EpochSummary> epochs;
  fnn::Network unbroken = classifier();
  fnn::TrainingRun whole(fnn::test::plugins(), unbroken, run_info(30, monitoring, "plateau:2:0.5"),
                         {});
  REQUIRE(whole.train(
      train_rows(), {},
      {.on_batch = {}, .on_epoch = [&](const fnn::EpochSummary& e) { epochs.push_back(e); }}));
  REQUIRE(epochs.size() == 30);
  // Replayed on the reported losses, the decision gives the rate each epoch trained at.
  fnn::MonitorState replay;
  const auto schedule = fnn::LearningRateSchedule::parse("plateau:2:0.5");
  std::size_t reductions = 0;
  for (const fnn::EpochSummary& e : epochs) {
    INFO("epoch " << e.training.epoch);
    CHECK(e.training.learning_rate == 0.1 * replay.rate_factor);
    reductions +=
        fnn::observe(monitoring, schedule, 0.1, replay, e.training.epoch, e.training.train_loss)
            .reduced;
  }
  CHECK(reductions >= 2);
  CHECK(whole.monitor_state().rate_factor == replay.rate_factor);
  CHECK(whole.monitor_state().best_epoch == replay.best_epoch);

  // Interrupted inside epoch 12 and continued: the same weights and rate factor.
  fnn::Network first = classifier();
  fnn::StopRequest stop;
  fnn::RunOptions options;
  options.checkpoints.file = directory.path() / "run.checkpoint";
  options.stop = &stop;
  fnn::TrainingRun interrupted(fnn::test::plugins(), first,
                               run_info(30, monitoring, "plateau:2:0.5"), options);
  REQUIRE_FALSE(interrupted.train(train_rows(), {},
                                  {.on_batch =
                                       [&](const fnn::BatchReport& b) {
                                         if (b.epoch == 12 && b.batch == 1) stop.request();
                                       },
                                   .on_epoch = {}}));
  fnn::LoadedModel checkpoint = fnn::load_model(options.checkpoints.file, fnn::test::plugins());
  fnn::TrainingRun continued(fnn::test::plugins(), checkpoint.network, checkpoint.info, {});
  REQUIRE(continued.train(train_rows(), {}));
  CHECK(same_bits(checkpoint.network.parameters(), unbroken.parameters()));
  CHECK(continued.monitor_state().rate_factor == whole.monitor_state().rate_factor);
}

TEST_CASE("a TrainingRun refuses watching what it cannot", "[stopping][run]") {
  fnn::Network network = classifier();
  CHECK_THAT(error_message([&] {
               fnn::TrainingRun(fnn::test::plugins(), network,
                                run_info(5, std::nullopt, "plateau:2:0.5"), {});
             }),
             Contains("watches a value"));
  fnn::ModelInfo values = run_info(5, stopping(Monitor::validation_accuracy, 2));
  values.layout.classes = 0;
  CHECK_THAT(error_message([&] { fnn::TrainingRun(fnn::test::plugins(), network, values, {}); }),
             Contains("monitoring val_accuracy needs class targets"));
  fnn::TrainingRun run(fnn::test::plugins(), network,
                       run_info(5, stopping(Monitor::validation_loss, 2)), {});
  CHECK_THAT(error_message([&] { run.train(train_rows(), {}); }),
             Contains("monitoring val_loss needs validation data"));
  CHECK(run.epochs_done() == 0);
}

TEST_CASE("RunOptions::training_accuracy reports each epoch's accuracy on the training rows",
          "[stopping][run]") {
  fnn::Network network = classifier();
  fnn::RunOptions options;
  options.training_accuracy = true;
  fnn::TrainingRun run(fnn::test::plugins(), network, run_info(3, std::nullopt), options);
  std::vector<double> reported;
  std::vector<double> evaluated;
  fnn::RunCallbacks callbacks;
  callbacks.on_epoch = [&](const fnn::EpochSummary& summary) {
    REQUIRE(summary.training_accuracy.has_value());
    reported.push_back(*summary.training_accuracy);
    evaluated.push_back(*fnn::evaluate(network, run.loss(), train_rows(), true).accuracy);
  };
  REQUIRE(run.train(train_rows(), {}, callbacks));
  CHECK(reported.size() == 3);
  CHECK(reported == evaluated);
  // The pass over the training rows changes nothing in the run itself.
  CHECK(same_bits(network.parameters(), plain_run(3)));

  fnn::ModelInfo values = run_info(3, std::nullopt);
  values.layout.classes = 0;
  CHECK_THAT(
      error_message([&] { fnn::TrainingRun(fnn::test::plugins(), network, values, options); }),
      Contains("training accuracy needs class targets"));
}

TEST_CASE(
    "the metrics file has learning_rate, best_epoch and train_accuracy; an older file is "
    "continued with them",
    "[stopping][metrics]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "metrics.csv";
  const std::string header =
      "epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,best_epoch,"
      "train_accuracy\n";
  fnn::EpochSummary summary;
  summary.training = {
      .epoch = 3, .train_loss = 0.375, .seconds = 0.5, .learning_rate = 0.25, .interrupted = false};
  summary.best_epoch = 2;
  summary.training_accuracy = 0.75;
  // Files of the two earlier headers: their kept rows get empty values for the newer columns.
  fnn::write_file_atomically(file,
                             "epoch,train_loss,validation_loss,validation_accuracy,seconds\n"
                             "1,0.5,,,0.1\n2,0.25,,,0.1\n3,0.125,,,0.1\n");
  fnn::MetricsLog(file, 2).add(summary);
  CHECK(read_file(file) == header + "1,0.5,,,0.1,,,\n2,0.25,,,0.1,,,\n3,0.375,,,0.5,0.25,2,0.75\n");
  fnn::write_file_atomically(
      file,
      "epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,best_epoch\n"
      "1,0.5,,,0.1,0.25,1\n2,0.25,,,0.1,0.25,2\n3,0.125,,,0.1,0.25,2\n");
  fnn::MetricsLog(file, 2).add(summary);
  CHECK(read_file(file) ==
        header + "1,0.5,,,0.1,0.25,1,\n2,0.25,,,0.1,0.25,2,\n3,0.375,,,0.5,0.25,2,0.75\n");
  {
    fnn::MetricsLog log(file, 1);  // a file it wrote itself is cut as before
  }
  CHECK(read_file(file) == header + "1,0.5,,,0.1,0.25,1,\n");
  const auto json = directory.path() / "metrics.jsonl";
  {
    fnn::MetricsLog log(json, 0);
    summary.training.epoch = 1;
    log.add(summary);
    summary.training_accuracy.reset();
    summary.training.epoch = 2;
    log.add(summary);
  }
  CHECK_THAT(read_file(json),
             Contains(",\"learning_rate\":0.25,\"best_epoch\":2,\"train_accuracy\":0.75}\n") &&
                 Contains("\"best_epoch\":2,\"train_accuracy\":null}\n"));
}

TEST_CASE("the monitoring state survives the model file", "[stopping][model]") {
  const fnn::test::TemporaryDirectory directory;
  const fnn::Network network = classifier();
  fnn::ModelInfo info =
      run_info(9, stopping(Monitor::training_accuracy, 3, 0.125, 2), "plateau:2:0.5");
  fnn::MonitorState& state = info.training->monitor_state;
  state = {.best = 0.1 + 0.2,
           .best_epoch = 4,
           .wait = 2,
           .plateau_wait = 1,
           .rate_factor = 0.25,
           .stopped_epoch = 0};
  info.training->best_parameters.assign(network.parameters().size(), 0.5F);
  fnn::save_model(directory.path() / "m.fnn", network, info);
  const fnn::LoadedModel loaded = fnn::load_model(directory.path() / "m.fnn", fnn::test::plugins());
  const fnn::TrainingState& read = *loaded.info.training;
  REQUIRE(read.monitoring);
  CHECK(read.monitoring->monitor == Monitor::training_accuracy);
  CHECK(read.monitoring->patience == 3);
  CHECK(read.monitoring->min_delta == 0.125);
  CHECK(read.monitoring->start_from_epoch == 2);
  CHECK(read.monitor_state.best == 0.1 + 0.2);  // exactly
  CHECK(read.monitor_state.best_epoch == 4);
  CHECK(read.monitor_state.wait == 2);
  CHECK(read.monitor_state.plateau_wait == 1);
  CHECK(read.monitor_state.rate_factor == 0.25);
  CHECK(read.best_parameters == info.training->best_parameters);
  CHECK(read.latest_parameters.empty());
  // Best weights of another size are refused on saving.
  info.training->best_parameters.pop_back();
  CHECK_THAT(error_message([&] { fnn::save_model(directory.path() / "bad.fnn", network, info); }),
             Contains("best or latest parameters"));
}
