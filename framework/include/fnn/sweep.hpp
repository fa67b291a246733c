#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/interrupt.hpp"

namespace fnn {

/// Sweeps: many training runs ("trials") of one base configuration with some options varied, each
/// in its own directory, J at a time, continued where they stopped when run again. `fnn sweep`
/// maps its options onto these; a host app can sweep its own runs with them too.
///
///     auto grid = grid_configurations({parse_grid_axis("learning-rate=0.05,0.1")});
///     auto trials = sweep_trials(grid.size(), 3, "runs/lr");   // 3 folds each
///     auto outcomes = run_trials(trials, 2, my_runner, &stop);   // 2 at once
///     auto rows = summarize(grid.size(), trials, outcomes);      // mean and std over folds

/// Option settings in order: ("learning-rate", "0.1"), ("layers", "dense:units=64 relu ...").
using SweepConfiguration = std::vector<std::pair<std::string, std::string>>;

/// A numeric range a random sweep draws from.
struct SweepRange {
  enum class Kind {
    uniform,      ///< "LOW:HIGH": uniform in [LOW, HIGH)
    log_uniform,  ///< "log:LOW:HIGH": log-uniform in [LOW, HIGH), 0 < LOW
    integer,      ///< "int:LOW:HIGH": a whole number in [LOW, HIGH], both ends included
  };
  Kind kind = Kind::uniform;
  double low = 0.0;
  double high = 0.0;
};

/// One swept option: a list of values (a grid axis; a random sweep picks one of them) or a range.
struct SweepParameter {
  std::string name;
  std::vector<std::string> values;  ///< empty when `range` is set
  std::optional<SweepRange> range;
};

/// "NAME=V1,V2,..." → a grid axis. Values are split at commas, except a comma followed by
/// `KEY=` (it continues a component's options: "optimizer=sgd:momentum=0.9,nesterov=true,adam"
/// is two values), and a value in double quotes is taken whole ("layers=\"a,b\",c").
/// SpecError quoting `text` for a missing name or '=', an empty value or an unclosed quote.
FNN_API SweepParameter parse_grid_axis(const std::string& text);

/// "NAME=log:1e-4:1e-1", "NAME=0:0.5" or "NAME=int:16:256" → a range parameter. SpecError quoting
/// `text` for anything else: bounds that are not finite numbers, LOW ≥ HIGH (LOW > HIGH for int),
/// a log range with LOW ≤ 0, int bounds that are not whole numbers.
FNN_API SweepParameter parse_sweep_range(const std::string& text);

/// Every combination of the axes' values, as nested loops in the order given: the first axis
/// varies slowest, the last fastest ({a=1,2} × {b=x,y} → a1 bx, a1 by, a2 bx, a2 by). No axes:
/// one empty configuration. SpecError when an axis has a range, or when the count overflows.
FNN_API std::vector<SweepConfiguration> grid_configurations(
    const std::vector<SweepParameter>& axes);

/// `count` configurations drawn from `seed`: for each configuration, for each parameter in
/// order, a value from its range or one of its values (uniformly). The same seed and
/// parameters give the same configurations on every machine (fnn::Rng). Numbers are written
/// as the shortest text that reads back the same (to_text); integers without a decimal point.
FNN_API std::vector<SweepConfiguration> random_configurations(
    const std::vector<SweepParameter>& parameters, std::size_t count, std::uint64_t seed);

/// The fold (0-based, below `folds`) of each of `rows` rows for K-fold cross-validation, fixed by
/// `seed`. With `classes` (one class index per row) the assignment is stratified: every class
/// is spread over the folds as evenly as it can be (counts within ±1). Either way every fold
/// holds rows/folds rows, ±1. SpecError when folds < 2, folds > rows, or `classes` is neither
/// empty nor `rows` long.
FNN_API std::vector<std::size_t> fold_of_rows(std::size_t rows, std::size_t folds,
                                              std::uint64_t seed,
                                              std::span<const std::size_t> classes = {});

/// One run of a sweep: configuration `configuration` (an index) on fold `fold` of the folds
/// (1-based; 0 without cross-validation), in its own directory.
struct SweepTrial {
  std::size_t configuration = 0;
  std::size_t fold = 0;
  std::filesystem::path directory;
};

/// The trials of `configurations` configurations with `folds` folds each (0 or 1: none), in
/// order: configuration by configuration, fold by fold. Directories under `out`: "c01" (the
/// number 1-based, zero-padded to the width of the count), with folds "c01/fold-1".
FNN_API std::vector<SweepTrial> sweep_trials(std::size_t configurations, std::size_t folds,
                                             const std::filesystem::path& out);

/// What a finished trial measured: the values of one epoch (by column name, in the metrics
/// file's order: train_loss, validation_loss, ...), the epochs it trained and its total time.
struct TrialResult {
  std::vector<std::pair<std::string, double>> metrics;
  std::size_t epochs = 0;
  double seconds = 0.0;
};

/// Reads a metrics file (fnn/metrics_table.hpp): the row of the epoch in its `best_epoch` column
/// when that column is there and not empty on the last row, else the last row, every column but
/// epoch and seconds that has a value there. `epochs` is the last row's epoch, `seconds` the sum
/// of the seconds column. DataError as read_metrics_table, or for a best_epoch without its row.
FNN_API TrialResult read_trial_metrics(const std::filesystem::path& file);

/// How a trial's run ended.
struct TrialOutcome {
  enum class Status { finished, failed, stopped };
  Status status = Status::finished;
  TrialResult result;  ///< when finished
  std::string error;   ///< when failed: why, for a person
};

/// Runs one trial to its end, or until `stop` is requested (then it stops the run so that it can
/// continue later, and returns `stopped`). It continues a trial interrupted before (its directory
/// holds what the last run left). Called from several threads at once for jobs > 1.
using TrialRunner = std::function<TrialOutcome(const SweepTrial&, const StopRequest&)>;

/// What run_trials reports as it goes; called one at a time (under a lock), from worker threads.
struct SweepEvents {
  std::function<void(const SweepTrial&)> on_start;
  std::function<void(const SweepTrial&, const TrialOutcome&)> on_end;
};

/// The file in a trial's directory that marks it finished and holds its result ("result.ini");
/// written atomically after the run, so a trial that has it is complete.
FNN_API std::filesystem::path result_file(const SweepTrial& trial);

/// The result of a trial finished before, read from its result_file; nullopt when it has none.
/// DataError naming the file when it is not one run_trials wrote.
FNN_API std::optional<TrialResult> finished_result(const SweepTrial& trial);

/// The text of a trial's result_file, and back (the same result, every bit of every number): a
/// result sent from the process that ran the trial to the one that summarises (fnn sweep across
/// ranks). DataError naming `where` (a file, or who sent it) when `text` is not such a result.
FNN_API std::string trial_result_text(const TrialResult& result);
FNN_API TrialResult parse_trial_result(const std::string& text, const std::string& where);

/// Each trial's outcome from an earlier run of the sweep: finished, with the result its
/// result_file holds, or nullopt. DataError as finished_result.
FNN_API std::vector<std::optional<TrialOutcome>> earlier_outcomes(
    const std::vector<SweepTrial>& trials);

/// Runs one trial through `runner` as run_trials does: a finished one's result is written to its
/// result_file, and a runner that throws fails the trial with the exception's message.
FNN_API TrialOutcome run_and_record(const SweepTrial& trial, const TrialRunner& runner,
                                    const StopRequest& stop);

/// Runs `trials`, `jobs` at a time (at least 1), in order of starting: a trial whose
/// result_file exists is not run again (its outcome is read from it); the others are given to
/// `runner`, and a finished one's result is written to its result_file. Once `stop` (may be
/// null) is requested no trial starts; running ones are asked to stop through the runner's
/// StopRequest. Returns each trial's outcome, nullopt for those never started. A runner that
/// throws fails its trial with the exception's message. The runner and the events get
/// references to the elements of `trials` themselves (their index is `&trial - trials.data()`).
FNN_API std::vector<std::optional<TrialOutcome>> run_trials(const std::vector<SweepTrial>& trials,
                                                            std::size_t jobs,
                                                            const TrialRunner& runner,
                                                            const StopRequest* stop,
                                                            const SweepEvents& events = {});

/// Mean and standard deviation (population: over the folds themselves, as scikit-learn's
/// cross_validate scores are reported) of one measure.
struct SweepStatistic {
  std::string name;
  double mean = 0.0;
  double std = 0.0;
};

/// One configuration's trials, summarised over its finished folds.
struct ConfigurationSummary {
  std::size_t trials = 0;  ///< finished
  std::size_t failed = 0;
  std::vector<SweepStatistic> metrics;  ///< in the order the metrics files name them
  SweepStatistic epochs{"epochs"};
  SweepStatistic seconds{"seconds"};
};

/// For each of `configurations` configurations, its trials' finished results summarised.
FNN_API std::vector<ConfigurationSummary> summarize(
    std::size_t configurations, const std::vector<SweepTrial>& trials,
    const std::vector<std::optional<TrialOutcome>>& outcomes);

/// The metrics-file column a monitor names and whether lower is better: val_loss →
/// validation_loss (lower), val_accuracy → validation_accuracy (higher), loss → train_loss
/// (lower), accuracy → train_accuracy (higher). SpecError listing the four otherwise.
FNN_API std::pair<std::string, bool> monitored_column(const std::string& monitor);

/// The configuration whose mean of `monitor`'s column is best, among those with every trial
/// finished and the column present; nullopt when there is none.
FNN_API std::optional<std::size_t> best_configuration(
    const std::vector<ConfigurationSummary>& summaries, const std::string& monitor);

/// summary.csv's text: a header, then one row per configuration: its number, the swept values
/// (one column per swept option, CSV-quoted where needed), trials, failed, NAME_mean and
/// NAME_std for every metric any configuration has (empty where it has none), epochs_mean,
/// epochs_std, and last seconds_mean, seconds_std (the only columns that differ between two runs
/// of the same sweep).
FNN_API std::string summary_csv(const std::vector<SweepConfiguration>& configurations,
                                const std::vector<ConfigurationSummary>& summaries);

/// `base` with each of `changes` in place of the base's setting of that name (the first one), or
/// after the base's settings when it has none.
FNN_API SweepConfiguration with_settings(SweepConfiguration base,
                                         const SweepConfiguration& changes);

/// INI text for `fnn train --config`: a `key = value` line per setting, in order (a repeated key,
/// such as plugin-dir, stays repeated).
FNN_API std::string ini_text(const SweepConfiguration& settings);

}  // namespace fnn
