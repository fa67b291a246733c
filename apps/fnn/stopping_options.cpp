#include "stopping_options.hpp"

#include <cstdio>

#include "command_line.hpp"
#include "component_options.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

namespace {

constexpr const char* watching_options[] = {"monitor", "min-delta", "start-from-epoch"};

bool given(const po::variables_map& values, const std::string& name) {
  return values.count(name) > 0 && !values[name].defaulted();
}

bool validation_given(const po::variables_map& values) {
  return given(values, "validation") || given(values, "folds") ||
         (values.count("validation-split") && values["validation-split"].as<double>() > 0.0);
}

void check_one_validation(const po::variables_map& values) {
  if (given(values, "validation") && values["validation-split"].as<double>() > 0.0) {
    throw UsageError(
        "fnn train: --validation and --validation-split both give validation "
        "data; keep one");
  }
}

void check_validation(const po::variables_map& values, Monitor monitor) {
  if (needs_validation(monitor) && !validation_given(values)) {
    throw UsageError("fnn train: monitoring " + monitor_name(monitor) +
                     " needs validation data: give --validation-split FRACTION, --validation "
                     "FILE or --folds K --fold k, or monitor loss or accuracy (the training values)");
  }
}

// "0.0831": four significant digits, enough to tell values apart in a sentence.
std::string short_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

po::options_description stopping_options() {
  po::options_description options("Early stopping");
  // clang-format off
  options.add_options()
      ("early-stopping", po::value<long long>()->value_name("PATIENCE"),
       "stop when the monitored value has not improved for PATIENCE epochs; whatever ends the "
       "run (patience, --epochs, Ctrl-C), the weights of the best epoch are restored and --save "
       "writes them (the checkpoint keeps the latest)")
      ("monitor", po::value<std::string>()->value_name("VALUE")->default_value("val_loss"),
       "what early stopping and --schedule plateau watch: val_loss, val_accuracy (with "
       "--validation-split or --validation), loss (the epoch's mean training loss) or accuracy "
       "(the training rows evaluated after each epoch); losses must fall, accuracies rise")
      ("min-delta", po::value<double>()->value_name("X")->default_value(0.0),
       "an improvement must be by more than X (X >= 0)")
      ("start-from-epoch", po::value<long long>()->value_name("N")->default_value(0),
       "do not watch epochs 1..N (warm-up)");
  // clang-format on
  return options;
}

std::optional<Monitoring> monitoring_from_options(const po::variables_map& values,
                                                  const LearningRateSchedule& schedule) {
  check_one_validation(values);
  const bool stopping = values.count("early-stopping") > 0;
  const bool plateau = schedule.kind == LearningRateSchedule::Kind::plateau;
  if (!stopping && !plateau) {
    for (const char* name : watching_options) {
      if (given(values, name)) {
        throw UsageError(std::string("fnn train: --") + name +
                         " needs --early-stopping PATIENCE or --schedule plateau:P:F, which "
                         "watch a value");
      }
    }
    return std::nullopt;
  }
  Monitoring monitoring;
  monitoring.monitor =
      from_options("--monitor", [&] { return parse_monitor(values["monitor"].as<std::string>()); });
  if (stopping) monitoring.patience = at_least(values, "early-stopping", 1);
  monitoring.min_delta = values["min-delta"].as<double>();
  if (!(monitoring.min_delta >= 0.0) || monitoring.min_delta > 1e300) {
    throw UsageError("--min-delta must be a number of at least 0, got " +
                     to_text(monitoring.min_delta));
  }
  monitoring.start_from_epoch = at_least(values, "start-from-epoch", 0);
  check_validation(values, monitoring.monitor);
  return monitoring;
}

const std::vector<std::string>& watching_option_names() {
  static const std::vector<std::string> names(std::begin(watching_options),
                                              std::end(watching_options));
  return names;
}

const std::vector<std::string>& stopping_option_names() {
  static const std::vector<std::string> names{"early-stopping", "monitor", "min-delta",
                                              "start-from-epoch"};
  return names;
}

void check_resumed_monitoring(const po::variables_map& values,
                              const std::optional<Monitoring>& saved,
                              const std::string& saved_schedule) {
  check_one_validation(values);
  for (const std::string& name : stopping_option_names()) {
    if (given(values, name)) {
      throw UsageError("fnn train: --" + name +
                       " cannot be combined with --resume: early stopping continues as the "
                       "model file says");
    }
  }
  const auto is_plateau = [](const std::string& text) { return text.starts_with("plateau:"); };
  const std::string schedule = values["schedule"].as<std::string>();
  if (given(values, "schedule") && schedule != saved_schedule &&
      (is_plateau(schedule) || is_plateau(saved_schedule))) {
    throw UsageError("fnn train: --schedule " + schedule + " cannot replace the schedule '" +
                     saved_schedule +
                     "' on --resume: a plateau schedule's state belongs to the "
                     "run that started it");
  }
  if (saved) check_validation(values, saved->monitor);
}

void check_monitored_classes(const std::optional<Monitoring>& monitoring, bool classes) {
  if (monitoring && needs_classes(monitoring->monitor) && !classes) {
    throw UsageError("fnn train: --monitor " + monitor_name(monitoring->monitor) +
                     " needs class targets: give --classes (IDX data has them), or monitor a "
                     "loss");
  }
}

std::string stopping_report(const std::optional<Monitoring>& monitoring,
                            const MonitorState& state) {
  if (!monitoring || monitoring->patience == 0) return {};
  const std::string name = monitor_name(monitoring->monitor);
  if (state.best_epoch == 0) {
    return "early stopping: no epoch after --start-from-epoch " +
           std::to_string(monitoring->start_from_epoch) + " set a best " + name +
           "; kept the latest weights";
  }
  const std::string best = std::to_string(state.best_epoch);
  if (state.stopped_epoch > 0) {
    return "early stopping at epoch " + std::to_string(state.stopped_epoch) + ": " + name +
           " has not improved on " + short_number(state.best.value_or(0.0)) + " (epoch " + best +
           ") for " + std::to_string(state.wait) + " epochs; restored the weights of epoch " + best;
  }
  return "best " + name + " " + short_number(state.best.value_or(0.0)) + " in epoch " + best +
         "; restored the weights of epoch " + best;
}

}  // namespace fnn::cli
