#include "fnn/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
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

// The length of the UTF-8 sequence that starts `text` (2 to 4), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  const std::size_t size = lead >= 0xF0 && lead <= 0xF4   ? 4
                           : lead >= 0xE0 && lead <= 0xEF ? 3
                           : lead >= 0xC2 && lead <= 0xDF ? 2
                                                          : 0;
  if (size == 0 || text.size() < size) return 0;
  for (std::size_t i = 1; i < size; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return size;
}

// Text from a file as a message may show it: control characters and bytes that are not UTF-8
// escaped (\r, \x1f), so that a stray carriage return cannot hide the text before it and binary
// data does not reach the terminal; at most 60 characters of it, then "..." (and `cut` is set).
std::string escaped(std::string_view text, bool* cut = nullptr) {
  static constexpr char digits[] = "0123456789abcdef";
  constexpr std::size_t most = 60;
  std::string shown;
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++characters) {
    if (characters == most) {
      if (cut != nullptr) *cut = true;
      return shown + "...";
    }
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t sequence = c >= 0x80 ? utf8_sequence(text.substr(i)) : 0;
    if (sequence != 0) {
      shown.append(text.substr(i, sequence));
      i += sequence;
      continue;
    }
    ++i;
    switch (c) {
      case '\r':
        shown += "\\r";
        continue;
      case '\n':
        shown += "\\n";
        continue;
      case '\t':
        shown += "\\t";
        continue;
      case '"':
        shown += "\\\"";
        continue;
      case '\\':
        shown += "\\\\";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c >= 0x7F) {
      shown += {'\\', 'x', digits[c >> 4], digits[c & 0xF]};
    } else {
      shown += static_cast<char>(c);
    }
  }
  return shown;
}

// A bad value for a message: "value", or "the first 60 characters..." (12345 bytes).
std::string quote_value(std::string_view value) {
  bool cut = false;
  std::string text = "\"" + escaped(value, &cut) + "\"";
  if (cut) text += " (" + std::to_string(value.size()) + " bytes)";
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
    const std::size_t start = i;
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
                        "expected a comma after the closing quote, found '" +
                        escaped(line.substr(i, 1)) + "'");
      }
      fields.push_back(std::move(text));
    } else {
      const std::size_t end = std::min(line.find(',', i), line.size());
      fields.emplace_back(trim(line.substr(i, end - i)));
      i = end;
    }
    if (i - start > max_csv_field_bytes) {
      throw DataError(at.column(fields.size()) + "expected a field of at most " +
                      std::to_string(max_csv_field_bytes) + " bytes, found " +
                      quote_value(line.substr(start, i - start)));
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
      throw DataError(at.column(column) + "expected a finite number, found " + quote_value(field) +
                      " (NaN and infinity are not allowed)");
    case Number::out_of_range:
      throw DataError(at.column(column) + "expected a number within the float range " +
                      "(about -3.4e38 to 3.4e38), found " + quote_value(field));
    case Number::not_a_number:
      break;
  }
  throw DataError(at.column(column) + "expected a number, found " +
                  (field.empty() ? std::string("an empty field") : quote_value(field)));
}

// The first line is a header when a field is not a number; an empty field alone does not make
// one, so that "1,,2" is reported as a missing value rather than taken for column names.
bool is_header(const std::vector<std::string>& fields) {
  float ignored = 0.0F;
  return std::any_of(fields.begin(), fields.end(), [&](const std::string& field) {
    return !trim(field).empty() && parse_number(field, ignored) == Number::not_a_number;
  });
}

// The lines of a stream, read in blocks, so that a line longer than max_csv_line_bytes is
// refused when that much of it has been read (std::getline would read all of it first).
class LineReader {
 public:
  LineReader(std::istream& in, const std::filesystem::path& file) : in_(in), file_(file) {}

  // The next line, without its line break, in `line`; false at the end of the stream.
  bool next(std::string& line) {
    line.clear();
    bool started = false;
    while (true) {
      if (begin_ == end_ && !refill()) {
        if (started) ++number_;
        return started;
      }
      started = true;
      const char* const start = buffer_.data() + begin_;
      const auto* const newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
      const std::size_t size =
          newline != nullptr ? static_cast<std::size_t>(newline - start) : end_ - begin_;
      if (line.size() + size > max_csv_line_bytes) {
        throw DataError(Location{file_, number_ + 1}.text() + "expected a line of at most " +
                        std::to_string(max_csv_line_bytes) + " bytes (" +
                        std::to_string(max_csv_line_bytes >> 20) +
                        " MiB), found a longer one: is this a CSV file?");
      }
      line.append(start, size);
      begin_ += size;
      if (newline != nullptr) {
        ++begin_;
        ++number_;
        return true;
      }
    }
  }

  // The number of the line `next` gave last.
  std::size_t number() const noexcept { return number_; }

 private:
  bool refill() {
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    begin_ = 0;
    end_ = static_cast<std::size_t>(in_.gcount());
    return end_ != 0;
  }

  std::istream& in_;
  const std::filesystem::path& file_;
  std::vector<char> buffer_ = std::vector<char>(std::size_t{1} << 16);
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t number_ = 0;
};

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
  // A file may have a million columns: the message lists the first few.
  constexpr std::size_t listed = 20;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < std::min(listed, table.header.size()); ++c) {
    names.push_back(escaped(table.header[c]));
  }
  std::string text = "the columns are: " + join(names);
  if (table.header.size() > listed) {
    text += " and " + std::to_string(table.header.size() - listed) + " more";
  }
  return text;
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
    throw DataError(file.string() + ": no column is named '" + escaped(column) + "'; " +
                    describe_columns(table));
  }
  if (index >= table.values.cols()) {
    throw DataError(file.string() + ": column index " + escaped(column) + " is out of range; " +
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
  if (file == "-") return read_csv(std::cin, "standard input");
  std::ifstream in = open_for_reading(file);
  return read_csv(in, file);
}

void read_csv_rows(const std::filesystem::path& file, const CsvHeaderHandler& on_header,
                   const CsvRowHandler& on_row) {
  if (file == "-") return read_csv_rows(std::cin, "standard input", on_header, on_row);
  std::ifstream in = open_for_reading(file);
  read_csv_rows(in, file, on_header, on_row);
}

void read_csv_rows(std::istream& in, const std::filesystem::path& file,
                   const CsvHeaderHandler& on_header, const CsvRowHandler& on_row) {
  std::vector<float> values;
  std::vector<std::string> fields;
  std::string line;
  LineReader lines(in, file);
  std::size_t width = 0;
  std::size_t width_line = 0;  // the line that set the width, for ragged-row messages
  std::size_t blank_line = 0;  // the first blank line seen; allowed only at the end
  while (lines.next(line)) {
    const std::size_t number = lines.number();
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
      const bool header = is_header(fields);
      on_header(header ? fields : std::vector<std::string>{}, width);
      if (header) continue;
    } else if (fields.size() != width) {
      throw DataError(at.text() + "expected " + std::to_string(width) + " fields (as on line " +
                      std::to_string(width_line) + "), found " + std::to_string(fields.size()));
    }
    values.clear();
    for (std::size_t c = 0; c < fields.size(); ++c) {
      values.push_back(parse_value(fields[c], at, c + 1));
    }
    on_row(values, number);
  }
  if (in.bad()) {
    throw DataError(file.string() + ": reading failed after line " +
                    std::to_string(lines.number()));
  }
  if (width_line == 0) {
    throw DataError(file.string() +
                    ": the file is empty, expected rows of comma-separated numbers");
  }
}

CsvTable read_csv(std::istream& in, const std::filesystem::path& file) {
  CsvTable table;
  std::vector<float> values;
  std::size_t width = 0;
  read_csv_rows(
      in, file,
      [&](const std::vector<std::string>& header, std::size_t columns) {
        table.header = header;
        width = columns;
      },
      [&](std::span<const float> row, std::size_t) {
        values.insert(values.end(), row.begin(), row.end());
      });
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
      throw DataError(file.string() + ": column '" + escaped(column) + "' is given twice");
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

std::string csv_header_line(const std::vector<std::string>& header) {
  std::string text;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c != 0) text += ',';
    text += csv_field(header[c]);
  }
  if (!header.empty()) text += '\n';
  return text;
}

void append_csv_rows(std::string& text, ConstMatrixView values) {
  char number[32];
  for (std::size_t r = 0; r < values.rows(); ++r) {
    for (std::size_t c = 0; c < values.cols(); ++c) {
      if (c != 0) text += ',';
      // The shortest text that reads back as the same float, whatever the locale.
      text.append(number, std::to_chars(number, number + sizeof number, values(r, c)).ptr);
    }
    text += '\n';
  }
}

void write_csv(const std::filesystem::path& file, ConstMatrixView values,
               const std::vector<std::string>& header) {
  if (!header.empty() && header.size() != values.cols()) {
    throw SpecError(file.string() + ": the header has " + std::to_string(header.size()) +
                    " names for " + std::to_string(values.cols()) + " columns");
  }
  std::string text = csv_header_line(header);
  append_csv_rows(text, values);
  write_file_atomically(file, text);
}

}  // namespace fnn
