#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "progress.hpp"

namespace fnn::cli {

/// The --metrics file: one record per epoch (epoch, train_loss, validation_loss,
/// validation_accuracy, seconds), as JSON lines when the name ends in .jsonl or .json, as CSV
/// otherwise. The whole file is rewritten atomically after every epoch, so it is never
/// half-written and always holds every finished epoch.
class MetricsLog {
 public:
  explicit MetricsLog(std::filesystem::path file);
  void add(const EpochSummary& summary);

 private:
  std::filesystem::path file_;
  bool json_lines_;
  std::string text_;
};

}  // namespace fnn::cli
