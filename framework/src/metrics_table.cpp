#include "fnn/metrics_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "fnn/error.hpp"
#include "fnn/metrics_log.hpp"

namespace fnn {

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

// Where an error is: "metrics file 'runs/a.csv' line 7: ".
struct Place {
  const std::filesystem::path& file;
  std::size_t line;
  [[noreturn]] void fail(const std::string& what) const {
    std::string text = "metrics file '";
    text.append(file.string()).append("' line ").append(std::to_string(line)).append(": ");
    throw DataError(text + what);
  }
};

std::string shown(std::string_view text) {
  std::string result(1, '\'');
  result.append(text.substr(0, 40)).append(text.size() > 40 ? "...'" : "'");
  return result;
}

double parse_number(std::string_view text, const std::string& column, const Place& place) {
  if (text.empty()) return missing;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    place.fail("column " + column + ": " + shown(text) + " is not a number");
  }
  return value;
}

// A row's values by column name, "epoch" among them.
using Row = std::vector<std::pair<std::string, double>>;

// The values of column `name` of `table` (const or not), or nullptr.
template <class Table>
auto find_column(Table& table, const std::string& name) -> decltype(&table.columns[0].second) {
  for (auto& column : table.columns) {
    if (column.first == name) return &column.second;
  }
  return nullptr;
}

// Appends one row, checking that its epoch is whole and follows the previous one. Columns the
// table has not seen yet are added, empty for the rows before.
void add_row(MetricsTable& table, const Row& row, const Place& place) {
  const auto epoch =
      std::find_if(row.begin(), row.end(), [](const auto& v) { return v.first == "epoch"; });
  if (epoch == row.end() || std::isnan(epoch->second)) place.fail("no epoch");
  if (epoch->second < 1 || epoch->second != std::floor(epoch->second)) {
    place.fail("epoch " + shown(std::to_string(epoch->second)) + " is not a whole number >= 1");
  }
  if (!table.epochs.empty() && epoch->second <= table.epochs.back()) {
    place.fail("epoch " + std::to_string(static_cast<long long>(epoch->second)) + " after epoch " +
               std::to_string(static_cast<long long>(table.epochs.back())) +
               " (epochs must increase)");
  }
  for (const auto& [name, value] : row) {
    if (name != "epoch" && find_column(table, name) == nullptr) {
      table.columns.emplace_back(name, std::vector<double>(table.epochs.size(), missing));
    }
  }
  table.epochs.push_back(epoch->second);
  for (auto& column : table.columns) {
    const auto value = std::find_if(row.begin(), row.end(),
                                    [&](const auto& v) { return v.first == column.first; });
    column.second.push_back(value == row.end() ? missing : value->second);
  }
}

class CsvRows {
 public:
  explicit CsvRows(MetricsTable& table) : table_(table) {}
  void line(std::string_view text, const Place& place) {
    std::vector<std::string_view> fields;
    for (std::size_t start = 0;;) {
      const std::size_t comma = text.find(',', start);
      fields.push_back(text.substr(start, comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (header_.empty()) {
      for (const std::string_view field : fields) header_.emplace_back(field);
      if (std::find(header_.begin(), header_.end(), "epoch") == header_.end()) {
        header_.clear();
        place.fail("the header " + shown(text) +
                   " has no 'epoch' column (is this a metrics file?)");
      }
      return;
    }
    if (fields.size() != header_.size()) {
      place.fail(std::to_string(fields.size()) + " fields, the header has " +
                 std::to_string(header_.size()));
    }
    Row row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      row.emplace_back(header_[i], parse_number(fields[i], header_[i], place));
    }
    add_row(table_, row, place);
  }

 private:
  MetricsTable& table_;
  std::vector<std::string> header_;
};

void json_line(MetricsTable& table, std::string_view text, const Place& place) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    place.fail(shown(text) + " is not JSON");
  }
  if (!object.is_object()) place.fail(shown(text) + " is not a JSON object");
  Row row;
  for (const auto& item : object.items()) {
    if (item.value().is_null()) {
      row.emplace_back(item.key(), missing);
    } else if (item.value().is_number()) {
      row.emplace_back(item.key(), item.value().get<double>());
    } else if (std::find(metrics_columns().begin(), metrics_columns().end(), item.key()) !=
               metrics_columns().end()) {
      place.fail("\"" + item.key() + "\": " + shown(item.value().dump()) + " is not a number");
    }
    // Text under other names is an annotation (a note, a tag), not a series: left out.
  }
  add_row(table, row, place);
}

}  // namespace

const std::vector<double>* MetricsTable::column(const std::string& name) const {
  return find_column(*this, name);
}

MetricsTable read_metrics_table(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError("metrics file '" + file.string() + "': cannot open it");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::string extension = file.extension().string();
  const bool json_lines = extension == ".jsonl" || extension == ".json";

  MetricsTable table;
  CsvRows csv(table);
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line(text.data() + start, end - start);
    const bool unfinished = end == text.size();
    start = end + 1;
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    const Place place{file, number};
    try {
      if (json_lines) {
        json_line(table, line, place);
      } else {
        csv.line(line, place);
      }
    } catch (const DataError& error) {
      if (!unfinished || number == 1) throw;
      table.left_out = std::string(error.what()) +
                       "; left out: the line has no end, a run may be writing it now";
    }
  }
  if (table.epochs.empty()) {
    throw DataError("metrics file '" + file.string() + "': no epochs in it");
  }
  return table;
}

}  // namespace fnn
