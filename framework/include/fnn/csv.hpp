#pragma once
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "fnn/dataset.hpp"
#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

/// A numeric CSV file: its header (empty when the file has none) and every value.
struct CsvTable {
  std::vector<std::string> header;
  Matrix values;
};

/// Reads a CSV file of numbers, separated by commas. The first line is a header when any of its
/// fields is not a number. Numbers are read with '.' as the decimal point whatever the locale;
/// quoted fields ("1.5") are accepted; blank lines at the end are ignored.
/// Throws DataError with file and line (and column) for: a missing or empty file, rows of
/// differing length (ragged), a field that is not a number, NaN or infinity.
FNN_API CsvTable read_csv(const std::filesystem::path& file);

/// `read_csv` on text already open (e.g. in memory); `name` stands for the file in messages.
/// Throws DataError as above, also for an empty stream.
FNN_API CsvTable read_csv(std::istream& in, const std::filesystem::path& name);

/// Column indices from names or 0-based indices, e.g. {"label"} or {"3", "4"}; an empty list
/// means the last column. Throws DataError naming the file for unknown names or indices out of
/// range (with the header's names listed).
FNN_API std::vector<std::size_t> resolve_columns(const CsvTable& table,
                                                 const std::vector<std::string>& columns,
                                                 const std::filesystem::path& file);

/// Splits a table into inputs (every other column, in order) and targets (the given columns).
FNN_API Dataset split_columns(const CsvTable& table, const std::vector<std::size_t>& targets);

/// Writes a matrix as CSV ('.' decimals, enough digits to read the same float back), with a
/// header line when `header` is not empty. The write is atomic: a temporary file in the same
/// directory, renamed over `file` only when complete. Throws DataError on I/O failure.
FNN_API void write_csv(const std::filesystem::path& file, ConstMatrixView values,
                       const std::vector<std::string>& header = {});

}  // namespace fnn
