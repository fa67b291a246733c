#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fnn/network_spec.hpp>
#include <fnn/scaler.hpp>
#include <fnn/trainer.hpp>
#include <string>
#include <vector>

#include "component_options.hpp"
#include "data_source.hpp"

namespace fnn::cli {

/// Everything `fnn train --save` (and each --checkpoint) keeps of a run, so that eval, predict and
/// --resume can rebuild it: the network, its weights, how data was read and scaled, and where
/// training stood, to the batch.
struct SavedModel {
  NetworkSpec network;
  std::vector<float> parameters;
  ComponentChoice loss;
  ComponentChoice optimizer;  ///< its options include the learning rate it started from
  std::vector<float> optimizer_state;
  std::string schedule = "constant";  ///< LearningRateSchedule text
  /// The --epochs that the schedule spans (metadata "total_epochs"; 0 in older files).
  std::size_t total_epochs = 0;
  ComponentChoice init;
  DataLayout layout;
  Scaler scaler;
  /// Metadata "epochs_done", "shuffle_state" (the generator as the next or current epoch
  /// begins) and, inside an epoch only, "batches_done" and "epoch_loss_sum"; files from before
  /// batch checkpoints lack those two and stand at an epoch boundary.
  TrainingPosition position;
  std::size_t batch_size = 0;
  std::uint64_t seed = 0;
};

/// Atomic write of a model file (safetensors; see fnn/model_file.hpp).
void save(const std::filesystem::path& file, const SavedModel& model);

/// Reads a model file written by `save`; DataError naming the file and the missing or bad entry.
SavedModel load(const std::filesystem::path& file);

}  // namespace fnn::cli
