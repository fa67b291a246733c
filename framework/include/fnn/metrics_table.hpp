#pragma once
// A metrics file read back: what fnn::MetricsLog (fnn/metrics_log.hpp) writes, for fnn plot,
// fnn sweep and host apps that compare runs.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fnn/export.hpp"

namespace fnn {

/// The epochs of a metrics file, and its other columns in the file's order, one value per epoch
/// (NaN where a row leaves it empty, or null in JSON lines).
struct MetricsTable {
  std::vector<double> epochs;
  std::vector<std::pair<std::string, std::vector<double>>> columns;
  /// Why the file's last line was left out, for a warning; empty when nothing was.
  std::string left_out;

  /// The column's values, or nullptr when the file does not have it.
  FNN_API const std::vector<double>* column(const std::string& name) const;
};

/// Reads a CSV file with a header line or, for names ending in .jsonl or .json, JSON lines.
/// Columns are found by name; `epoch` is required, whole and increasing; every other column
/// holds numbers (in JSON lines, text under a name that is not one of fnn::metrics_columns() is
/// an annotation and left out). A last line without its newline that does not parse (a run writing it now) is
/// left out (MetricsTable::left_out says so). DataError naming the file and line otherwise: a
/// value that is not a number, a row with the wrong number of fields, no epochs at all.
FNN_API MetricsTable read_metrics_table(const std::filesystem::path& file);

}  // namespace fnn
