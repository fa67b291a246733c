#pragma once
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

/// The columns of a metrics file, in order: epoch, train_loss, validation_loss,
/// validation_accuracy, seconds, learning_rate, best_epoch, train_accuracy.
FNN_API const std::vector<std::string>& metrics_columns();

/// The --metrics file: one record per epoch with metrics_columns(), as JSON lines when the name
/// ends in .jsonl or .json, as CSV with a header line otherwise; readers find the columns by name
/// (later versions may append more). Missing values are empty (CSV) or null (JSON). Each epoch
/// appends its line and flushes it; `sync` makes the file durable (at checkpoints and at the end
/// of a run).
class FNN_API MetricsLog {
 public:
  /// Opens `file` to continue a run that stands after epoch `resumed_after` (0 for a new run): an
  /// existing regular file keeps its header and its rows of epochs 1..resumed_after, in order;
  /// everything after them (later epochs, a half-written last line) is cut off. A new or
  /// emptied file gets the header; a CSV file with the header of an earlier fnn (before
  /// learning_rate, best_epoch or train_accuracy) is rewritten with the current one, its kept rows
  /// with the newer columns empty. Devices, FIFOs and /dev/stdout are written as they are. DataError naming the file when it cannot be
  /// read or written.
  MetricsLog(std::filesystem::path file, std::size_t resumed_after);
  void add(const EpochSummary& summary);
  /// fsync: the rows written so far survive a crash of the machine.
  void sync();

 private:
  void write(const std::string& text);
  void upgrade(const std::string& kept, std::size_t old_header_length, const std::string& filler);
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path file_;
  bool json_lines_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream_{nullptr, std::fclose};
};

}  // namespace fnn
