#pragma once
// Saving and loading a whole model: the one file format that `fnn train --save`, checkpoints,
// `fnn eval`, `fnn predict`, `fnn train --resume` and host apps all share.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fnn/data_source.hpp"
#include "fnn/early_stopping.hpp"
#include "fnn/export.hpp"
#include "fnn/model_file.hpp"
#include "fnn/network.hpp"
#include "fnn/network_spec.hpp"
#include "fnn/scaler.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

class Registry;

/// How a model was being trained and where that stands: what continuing the run exactly needs
/// (`fnn train --resume`, fnn::TrainingRun). A model without it can be evaluated and used for
/// prediction, and trained further only as a new run.
struct TrainingState {
  ComponentSpec optimizer{"sgd", {}};  ///< with the learning rate the run started from
  std::vector<float> optimizer_state;  ///< Optimizer::state(); empty for a run not yet begun
  std::string schedule = "constant";   ///< LearningRateSchedule text
  std::size_t total_epochs = 0;        ///< the epochs the run trains to (the schedule's span)
  ComponentSpec init{"glorot_uniform", {}};  ///< the initializer the run started from
  TrainingPosition position;           ///< epochs and batches done, the shuffle generator
  std::size_t batch_size = 32;
  std::size_t shards = 1;              ///< TrainingOptions::shards; 1 in files from before it
  std::uint64_t seed = 1;              ///< of initialisation, shuffling and the validation split
  /// What the run watches (early stopping, the plateau schedule); none: nothing.
  std::optional<Monitoring> monitoring;
  MonitorState monitor_state;  ///< where watching stands
  /// Early stopping's weights of monitor_state.best_epoch, while the network holds later ones (a
  /// checkpoint); empty when there is no best or the network holds it.
  std::vector<float> best_parameters;
  /// The weights the run stands at, when the network holds the restored best ones instead (a
  /// model saved at the end of a run with early stopping); empty: the network holds them.
  std::vector<float> latest_parameters;
};

/// Everything a model file holds besides the network and its parameters. Each field has the
/// default a file without it gets (docs/model-format.md lists every key).
struct ModelInfo {
  ComponentSpec loss{"mse", {}};  ///< what `fnn eval` reports and training minimises
  DataLayout layout;              ///< target columns, class count, column names
  Scaler scaler;                  ///< input scaling; none by default
  std::optional<TrainingState> training;
};

/// A model as loaded: the network, built through a registry, with its parameters, and the rest.
struct LoadedModel {
  Network network;
  ModelInfo info;
};

/// Writes `network` (its spec and parameters) with `info` as an fnn model file, atomically (see
/// fnn/model_file.hpp). The file opens in `fnn eval` and `fnn predict`, and with
/// `info.training`, in `fnn train --resume`. Throws SpecError when `info` does not fit the
/// network (a scaler or column names of another width, a class count that is not its output
/// width), TrainingError when a parameter or the optimizer state is not finite, DataError when
/// the file cannot be written.
FNN_API void save_model(const std::filesystem::path& file, const Network& network,
                        const ModelInfo& info = {});

/// Reads a model file and builds its network through `registry`. A key the file lacks takes its
/// documented default; when keys needed together are missing (the training state's), one
/// DataError names them all. Every error names the file: a damaged or foreign file, a component
/// no loaded plugin provides (naming the plugin to install), a parameter count or a scaler that
/// does not fit the network.
FNN_API LoadedModel load_model(const std::filesystem::path& file, const Registry& registry);

/// `load_model` on a model file's contents already read (read_model_file_bytes); `file` names
/// it in messages.
FNN_API LoadedModel load_model(const ModelFile& contents, const std::filesystem::path& file,
                               const Registry& registry);

}  // namespace fnn
