#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fnn/data_store.hpp"
#include "fnn/dataset.hpp"
#include "fnn/export.hpp"

namespace fnn {

/// How files become inputs and targets. Fixed when a model is trained and saved with it, so
/// that evaluation and prediction read their files the same way.
struct DataLayout {
  std::vector<std::string> target_columns;  ///< CSV target columns (names or indices); {} = last
  std::size_t classes = 0;  ///< 0: targets are values; n: one label column, one-hot into n classes
  /// The training file's header names of the input and the target columns, in the network's
  /// order: a headed CSV file is then matched by name. Empty when that file had no header (or
  /// one with a name twice), or was IDX: files are matched by position.
  std::vector<std::string> input_names{};
  std::vector<std::string> target_names{};
  /// The model in messages: "the model (model.fnn)". Not saved.
  std::string model = "the model";
};

/// Whether `load_dataset` records a headed CSV file's column names in the layout (a new model's)
/// or uses the names the layout has (a saved model's).
enum class ColumnNames { use, record };

/// A data set on disk: a CSV file ("-": standard input), or an IDX image file with its IDX label
/// file.
struct DataSource {
  std::filesystem::path file;
  std::optional<std::filesystem::path> labels;
  std::string labels_option;  ///< the option that names `labels` ("train-labels"), for messages
};

/// Reads a data set (the blocks `read_dataset_blocks` reads, appended). With `classes_from_labels`, a class-label target decides the class count
/// (largest label + 1) and stores it in `layout`; otherwise the layout's count is used and a
/// larger label is an error. IDX data always has class labels; with `input_width`, an IDX header
/// declaring rows of another width is refused before its data is read.
/// What `load_dataset` records in a new model's layout from a store's header: its own targets
/// (DataError naming `file` when `layout.target_columns` asks for others), its column names
/// (when they are all distinct) and its class count.
FNN_API void record_store_layout(const std::filesystem::path& file, const DataStoreInfo& info,
                                 DataLayout& layout);

/// A CSV file with a header, read for a layout with names, gives those columns whatever their
/// order (others are ignored; a missing one is a DataError naming it); any other CSV file is
/// read by position, and with names its width must be inputs + targets.
FNN_API Dataset load_dataset(const DataSource& source, DataLayout& layout, bool classes_from_labels,
                     ColumnNames names = ColumnNames::use,
                     std::optional<std::size_t> input_width = std::nullopt);

/// Reads inputs only, for prediction: an IDX image file, or a CSV file. A headed file, for a
/// layout with names, gives the input columns by name; otherwise the file holds either exactly
/// `input_width` columns or those plus the layout's target columns (which are dropped).
FNN_API Matrix load_inputs(const std::filesystem::path& file, const DataLayout& layout,
                   std::size_t input_width);

/// A block of rows read from a data file, with its first row's index among the file's data
/// rows (0-based). The handler may change the block (scale it in place).
using DatasetBlockHandler = std::function<void(Dataset& block, std::size_t first_row)>;
using InputBlockHandler = std::function<void(Matrix& inputs, std::size_t first_row)>;

/// `load_dataset` for a saved model's layout (ColumnNames::use, the layout's class count), block
/// by block: consecutive blocks of `block_rows` rows (the last one smaller; a file without rows
/// gives one empty block), targets one-hot as load_dataset makes them, with the same checks and
/// messages (a bad label's row counted in the whole file). Memory holds one block whatever the
/// file's size. For an IDX file and a layout without a class count, the label count is the
/// largest label + 1, found by a first pass over the files. A DataError thrown by `on_block`
/// passes through unchanged.
FNN_API void read_dataset_blocks(const DataSource& source, const DataLayout& layout,
                                 std::size_t input_width, std::size_t block_rows,
                                 const DatasetBlockHandler& on_block);

/// `load_inputs` block by block, as `read_dataset_blocks` is `load_dataset`'s.
FNN_API void read_input_blocks(const std::filesystem::path& file, const DataLayout& layout,
                               std::size_t input_width, std::size_t block_rows,
                               const InputBlockHandler& on_block);

}  // namespace fnn
