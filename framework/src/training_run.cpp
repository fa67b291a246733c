#include "fnn/training_run.hpp"

#include <algorithm>
#include <numeric>
#include <tbb/task_arena.h>

#include "fnn/atomic_file.hpp"
#include "fnn/early_stopping.hpp"
#include "fnn/error.hpp"
#include "fnn/evaluation.hpp"
#include "fnn/metrics_log.hpp"
#include "fnn/names.hpp"
#include "fnn/random.hpp"
#include "fnn/registry.hpp"
#include "fnn/sample_source.hpp"
#include "fnn/schedule.hpp"
#include "fnn/sweep.hpp"

namespace fnn {

namespace {

const TrainingState& training_of(const ModelInfo& info) {
  if (!info.training) {
    throw SpecError("a training run needs the model's training state (ModelInfo::training): "
                    "its optimizer, epochs and batch size");
  }
  if (info.training->total_epochs == 0) {
    throw SpecError("a training run needs a total of at least 1 epoch (TrainingState::"
                    "total_epochs is 0)");
  }
  const TrainingState& training = *info.training;
  const bool plateau =
      LearningRateSchedule::parse(training.schedule).kind == LearningRateSchedule::Kind::plateau;
  if (plateau && !training.monitoring) {
    throw SpecError("the learning-rate schedule '" + training.schedule +
                    "' watches a value: the training state needs its monitoring "
                    "(TrainingState::monitoring, fnn/early_stopping.hpp)");
  }
  if (training.monitoring && needs_classes(training.monitoring->monitor) &&
      info.layout.classes == 0) {
    throw SpecError("monitoring " + monitor_name(training.monitoring->monitor) +
                    " needs class targets (the model has values, not classes)");
  }
  return training;
}

bool has_begun(const TrainingPosition& position) {
  return position.epochs_done > 0 || position.batches_done > 0;
}

}  // namespace

struct TrainingRun::State {
  State(const Registry& registry, Network& network_, ModelInfo info_, RunOptions options_)
      : network(network_),
        info(std::move(info_)),
        options(std::move(options_)),
        loss(registry.make_loss(info.loss.name, info.loss.options)),
        optimizer(registry.make_optimizer(training_of(info).optimizer.name,
                                          training_of(info).optimizer.options)),
        trainer(network, *loss, *optimizer,
                {.batch_size = training().batch_size,
                 .shards = training().shards,
                 .epochs = training().total_epochs,
                 .seed = training().seed,
                 .threads = options.threads,
                 .schedule = LearningRateSchedule::parse(training().schedule),
                 .stop = options.stop,
                 .exchange = options.exchange}) {}

  TrainingState& training() { return *info.training; }
  // Evaluation on the run's `threads`, like the trainer's batches, also where the caller allows
  // one thread more for the trainer's prefetching reader (fnn train --threads).
  Evaluation evaluate_in_arena(const SampleSource& data, bool classes) {
    Evaluation result;
    compute.execute([&] { result = fnn::evaluate(network, *loss, data, classes); });
    return result;
  }
  bool keeps_best() const {
    return info.training->monitoring && info.training->monitoring->patience > 0;
  }

  // The watched value of the epoch just trained; training accuracy costs a pass over `train`.
  double watched_value(Monitor monitor, EpochSummary& summary, const SampleSource& train) {
    switch (monitor) {
      case Monitor::validation_loss:
        return summary.validation_loss.value_or(0.0);
      case Monitor::validation_accuracy:
        return summary.validation_accuracy.value_or(0.0);
      case Monitor::training_loss:
        return summary.training.train_loss;
      case Monitor::training_accuracy:
        add_training_accuracy(summary, train);
        return summary.training_accuracy.value_or(0.0);
    }
    return 0.0;
  }

  void add_training_accuracy(EpochSummary& summary, const SampleSource& train) {
    if (!summary.training_accuracy) {
      summary.training_accuracy = evaluate_in_arena(train, true).accuracy;
    }
  }

  // Early stopping and the plateau schedule decide on the epoch just trained; true: stop.
  bool watch(EpochSummary& summary, const SampleSource& train) {
    TrainingState& t = training();
    const Monitoring& monitoring = *t.monitoring;
    const MonitorStep step =
        observe(monitoring, schedule, base_rate, t.monitor_state, summary.training.epoch,
                watched_value(monitoring.monitor, summary, train));
    if (step.improved && keeps_best()) {
      const std::span<const float> now = network.parameters();
      t.best_parameters.assign(now.begin(), now.end());
    }
    if (step.reduced) trainer.set_rate_factor(t.monitor_state.rate_factor);
    if (t.monitor_state.best_epoch > 0) summary.best_epoch = t.monitor_state.best_epoch;
    return step.stop;
  }

  // At the end of a run, whatever ended it: the network gets the best weights back, and the
  // training state keeps the latest, so that the run can still be continued exactly.
  void restore_best() {
    TrainingState& t = training();
    if (!keeps_best() || t.best_parameters.empty()) return;
    const std::span<const float> now = network.parameters();
    t.latest_parameters.assign(now.begin(), now.end());
    network.set_parameters(t.best_parameters);
    t.best_parameters.clear();
  }

  // Undoes restore_best (before training on, and as a resumed model file is opened).
  void return_to_latest() {
    TrainingState& t = training();
    if (t.latest_parameters.empty()) return;
    if (t.best_parameters.empty()) {
      const std::span<const float> best = network.parameters();
      t.best_parameters.assign(best.begin(), best.end());
    }
    network.set_parameters(t.latest_parameters);
    t.latest_parameters.clear();
  }

  // Weights that are no longer finite are never written.
  void check_finite() const {
    if (!all_finite(network.parameters()) || !all_finite(optimizer->state())) {
      throw TrainingError("training diverged by " + describe(trainer.position()) +
                          ": the weights are no longer finite; the learning rate is likely too "
                          "high for this data");
    }
  }

  // The model file of the run as it stands.
  ModelInfo snapshot() const {
    check_finite();
    const std::span<const float> state = optimizer->state();
    ModelInfo now = info;
    now.training->optimizer_state.assign(state.begin(), state.end());
    now.training->position = trainer.position();
    return now;
  }

  void write_checkpoint() {
    const ModelInfo now = snapshot();  // every participant checks, the first writes
    if (options.writes_files) save_model(options.checkpoints.file, network, now);
    checkpointed = trainer.position();
    if (metrics) metrics->sync();
  }

  bool checkpoint_due(std::size_t count) const {
    return options.checkpoints.every > 0 && count % options.checkpoints.every == 0;
  }

  Network& network;
  ModelInfo info;
  RunOptions options;
  std::shared_ptr<Loss> loss;
  std::shared_ptr<Optimizer> optimizer;
  Trainer trainer;
  tbb::task_arena compute{options.threads == 0 ? tbb::task_arena::automatic
                                               : static_cast<int>(options.threads)};
  LearningRateSchedule schedule = LearningRateSchedule::parse(training().schedule);
  double base_rate = optimizer->learning_rate();  // the rate the schedule scales
  std::optional<MetricsLog> metrics;
  std::optional<TrainingPosition> checkpointed;
};

TrainingRun::TrainingRun(const Registry& registry, Network& network, ModelInfo info,
                         RunOptions options)
    : state_(std::make_unique<State>(registry, network, std::move(info), std::move(options))) {
  TrainingState& training = state_->training();
  // The rate it starts from (its own default unless given), what a resumed run starts from too.
  training.optimizer.options.set("learning_rate", to_text(state_->optimizer->learning_rate()));
  if (!training.optimizer_state.empty()) {
    const std::span<float> state = state_->optimizer->state();
    if (state.size() != training.optimizer_state.size()) {
      throw SpecError("the optimizer state holds " +
                      std::to_string(training.optimizer_state.size()) + " values, " +
                      training.optimizer.name + " needs " + std::to_string(state.size()));
    }
    std::ranges::copy(training.optimizer_state, state.begin());
  }
  if (has_begun(training.position)) {
    if (training.position.epochs_done >= training.total_epochs) {
      throw TrainingError("the model has already been trained for " +
                          std::to_string(training.position.epochs_done) + " of its " +
                          std::to_string(training.total_epochs) + " epochs");
    }
    state_->trainer.resume(training.position);
  }
  if (training.monitor_state.stopped_epoch > 0) {
    throw TrainingError("early stopping ended this run at epoch " +
                        std::to_string(training.monitor_state.stopped_epoch) +
                        ": there is nothing to continue");
  }
  if (state_->options.training_accuracy && state_->info.layout.classes == 0) {
    throw SpecError("training accuracy needs class targets (the model has values, not classes)");
  }
  state_->return_to_latest();
  state_->trainer.set_rate_factor(training.monitor_state.rate_factor);
  if (!state_->options.metrics.empty() && state_->options.writes_files) {
    state_->metrics.emplace(state_->options.metrics, training.position.epochs_done);
  }
}

TrainingRun::~TrainingRun() = default;

void TrainingRun::reserve(std::size_t rows) { state_->trainer.reserve(rows); }

bool TrainingRun::train(const Dataset& train, const Dataset& validation,
                        const RunCallbacks& callbacks) {
  const MatrixSource validation_source(validation);
  return this->train(MatrixSource(train), &validation_source, callbacks);
}

bool TrainingRun::train(const SampleSource& train, const SampleSource* validation_data,
                        const RunCallbacks& callbacks) {
  State& s = *state_;
  const bool validates = validation_data != nullptr && validation_data->rows() > 0;
  const CheckpointPolicy& checkpoints = s.options.checkpoints;
  if (!checkpoints.file.empty() && s.options.writes_files) {
    remove_stale_temporaries(checkpoints.file);  // a killed run's
  }  // a killed run's
  const bool classes = s.info.layout.classes > 0;
  // The trainer's word: with other participants, the stop they agreed on after a batch.
  const auto stopped = [&] { return s.trainer.stop_requested(); };
  const auto on_batch = [&](const BatchReport& b) {
    if (callbacks.on_batch) callbacks.on_batch(b);
    // Numbered across epochs, so a resumed run checkpoints where an unbroken one does.
    if (checkpoints.batches && s.checkpoint_due((b.epoch - 1) * b.batches + b.batch)) {
      s.write_checkpoint();
    }
  };
  const std::size_t epochs = s.training().total_epochs;
  const std::optional<Monitoring>& monitoring = s.training().monitoring;
  if (monitoring && needs_validation(monitoring->monitor) && !validates) {
    throw SpecError("monitoring " + monitor_name(monitoring->monitor) +
                    " needs validation data, and this run has none");
  }
  if (s.training().monitor_state.stopped_epoch > 0) return true;  // nothing left to train
  s.return_to_latest();  // after an earlier train() restored the best weights
  bool patience_ran_out = false;
  try {
    while (s.trainer.epochs_done() < epochs && !stopped() && !patience_ran_out) {
      EpochSummary summary;
      summary.training = s.trainer.train_epoch(train, on_batch);
      if (summary.training.interrupted) break;
      if (validates) {
        const Evaluation checked = s.evaluate_in_arena(*validation_data, classes);
        summary.validation_loss = checked.loss;
        summary.validation_accuracy = checked.accuracy;
      }
      if (s.options.training_accuracy) s.add_training_accuracy(summary, train);
      if (monitoring) patience_ran_out = s.watch(summary, train);
      if (callbacks.on_epoch) callbacks.on_epoch(summary);
      if (s.metrics) s.metrics->add(summary);
      if (!checkpoints.batches && s.checkpoint_due(s.trainer.epochs_done())) s.write_checkpoint();
    }
    if (!patience_ran_out && stopped() && s.trainer.epochs_done() < epochs) {
      if (!checkpoints.file.empty()) s.write_checkpoint();
      s.restore_best();
      return false;
    }
    s.check_finite();
    s.restore_best();
    if (s.metrics) s.metrics->sync();
    return true;
  } catch (const TrainingError& error) {
    if (checkpoints.every == 0) throw;
    throw TrainingError(std::string(error.what()) +
                        (s.checkpointed ? "; the last checkpoint, " + checkpoints.file.string() +
                                              " (after " + describe(*s.checkpointed) +
                                              "), is kept: resume from it with a lower "
                                              "learning rate"
                                        : "; this run wrote no checkpoint"));
  }
}

ModelInfo TrainingRun::snapshot() const { return state_->snapshot(); }

void TrainingRun::save(const std::filesystem::path& file) const {
  save_model(file, state_->network, snapshot());
}

const Loss& TrainingRun::loss() const noexcept { return *state_->loss; }
Evaluation TrainingRun::evaluate(const SampleSource& data, bool classes) const {
  return state_->evaluate_in_arena(data, classes);
}
TrainingPosition TrainingRun::position() const { return state_->trainer.position(); }
std::size_t TrainingRun::epochs_done() const noexcept { return state_->trainer.epochs_done(); }
int TrainingRun::stop_signal() const noexcept { return state_->trainer.stop_signal(); }
std::optional<TrainingPosition> TrainingRun::last_checkpoint() const {
  return state_->checkpointed;
}
const MonitorState& TrainingRun::monitor_state() const noexcept {
  return state_->info.training->monitor_state;
}

std::string describe(const TrainingPosition& position) {
  if (position.batches_done > 0) {
    return "batch " + std::to_string(position.batches_done) + " of epoch " +
           std::to_string(position.epochs_done + 1);
  }
  return "epoch " + std::to_string(position.epochs_done);
}

RowSplit split_validation_rows(std::size_t rows, double fraction, std::uint64_t seed) {
  const auto held = static_cast<std::size_t>(static_cast<double>(rows) * fraction);
  if (held == 0) return {};  // no list of every row: it would be 8 bytes a row for nothing
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed ^ 0x5eed5eed5eed5eedULL);  // a stream of its own, apart from the shuffle's
  for (std::size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<std::size_t> validation(order.end() - static_cast<std::ptrdiff_t>(held), order.end());
  order.resize(rows - held);
  return {std::move(order), std::move(validation)};
}

Dataset split_validation(Dataset& data, double fraction, std::uint64_t seed) {
  const RowSplit split = split_validation_rows(data.inputs.rows(), fraction, seed);
  if (split.held.empty()) return {};
  const auto pick = [&](const std::vector<std::size_t>& rows) {
    Dataset part{Matrix(rows.size(), data.inputs.cols()), Matrix(rows.size(), data.targets.cols())};
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::ranges::copy(data.inputs.view().row(rows[r]), part.inputs.view().row(r).begin());
      std::ranges::copy(data.targets.view().row(rows[r]), part.targets.view().row(r).begin());
    }
    return part;
  };
  Dataset validation = pick(split.held);
  data = pick(split.kept);
  return validation;
}

Dataset split_fold(Dataset& data, std::size_t fold, std::size_t folds, std::uint64_t seed,
                   bool classes) {
  if (fold < 1 || fold > folds) {
    throw SpecError("fold " + std::to_string(fold) + " of " + std::to_string(folds) +
                    ": the fold must be from 1 to the number of folds");
  }
  const std::size_t rows = data.inputs.rows();
  std::vector<std::size_t> labels;
  if (classes) {
    for (std::size_t r = 0; r < rows; ++r) labels.push_back(arg_max(data.targets.view().row(r)));
  }
  const std::vector<std::size_t> of_row = fold_of_rows(rows, folds, seed, labels);
  const auto pick = [&](bool held) {
    const auto count = static_cast<std::size_t>(
        std::count_if(of_row.begin(), of_row.end(), [&](std::size_t f) { return (f == fold - 1) == held; }));
    Dataset part{Matrix(count, data.inputs.cols()), Matrix(count, data.targets.cols())};
    std::size_t to = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      if ((of_row[r] == fold - 1) != held) continue;
      std::ranges::copy(data.inputs.view().row(r), part.inputs.view().row(to).begin());
      std::ranges::copy(data.targets.view().row(r), part.targets.view().row(to).begin());
      ++to;
    }
    return part;
  };
  Dataset validation = pick(true);
  data = pick(false);
  return validation;
}

}  // namespace fnn
