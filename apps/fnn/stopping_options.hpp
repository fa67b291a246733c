#pragma once
// fnn train's options for early stopping and the plateau schedule, mapped onto fnn::Monitoring.
#include <boost/program_options.hpp>
#include <fnn/early_stopping.hpp>
#include <fnn/schedule.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fnn::cli {

/// --early-stopping, --monitor, --min-delta, --start-from-epoch, for `fnn train --help`.
boost::program_options::options_description stopping_options();

/// What a new run watches, from its options, checked before any file is read: UsageError for a
/// bad value, for --monitor/--min-delta/--start-from-epoch without --early-stopping or a plateau
/// schedule, and for a validation value watched without --validation-split or --validation.
/// None when nothing is watched.
std::optional<Monitoring> monitoring_from_options(
    const boost::program_options::variables_map& values, const LearningRateSchedule& schedule);

/// --monitor, --min-delta, --start-from-epoch: what is watched, meaningful only with
/// --early-stopping or a plateau schedule.
const std::vector<std::string>& watching_option_names();

/// The options above that a model file carries: fnn train refuses them with --resume.
const std::vector<std::string>& stopping_option_names();

/// A resumed run's watching comes from its model file: UsageError when these options are given
/// with --resume, when --schedule switches to or from a plateau schedule, or when the saved run
/// watches a validation value and no validation data is given.
void check_resumed_monitoring(const boost::program_options::variables_map& values,
                              const std::optional<Monitoring>& saved,
                              const std::string& saved_schedule);

/// UsageError, once the data layout is known, when accuracy is watched without class targets.
void check_monitored_classes(const std::optional<Monitoring>& monitoring, bool classes);

/// The line a finished run prints about early stopping ("early stopping at epoch 14: val_loss has
/// not improved on 0.0831 (epoch 9) for 5 epochs; restored the weights of epoch 9"), or "" when
/// the run has none.
std::string stopping_report(const std::optional<Monitoring>& monitoring, const MonitorState& state);

}  // namespace fnn::cli
