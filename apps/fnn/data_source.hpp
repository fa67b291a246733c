#pragma once
#include <cstddef>
#include <filesystem>
#include <fnn/dataset.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fnn::cli {

/// How files become inputs and targets. Fixed when a model is trained and saved with it, so
/// that evaluation and prediction read their files the same way.
struct DataLayout {
  std::vector<std::string> target_columns;  ///< CSV target columns (names or indices); {} = last
  std::size_t classes = 0;  ///< 0: targets are values; n: one label column, one-hot into n classes
};

/// A data set on disk: a CSV file ("-": standard input), or an IDX image file with its IDX label
/// file.
struct DataSource {
  std::filesystem::path file;
  std::optional<std::filesystem::path> labels;
  std::string labels_option;  ///< the option that names `labels` ("train-labels"), for messages
};

/// Reads a data set. With `classes_from_labels`, a class-label target decides the class count
/// (largest label + 1) and stores it in `layout`; otherwise the layout's count is used and a
/// larger label is an error. IDX data always has class labels; with `input_width`, an IDX header
/// declaring rows of another width is refused before its data is read.
Dataset load_dataset(const DataSource& source, DataLayout& layout, bool classes_from_labels,
                     std::optional<std::size_t> input_width = std::nullopt);

/// Reads inputs only, for prediction: an IDX image file, or a CSV file holding either exactly
/// `input_width` columns or those plus the layout's target columns (which are dropped).
Matrix load_inputs(const std::filesystem::path& file, const DataLayout& layout,
                   std::size_t input_width);

}  // namespace fnn::cli
