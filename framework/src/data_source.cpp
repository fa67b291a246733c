#include "fnn/data_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fnn/csv.hpp>
#include <fnn/data_store.hpp>
#include <fnn/error.hpp>
#include <fnn/idx.hpp>
#include <fnn/names.hpp>
#include <fnn/sizes.hpp>
#include <fstream>
#include <set>

namespace fnn {

namespace {

// The class count the largest label asks for. one_hot validates every label; here only the size
// matters, and a label too large to count classes by is refused with its row.
std::size_t class_count(const Matrix& labels, const std::string& source) {
  const std::span<const float> values = labels.values();
  const auto largest = std::max_element(values.begin(), values.end());
  if (largest == values.end() || !(*largest >= 0.0F)) return 1;
  const auto refuse = [&](const std::string& why) {
    char label[64];  // every digit of a whole float ("4611686018427387904", not "4.6e+18")
    std::snprintf(label, sizeof label, "%.0f", static_cast<double>(*largest));
    throw DataError(source + ": row " + std::to_string(largest - values.begin() + 1) +
                    ": the label " + label + why);
  };
  const double whole = std::floor(static_cast<double>(*largest));
  if (whole >= 0x1p64) refuse(" is too large to be a class label");
  const std::size_t classes = static_cast<std::size_t>(whole) + 1;  // whole < 2^64 - 2^40
  if (const auto shortfall =
          memory_shortfall(static_cast<double>(values.size()) * static_cast<double>(classes))) {
    refuse(" makes " + std::to_string(classes) + " classes, and one-hot targets for " +
           std::to_string(values.size()) + " rows of them need " + *shortfall);
  }
  return classes;
}

// IDX files start with two zero bytes, gzip files with 1f 8b; a CSV file with neither. Standard
// input ("-") is read as CSV.
bool is_binary(const std::filesystem::path& file) {
  if (file == "-") return false;
  std::ifstream in(file, std::ios::binary);
  unsigned char head[2] = {0xff, 0xff};
  in.read(reinterpret_cast<char*>(head), 2);
  return (head[0] == 0x00 && head[1] == 0x00) || (head[0] == 0x1f && head[1] == 0x8b);
}

// "1 column", "2 input columns".
std::string columns(std::size_t n, const std::string& kind = "") {
  return std::to_string(n) + (kind.empty() ? "" : " " + kind) + (n == 1 ? " column" : " columns");
}

// The columns of a headed `table` named `names`, in that order; `role` ("input", "target") and
// each name's place say in a message what the model takes it as.
Matrix named_columns(const CsvTable& table, const std::vector<std::string>& names,
                     const std::string& role, const std::filesystem::path& file,
                     const DataLayout& layout) {
  const auto& header = table.header;
  Matrix selected(table.values.rows(), names.size());
  for (std::size_t n = 0; n < names.size(); ++n) {
    const auto found = std::ranges::find(header, names[n]);
    if (found == header.end()) {
      throw DataError(file.string() + " has no column '" + names[n] + "', which " + layout.model +
                      " takes as " + role + " " + std::to_string(n + 1));
    }
    if (std::find(found + 1, header.end(), names[n]) != header.end()) {
      throw DataError(file.string() + " has column '" + names[n] + "' twice; " + layout.model +
                      " takes its columns by name");
    }
    const auto column = static_cast<std::size_t>(found - header.begin());
    for (std::size_t r = 0; r < selected.rows(); ++r) selected(r, n) = table.values(r, column);
  }
  return selected;
}

bool by_name(const CsvTable& table, const DataLayout& layout) {
  return !table.header.empty() && !layout.input_names.empty();
}

// A CSV file as inputs and targets: by name, or by position (see load_dataset).
Dataset csv_dataset(const CsvTable& table, const std::filesystem::path& file, DataLayout& layout,
                    ColumnNames names) {
  if (names == ColumnNames::use && by_name(table, layout)) {
    return {named_columns(table, layout.input_names, "input", file, layout),
            named_columns(table, layout.target_names, "target", file, layout)};
  }
  const std::size_t width = layout.input_names.size() + layout.target_names.size();
  if (names == ColumnNames::use && width > 0 && table.values.cols() != width) {
    throw DataError(file.string() + " has " + columns(table.values.cols()) + "; " + layout.model +
                    " takes " + columns(layout.input_names.size(), "input") + " and " +
                    columns(layout.target_names.size(), "target"));
  }
  const std::vector<std::size_t> targets = resolve_columns(table, layout.target_columns, file);
  const auto& header = table.header;
  const bool unique = std::set(header.begin(), header.end()).size() == header.size();
  if (names == ColumnNames::record && !header.empty() && unique) {  // duplicates: by position
    layout.input_names.clear();
    layout.target_names.clear();
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (std::ranges::find(targets, c) == targets.end()) layout.input_names.push_back(header[c]);
    }
    for (const std::size_t c : targets) layout.target_names.push_back(header[c]);
    layout.model = "the model trained on " + file.string();
  }
  return split_columns(table, targets);
}

// A store's inputs and targets side by side, named as its source was: read like that CSV file
// where the names of a model's layout decide the columns.
CsvTable store_table(const Dataset& data, const DataStoreInfo& info) {
  CsvTable table;
  if (!info.input_names.empty()) {
    table.header = info.input_names;
    table.header.insert(table.header.end(), info.target_names.begin(), info.target_names.end());
  }
  const std::size_t inputs = data.inputs.cols();
  table.values = Matrix(data.inputs.rows(), inputs + data.targets.cols());
  for (std::size_t r = 0; r < table.values.rows(); ++r) {
    const auto row = table.values.view().row(r);
    std::ranges::copy(data.inputs.view().row(r), row.begin());
    std::ranges::copy(data.targets.view().row(r), row.begin() + static_cast<std::ptrdiff_t>(inputs));
  }
  return table;
}

// A store for training: its own split of inputs and targets (fixed by fnn convert) and its
// class count; --target, when given, must name its target columns.
Dataset record_store(const std::filesystem::path& file, const DataStoreReader& store,
                     Dataset data, DataLayout& layout) {
  const DataStoreInfo& info = store.info();
  if (!layout.target_columns.empty() && layout.target_columns != info.target_names) {
    throw DataError(file.string() + ": a data store's targets were chosen by fnn convert (" +
                    (info.target_names.empty() ? columns(info.target_count, "unnamed")
                                               : join(info.target_names)) +
                    "); give no --target, or those names");
  }
  const bool unique =
      std::set(info.input_names.begin(), info.input_names.end()).size() == info.input_count &&
      std::set(info.target_names.begin(), info.target_names.end()).size() == info.target_count;
  if (!info.input_names.empty() && unique) {
    layout.input_names = info.input_names;
    layout.target_names = info.target_names;
    layout.model = "the model trained on " + file.string();
  }
  if (info.classes > 0) layout.classes = info.classes;
  return data;
}

}  // namespace

Dataset load_dataset(const DataSource& source, DataLayout& layout, bool classes_from_labels,
                     ColumnNames names, std::optional<std::size_t> input_width) {
  Dataset data;
  std::string label_source = source.file.string();
  const bool store = !source.labels && is_data_store(source.file);
  if (!store && !source.labels && is_binary(source.file)) {
    throw DataError(source.file.string() +
                    ": an IDX file (found by its first bytes), whose labels come in a file of "
                    "their own: give it with --" +
                    source.labels_option);
  }
  if (source.labels) {
    data = read_idx_dataset(source.file, *source.labels, input_width);
    label_source = source.labels->string();
    if (layout.classes == 0 && !classes_from_labels) classes_from_labels = true;
  } else if (store) {
    const DataStoreReader reader(source.file);
    Dataset stored = reader.read_all();
    if (names == ColumnNames::record) {
      const bool classes_stored = reader.info().classes > 0;
      data = record_store(source.file, reader, std::move(stored), layout);
      if (classes_stored) classes_from_labels = false;  // the store's count, kept by layout
    } else {
      data = csv_dataset(store_table(stored, reader.info()), source.file, layout, names);
    }
  } else {
    data = csv_dataset(read_csv(source.file), source.file, layout, names);
  }
  const bool labelled = source.labels || layout.classes > 0 || classes_from_labels;
  if (!labelled) return data;
  if (data.targets.cols() != 1) {
    throw DataError(label_source + ": class labels must be one column, --target names " +
                    std::to_string(data.targets.cols()));
  }
  if (classes_from_labels) layout.classes = class_count(data.targets, label_source);
  data.targets = one_hot(data.targets.values(), layout.classes, label_source);
  return data;
}

Matrix load_inputs(const std::filesystem::path& file, const DataLayout& layout,
                   std::size_t input_width) {
  const bool store = is_data_store(file);
  if (!store && is_binary(file)) return read_idx(file, input_width);
  CsvTable table;
  if (store) {
    const DataStoreReader reader(file);
    table = store_table(reader.read_all(), reader.info());
  } else {
    table = read_csv(file);
  }
  if (by_name(table, layout)) {
    return named_columns(table, layout.input_names, "input", file, layout);
  }
  if (table.values.cols() == input_width) return table.values;
  const std::vector<std::size_t> targets = resolve_columns(table, layout.target_columns, file);
  if (table.values.cols() == input_width + targets.size()) {
    return split_columns(table, targets).inputs;
  }
  throw DataError(file.string() + " has " + columns(table.values.cols()) + "; " + layout.model +
                  " takes " + columns(input_width, "input") + ", or those and " +
                  columns(targets.size(), "target"));
}

}  // namespace fnn
