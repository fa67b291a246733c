#pragma once
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "fnn/export.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

/// The --metrics file: one record per epoch (epoch, train_loss, validation_loss,
/// validation_accuracy, seconds), as JSON lines when the name ends in .jsonl or .json, as CSV
/// with a header line otherwise. Each epoch appends its line and flushes it; `sync` makes the
/// file durable (at checkpoints and at the end of a run).
class FNN_API MetricsLog {
 public:
  /// Opens `file` to continue a run that stands after epoch `resumed_after` (0 for a new run): an
  /// existing regular file keeps its header and its rows of epochs 1..resumed_after, in order;
  /// everything after them (later epochs, a half-written last line) is cut off. A new or
  /// emptied file gets the header. Devices, FIFOs and /dev/stdout are written as they are.
  /// DataError naming the file when it cannot be read or written.
  MetricsLog(std::filesystem::path file, std::size_t resumed_after);
  void add(const EpochSummary& summary);
  /// fsync: the rows written so far survive a crash of the machine.
  void sync();

 private:
  void write(const std::string& text);
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path file_;
  bool json_lines_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream_{nullptr, std::fclose};
};

}  // namespace fnn
