#include "data_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fnn/csv.hpp>
#include <fnn/error.hpp>
#include <fnn/idx.hpp>
#include <fnn/sizes.hpp>
#include <fstream>

namespace fnn::cli {

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

// IDX files start with two zero bytes, gzip files with 1f 8b; a CSV file with neither.
bool is_binary(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char head[2] = {0xff, 0xff};
  in.read(reinterpret_cast<char*>(head), 2);
  return (head[0] == 0x00 && head[1] == 0x00) || (head[0] == 0x1f && head[1] == 0x8b);
}

}  // namespace

Dataset load_dataset(const DataSource& source, DataLayout& layout, bool classes_from_labels) {
  Dataset data;
  std::string label_source = source.file.string();
  if (source.labels) {
    data = read_idx_dataset(source.file, *source.labels);
    label_source = source.labels->string();
    if (layout.classes == 0 && !classes_from_labels) classes_from_labels = true;
  } else {
    const CsvTable table = read_csv(source.file);
    data = split_columns(table, resolve_columns(table, layout.target_columns, source.file));
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
  if (is_binary(file)) return read_idx(file);
  const CsvTable table = read_csv(file);
  if (table.values.cols() == input_width) return table.values;
  const std::vector<std::size_t> targets = resolve_columns(table, layout.target_columns, file);
  if (table.values.cols() == input_width + targets.size()) {
    return split_columns(table, targets).inputs;
  }
  throw DataError(file.string() + ": the model takes " + std::to_string(input_width) +
                  " input columns, the file has " + std::to_string(table.values.cols()));
}

}  // namespace fnn::cli
