#include "metrics_log.hpp"

#include <fnn/atomic_file.hpp>
#include <optional>

#include "command_line.hpp"

namespace fnn::cli {

namespace {

std::string optional_number(const std::optional<double>& value, const char* missing) {
  return value ? to_text(*value) : missing;
}

}  // namespace

MetricsLog::MetricsLog(std::filesystem::path file) : file_(std::move(file)) {
  const std::string extension = file_.extension().string();
  json_lines_ = extension == ".jsonl" || extension == ".json";
  if (!json_lines_) text_ = "epoch,train_loss,validation_loss,validation_accuracy,seconds\n";
}

void MetricsLog::add(const EpochSummary& summary) {
  const EpochReport& epoch = summary.training;
  if (json_lines_) {
    text_ += "{\"epoch\":" + std::to_string(epoch.epoch) +
             ",\"train_loss\":" + to_text(epoch.train_loss) +
             ",\"validation_loss\":" + optional_number(summary.validation_loss, "null") +
             ",\"validation_accuracy\":" + optional_number(summary.validation_accuracy, "null") +
             ",\"seconds\":" + to_text(epoch.seconds) + "}\n";
  } else {
    text_ += std::to_string(epoch.epoch) + "," + to_text(epoch.train_loss) + "," +
             optional_number(summary.validation_loss, "") + "," +
             optional_number(summary.validation_accuracy, "") + "," + to_text(epoch.seconds) +
             "\n";
  }
  write_file_atomically(file_, text_);
}

}  // namespace fnn::cli
