#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <istream>
#include <span>
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

/// Bounds on what one CSV line and one field may hold, so that a file that is not CSV (or one
/// line of 100 MB) is refused with its line number instead of taking the machine's memory. No
/// sane data set comes near them: 16 MiB is a million columns of 15-character numbers (MNIST's
/// 785 columns take about 3 KB); 4 KiB is far beyond the longest number text (a float written
/// with every digit takes under 60 characters) and any sensible column name.
inline constexpr std::size_t max_csv_line_bytes = std::size_t{16} << 20;
inline constexpr std::size_t max_csv_field_bytes = std::size_t{4} << 10;

/// Reads a CSV file of numbers, separated by commas; the name "-" means standard input (called
/// "standard input" in messages; write ./- for a file named -). The first line is a header when
/// any of its fields is not a number. Numbers are read with '.' as the decimal point whatever the
/// locale; quoted fields ("1.5") are accepted; blank lines at the end are ignored.
/// Throws DataError with file and line (and column) for: a missing or empty file, rows of
/// differing length (ragged), a field that is not a number, NaN or infinity, a line or a field
/// over the limits above (found before the line is read whole). Bad values are quoted at most 60
/// characters long, with control characters and bytes that are not UTF-8 escaped (\r, \x1f).
FNN_API CsvTable read_csv(const std::filesystem::path& file);

/// `read_csv` on text already open (e.g. in memory); `name` stands for the file in messages.
/// Throws DataError as above, also for an empty stream.
FNN_API CsvTable read_csv(std::istream& in, const std::filesystem::path& name);

/// What `read_csv_rows` calls once, at the first line that is not blank: the header (empty when
/// the file has none) and the row width.
using CsvHeaderHandler =
    std::function<void(const std::vector<std::string>& header, std::size_t width)>;
/// What `read_csv_rows` calls for each row of numbers, with its line number (1-based).
using CsvRowHandler = std::function<void(std::span<const float> row, std::size_t line)>;

/// `read_csv` one row at a time: the same checks and messages, but each row is handed to
/// `on_row` as it is read and not kept, so that memory holds one line whatever the file's size.
/// A DataError thrown by a handler passes through unchanged.
FNN_API void read_csv_rows(const std::filesystem::path& file, const CsvHeaderHandler& on_header,
                           const CsvRowHandler& on_row);
FNN_API void read_csv_rows(std::istream& in, const std::filesystem::path& name,
                           const CsvHeaderHandler& on_header, const CsvRowHandler& on_row);

/// Column indices from names or 0-based indices, e.g. {"label"} or {"3", "4"}; an empty list
/// means the last column. Throws DataError naming the file for unknown names or indices out of
/// range (with the header's names listed).
FNN_API std::vector<std::size_t> resolve_columns(const CsvTable& table,
                                                 const std::vector<std::string>& columns,
                                                 const std::filesystem::path& file);

/// Splits a table into inputs (every other column, in order) and targets (the given columns).
FNN_API Dataset split_columns(const CsvTable& table, const std::vector<std::size_t>& targets);

/// What `write_csv` writes, in pieces, for output written a block of rows at a time: the header
/// line ("" for no header), and rows of `values` appended to `text`, formatted as write_csv
/// formats them.
FNN_API std::string csv_header_line(const std::vector<std::string>& header);
FNN_API void append_csv_rows(std::string& text, ConstMatrixView values);

/// Writes a matrix as CSV ('.' decimals, enough digits to read the same float back), with a
/// header line when `header` is not empty. The write is atomic: a temporary file in the same
/// directory, renamed over `file` only when complete. Throws DataError on I/O failure.
FNN_API void write_csv(const std::filesystem::path& file, ConstMatrixView values,
                       const std::vector<std::string>& header = {});

}  // namespace fnn
