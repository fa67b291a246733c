#include "fnn/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string_view>

#include "fnn/atomic_file.hpp"
#include "fnn/error.hpp"
#include "fnn/names.hpp"

namespace fnn {

namespace {

// "FILE:LINE: ", the start of every message about a line; built only when one is thrown.
struct Location {
  const std::filesystem::path& file;
  std::size_t line;

  std::string text() const { return file.string() + ":" + std::to_string(line) + ": "; }
  std::string column(std::size_t column) const {
    return text() + "column " + std::to_string(column) + ": ";
  }
};

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

enum class Number { ok, not_a_number, out_of_range };

// from_chars, not strtof: '.' is the decimal point in every locale. A leading '+' is allowed, as
// other tools write it; a value too small for a float becomes 0 (or a denormal), as it would
// in a float cast, while one too large is refused.
Number parse_number(std::string_view text, float& value) {
  text = trim(text);
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ptr != end) return Number::not_a_number;
  if (result.ec == std::errc{}) return Number::ok;
  long double wide = 0.0L;
  const auto retry = std::from_chars(text.data(), end, wide);
  if (retry.ec != std::errc{} || std::fabs(wide) >= 1.0L) return Number::out_of_range;
  value = static_cast<float>(wide);
  return Number::ok;
}

// Splits one line (without its line break) at the commas. A field may be quoted ("1.5"), and
// a quote inside a quoted field is doubled (""), as spreadsheets write it.
void split_fields(std::string_view line, const Location& at, std::vector<std::string>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i < line.size() && line[i] == '"') {
      std::string text;
      while (true) {
        const std::size_t quote = line.find('"', ++i);
        if (quote == std::string_view::npos) {
          throw DataError(at.column(fields.size() + 1) +
                          "expected a closing quote (\") before the end of the line");
        }
        text.append(line.substr(i, quote - i));
        i = quote + 1;
        if (i >= line.size() || line[i] != '"') break;
        text += '"';
      }
      while (i < line.size() && is_space(line[i])) ++i;
      if (i < line.size() && line[i] != ',') {
        throw DataError(at.column(fields.size() + 1) +
                        "expected a comma after the closing quote, found '" + line[i] + "'");
      }
      fields.push_back(std::move(text));
    } else {
      const std::size_t end = std::min(line.find(',', i), line.size());
      fields.emplace_back(trim(line.substr(i, end - i)));
      i = end;
    }
    if (i >= line.size()) return;
    ++i;  // the comma
  }
}

float parse_value(const std::string& field, const Location& at, std::size_t column) {
  float value = 0.0F;
  switch (parse_number(field, value)) {
    case Number::ok:
      if (std::isfinite(value)) return value;
      throw DataError(at.column(column) + "expected a finite number, found \"" + field +
                      "\" (NaN and infinity are not allowed)");
    case Number::out_of_range:
      throw DataError(at.column(column) + "expected a number within the float range " +
                      "(about -3.4e38 to 3.4e38), found \"" + field + "\"");
    case Number::not_a_number:
      break;
  }
  throw DataError(at.column(column) + "expected a number, found " +
                  (field.empty() ? std::string("an empty field") : "\"" + field + "\""));
}

// The first line is a header when a field is not a number; an empty field alone does not make
// one, so that "1,,2" is reported as a missing value rather than taken for column names.
bool is_header(const std::vector<std::string>& fields) {
  float ignored = 0.0F;
  return std::any_of(fields.begin(), fields.end(), [&](const std::string& field) {
    return !trim(field).empty() && parse_number(field, ignored) == Number::not_a_number;
  });
}

std::ifstream open_for_reading(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    throw DataError(file.string() + ": is a directory, expected a CSV file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw DataError(file.string() + ": cannot open the file (" + std::strerror(errno) + ")");
  }
  return in;
}

std::string describe_columns(const CsvTable& table) {
  if (table.header.empty()) {
    return "the file has no header and " + std::to_string(table.values.cols()) +
           " columns, indices 0 to " + std::to_string(table.values.cols() - 1);
  }
  return "the columns are: " + join(table.header);
}

std::size_t resolve_column(const CsvTable& table, const std::string& column,
                           const std::filesystem::path& file) {
  // A name wins over an index, so that a header named "3" means that column.
  const auto named = std::find(table.header.begin(), table.header.end(), column);
  if (named != table.header.end()) {
    return static_cast<std::size_t>(named - table.header.begin());
  }
  std::size_t index = 0;
  const char* end = column.data() + column.size();
  const auto [stop, error] = std::from_chars(column.data(), end, index);
  if (error != std::errc{} || stop != end || column.empty()) {
    throw DataError(file.string() + ": no column is named '" + column + "'; " +
                    describe_columns(table));
  }
  if (index >= table.values.cols()) {
    throw DataError(file.string() + ": column index " + column + " is out of range; " +
                    describe_columns(table));
  }
  return index;
}

// Header names are quoted when they would otherwise be read back differently.
std::string csv_field(const std::string& name) {
  const bool plain = name.find_first_of(",\"\r\n") == std::string::npos && trim(name) == name;
  if (plain) return name;
  std::string quoted = "\"";
  for (const char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& file) {
  std::ifstream in = open_for_reading(file);
  return read_csv(in, file);
}

CsvTable read_csv(std::istream& in, const std::filesystem::path& file) {
  CsvTable table;
  std::vector<float> values;
  std::vector<std::string> fields;
  std::string line;
  std::size_t number = 0;
  std::size_t width = 0;
  std::size_t width_line = 0;  // the line that set the width, for ragged-row messages
  std::size_t blank_line = 0;  // the first blank line seen; allowed only at the end
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte order mark
    if (trim(line).empty()) {
      if (blank_line == 0) blank_line = number;
      continue;
    }
    const Location at{file, number};
    if (blank_line != 0) {
      const std::string row = width_line == 0 ? "a row of comma-separated numbers"
                                              : "a row of " + std::to_string(width) + " fields";
      throw DataError(Location{file, blank_line}.text() + "expected " + row +
                      ", found a blank line (blank lines are allowed only at the end)");
    }
    split_fields(line, at, fields);
    if (width_line == 0) {
      width = fields.size();
      width_line = number;
      if (is_header(fields)) {
        table.header = fields;
        continue;
      }
    } else if (fields.size() != width) {
      throw DataError(at.text() + "expected " + std::to_string(width) + " fields (as on line " +
                      std::to_string(width_line) + "), found " + std::to_string(fields.size()));
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      values.push_back(parse_value(fields[c], at, c + 1));
    }
  }
  if (in.bad()) {
    throw DataError(file.string() + ": reading failed after line " + std::to_string(number));
  }
  if (width_line == 0) {
    throw DataError(file.string() +
                    ": the file is empty, expected rows of comma-separated numbers");
  }
  table.values = Matrix(values.size() / width, width);
  std::copy(values.begin(), values.end(), table.values.values().begin());
  return table;
}

std::vector<std::size_t> resolve_columns(const CsvTable& table,
                                         const std::vector<std::string>& columns,
                                         const std::filesystem::path& file) {
  const std::size_t width = table.values.cols();
  if (width == 0) throw DataError(file.string() + ": the file has no columns");
  if (columns.empty()) return {width - 1};
  std::vector<std::size_t> indices;
  for (const std::string& column : columns) {
    const std::size_t index = resolve_column(table, column, file);
    if (std::find(indices.begin(), indices.end(), index) != indices.end()) {
      throw DataError(file.string() + ": column '" + column + "' is given twice");
    }
    indices.push_back(index);
  }
  if (indices.size() == width) {
    throw DataError(file.string() + ": every column is a target, none is left for the inputs");
  }
  return indices;
}

Dataset split_columns(const CsvTable& table, const std::vector<std::size_t>& targets) {
  const std::size_t width = table.values.cols();
  std::vector<bool> is_target(width, false);
  for (const std::size_t column : targets) {
    if (column >= width || is_target[column]) {
      throw SpecError("split_columns: target column " + std::to_string(column) +
                      (column >= width
                           ? " is out of range for a table of " + std::to_string(width) + " columns"
                           : " is given twice"));
    }
    is_target[column] = true;
  }
  std::vector<std::size_t> inputs;
  for (std::size_t c = 0; c < width; ++c) {
    if (!is_target[c]) inputs.push_back(c);
  }
  const std::size_t rows = table.values.rows();
  Dataset data{Matrix(rows, inputs.size()), Matrix(rows, targets.size())};
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < inputs.size(); ++c) data.inputs(r, c) = table.values(r, inputs[c]);
    for (std::size_t c = 0; c < targets.size(); ++c) {
      data.targets(r, c) = table.values(r, targets[c]);
    }
  }
  return data;
}

void write_csv(const std::filesystem::path& file, ConstMatrixView values,
               const std::vector<std::string>& header) {
  if (!header.empty() && header.size() != values.cols()) {
    throw SpecError(file.string() + ": the header has " + std::to_string(header.size()) +
                    " names for " + std::to_string(values.cols()) + " columns");
  }
  std::string text;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c != 0) text += ',';
    text += csv_field(header[c]);
  }
  if (!header.empty()) text += '\n';
  char number[32];
  for (std::size_t r = 0; r < values.rows(); ++r) {
    for (std::size_t c = 0; c < values.cols(); ++c) {
      if (c != 0) text += ',';
      // The shortest text that reads back as the same float, whatever the locale.
      text.append(number, std::to_chars(number, number + sizeof number, values(r, c)).ptr);
    }
    text += '\n';
  }
  write_file_atomically(file, text);
}

}  // namespace fnn
