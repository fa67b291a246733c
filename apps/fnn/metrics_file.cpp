#include "metrics_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fnn/error.hpp>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace fnn::cli {

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

// Appends one row, checking that its epoch is whole and follows the previous one.
void add_row(MetricsTable& table, const std::map<std::string, double>& row, const Place& place) {
  const auto epoch = row.find("epoch");
  if (epoch == row.end() || std::isnan(epoch->second)) place.fail("no epoch");
  if (epoch->second < 1 || epoch->second != std::floor(epoch->second)) {
    place.fail("epoch " + shown(std::to_string(epoch->second)) + " is not a whole number >= 1");
  }
  if (!table.epochs.empty() && epoch->second <= table.epochs.back()) {
    place.fail("epoch " + std::to_string(static_cast<long long>(epoch->second)) + " after epoch " +
               std::to_string(static_cast<long long>(table.epochs.back())) +
               " (epochs must increase)");
  }
  table.epochs.push_back(epoch->second);
  for (auto& [name, values] : table.columns) {
    const auto value = row.find(name);
    values.push_back(value == row.end() ? missing : value->second);
  }
}

bool known(const std::string& name) {
  const auto& names = known_metrics_columns();
  return std::find(names.begin(), names.end(), name) != names.end();
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
        place.fail("the header " + shown(text) +
                   " has no 'epoch' column (is this a metrics file?)");
      }
      for (const std::string& name : header_) {
        if (known(name) && name != "epoch") table_.columns[name];
      }
      return;
    }
    if (fields.size() != header_.size()) {
      place.fail(std::to_string(fields.size()) + " fields, the header has " +
                 std::to_string(header_.size()));
    }
    std::map<std::string, double> row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (known(header_[i])) row[header_[i]] = parse_number(fields[i], header_[i], place);
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
  std::map<std::string, double> row;
  for (const auto& [name, value] : object.items()) {
    if (!known(name)) continue;
    if (value.is_null()) {
      row[name] = missing;
    } else if (value.is_number()) {
      row[name] = value.get<double>();
    } else {
      place.fail("\"" + name + "\": " + shown(value.dump()) + " is not a number");
    }
    if (name != "epoch") table.columns.try_emplace(name, table.epochs.size(), missing);
  }
  add_row(table, row, place);
}

}  // namespace

const std::vector<double>* MetricsTable::column(const std::string& name) const {
  const auto found = columns.find(name);
  return found == columns.end() ? nullptr : &found->second;
}

const std::vector<std::string>& known_metrics_columns() {
  static const std::vector<std::string> names{
      "epoch",   "train_loss",    "validation_loss", "validation_accuracy",
      "seconds", "learning_rate", "best_epoch"};
  return names;
}

MetricsTable read_metrics_file(const std::filesystem::path& file) {
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
      std::cerr << "fnn: warning: " << error.what() << "; left out: the line has no end, a run "
                << "may be writing it now\n";
    }
  }
  if (table.epochs.empty()) {
    throw DataError("metrics file '" + file.string() + "': no epochs in it");
  }
  return table;
}

}  // namespace fnn::cli
