#include "data_source.hpp"

#include <algorithm>
#include <cmath>
#include <fnn/csv.hpp>
#include <fnn/error.hpp>
#include <fnn/idx.hpp>
#include <fstream>

namespace fnn::cli {

namespace {

std::size_t class_count(const Matrix& labels) {
  float largest = 0.0F;
  for (const float label : labels.values()) largest = std::max(largest, label);
  // one_hot validates every label; here only the size matters.
  return static_cast<std::size_t>(std::max(0.0F, std::floor(largest))) + 1;
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

}  // namespace

Dataset load_dataset(const DataSource& source, DataLayout& layout, bool classes_from_labels,
                     std::optional<std::size_t> input_width) {
  Dataset data;
  std::string label_source = source.file.string();
  if (!source.labels && is_binary(source.file)) {
    throw DataError(source.file.string() +
                    ": an IDX file (found by its first bytes), whose labels come in a file of "
                    "their own: give it with --" +
                    source.labels_option);
  }
  if (source.labels) {
    data = read_idx_dataset(source.file, *source.labels, input_width);
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
  if (classes_from_labels) layout.classes = class_count(data.targets);
  data.targets = one_hot(data.targets.values(), layout.classes, label_source);
  return data;
}

Matrix load_inputs(const std::filesystem::path& file, const DataLayout& layout,
                   std::size_t input_width) {
  if (is_binary(file)) return read_idx(file, input_width);
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
