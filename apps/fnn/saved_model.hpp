#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fnn/network_spec.hpp>
#include <fnn/scaler.hpp>
#include <string>
#include <vector>

#include "component_options.hpp"
#include "data_source.hpp"

namespace fnn::cli {

/// Everything `fnn train --save` keeps of a run, so that eval, predict and --resume can rebuild
/// it: the network, its weights, how data was read and scaled, and where training stood.
struct SavedModel {
  NetworkSpec network;
  std::vector<float> parameters;
  ComponentChoice loss;
  ComponentChoice optimizer;  ///< its options include the learning rate it started from
  std::vector<float> optimizer_state;
  std::string schedule = "constant";  ///< LearningRateSchedule text
  ComponentChoice init;
  DataLayout layout;
  Scaler scaler;
  std::size_t epochs_done = 0;
  std::size_t batch_size = 0;
  std::uint64_t seed = 0;
  std::string shuffle_state;
};

/// Atomic write of a model file (safetensors; see fnn/model_file.hpp).
void save(const std::filesystem::path& file, const SavedModel& model);

/// Reads a model file written by `save`; DataError naming the file and the missing or bad entry.
SavedModel load(const std::filesystem::path& file);

}  // namespace fnn::cli
