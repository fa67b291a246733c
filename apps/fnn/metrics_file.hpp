#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fnn::cli {

/// A metrics file as `fnn train --metrics` writes it (fnn/metrics_log.hpp), read back: the
/// epochs, and the known numeric columns that the file has, one value per epoch (NaN where a row
/// leaves it empty or null).
struct MetricsTable {
  std::vector<double> epochs;
  std::map<std::string, std::vector<double>> columns;

  /// The column's values, or nullptr when the file does not have it.
  const std::vector<double>* column(const std::string& name) const;
};

/// The columns read: epoch, train_loss, validation_loss, validation_accuracy, seconds,
/// learning_rate, best_epoch. Others are ignored, whatever they hold.
const std::vector<std::string>& known_metrics_columns();

/// Reads a CSV file with a header line or, for names ending in .jsonl or .json, JSON lines.
/// Columns are found by name; `epoch` is required, whole and increasing. A last line without
/// its newline that does not parse (a run writing it now) is left out with a warning on
/// stderr. DataError naming the file and line otherwise: a value that is not a number, a row
/// with the wrong number of fields, no epochs at all.
MetricsTable read_metrics_file(const std::filesystem::path& file);

}  // namespace fnn::cli
