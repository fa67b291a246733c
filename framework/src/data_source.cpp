#include "fnn/data_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fnn/csv.hpp>
#include <fnn/data_store.hpp>
#include <fnn/error.hpp>
#include <fnn/idx.hpp>
#include <fnn/names.hpp>
#include <fnn/network.hpp>
#include <fnn/sizes.hpp>
#include <fstream>
#include <functional>
#include <numeric>
#include <set>

namespace fnn {

namespace {

// The class count the largest label asks for: `largest`, on data row `row` (0-based), of
// `rows` labels (nullopt: none). one_hot validates every label; here only the size matters, and
// a label too large to count classes by is refused with its row.
std::size_t class_count(std::optional<float> largest, std::size_t row, std::size_t rows,
                        const std::string& source) {
  if (!largest || !(*largest >= 0.0F)) return 1;
  const auto refuse = [&](const std::string& why) {
    char label[64];  // every digit of a whole float ("4611686018427387904", not "4.6e+18")
    std::snprintf(label, sizeof label, "%.0f", static_cast<double>(*largest));
    throw DataError(source + ": row " + std::to_string(row + 1) + ": the label " + label + why);
  };
  const double whole = std::floor(static_cast<double>(*largest));
  if (whole >= 0x1p64) refuse(" is too large to be a class label");
  const std::size_t classes = static_cast<std::size_t>(whole) + 1;  // whole < 2^64 - 2^40
  if (const auto shortfall =
          memory_shortfall(static_cast<double>(rows) * static_cast<double>(classes))) {
    refuse(" makes " + std::to_string(classes) + " classes, and one-hot targets for " +
           std::to_string(rows) + " rows of them need " + *shortfall);
  }
  return classes;
}

// The largest label of blocks of labels seen in order, and the data row of its first
// occurrence: class_count's arguments.
struct LargestLabel {
  std::optional<float> value;
  std::size_t row = 0;
  std::size_t rows = 0;

  void add(std::span<const float> labels, std::size_t first_row) {
    const auto largest = std::max_element(labels.begin(), labels.end());
    if (largest != labels.end() && (!value || *largest > *value)) {
      value = *largest;
      row = first_row + static_cast<std::size_t>(largest - labels.begin());
    }
    rows += labels.size();
  }
  std::size_t classes(const std::string& source) const {
    return class_count(value, row, rows, source);
  }
};

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

// Which columns of a row (a CSV line, or a store's inputs then targets) are the inputs and
// which the targets, in the network's order.
struct ColumnPlan {
  std::vector<std::size_t> inputs;
  std::vector<std::size_t> targets;
};

// Every column of `width` but `excluded`, in order.
std::vector<std::size_t> other_columns(std::size_t width, const std::vector<std::size_t>& excluded) {
  std::vector<std::size_t> kept;
  for (std::size_t c = 0; c < width; ++c) {
    if (std::ranges::find(excluded, c) == excluded.end()) kept.push_back(c);
  }
  return kept;
}

// A header and a row width as a table without rows, for resolve_columns.
CsvTable header_table(const std::vector<std::string>& header, std::size_t width) {
  return {header, Matrix(0, width)};
}

// The columns of a headed file named `names`, in that order; `role` ("input", "target") and
// each name's place say in a message what the model takes it as.
std::vector<std::size_t> named_columns(const std::vector<std::string>& header,
                                       const std::vector<std::string>& names,
                                       const std::string& role, const std::filesystem::path& file,
                                       const DataLayout& layout) {
  std::vector<std::size_t> selected;
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
    selected.push_back(static_cast<std::size_t>(found - header.begin()));
  }
  return selected;
}

bool by_name(const std::vector<std::string>& header, const DataLayout& layout) {
  return !header.empty() && !layout.input_names.empty();
}

// A CSV file's columns as inputs and targets: by name, or by position (see load_dataset).
ColumnPlan dataset_plan(const std::vector<std::string>& header, std::size_t width,
                        const std::filesystem::path& file, DataLayout& layout, ColumnNames names) {
  if (names == ColumnNames::use && by_name(header, layout)) {
    return {named_columns(header, layout.input_names, "input", file, layout),
            named_columns(header, layout.target_names, "target", file, layout)};
  }
  const std::size_t expected = layout.input_names.size() + layout.target_names.size();
  if (names == ColumnNames::use && expected > 0 && width != expected) {
    throw DataError(file.string() + " has " + columns(width) + "; " + layout.model + " takes " +
                    columns(layout.input_names.size(), "input") + " and " +
                    columns(layout.target_names.size(), "target"));
  }
  std::vector<std::size_t> targets =
      resolve_columns(header_table(header, width), layout.target_columns, file);
  const bool unique = std::set(header.begin(), header.end()).size() == header.size();
  if (names == ColumnNames::record && !header.empty() && unique) {  // duplicates: by position
    layout.input_names.clear();
    layout.target_names.clear();
    for (const std::size_t c : other_columns(width, targets)) {
      layout.input_names.push_back(header[c]);
    }
    for (const std::size_t c : targets) layout.target_names.push_back(header[c]);
    layout.model = "the model trained on " + file.string();
  }
  return {other_columns(width, targets), std::move(targets)};
}

// A file's input columns for prediction (see load_inputs).
ColumnPlan input_plan(const std::vector<std::string>& header, std::size_t width,
                      const std::filesystem::path& file, const DataLayout& layout,
                      std::size_t input_width) {
  if (by_name(header, layout)) {
    return {named_columns(header, layout.input_names, "input", file, layout), {}};
  }
  if (width == input_width) return {other_columns(width, {}), {}};
  const std::vector<std::size_t> targets =
      resolve_columns(header_table(header, width), layout.target_columns, file);
  if (width == input_width + targets.size()) return {other_columns(width, targets), {}};
  throw DataError(file.string() + " has " + columns(width) + "; " + layout.model + " takes " +
                  columns(input_width, "input") + ", or those and " +
                  columns(targets.size(), "target"));
}

// A store's header as its source's: its input names, then its target names.
std::vector<std::string> store_header(const DataStoreInfo& info) {
  std::vector<std::string> header;
  if (!info.input_names.empty()) {
    header = info.input_names;
    header.insert(header.end(), info.target_names.begin(), info.target_names.end());
  }
  return header;
}

// A store for training: its own split of inputs and targets (fixed by fnn convert) and its
// class count; --target, when given, must name its target columns.
ColumnPlan record_store(const std::filesystem::path& file, const DataStoreInfo& info,
                        DataLayout& layout) {
  record_store_layout(file, info, layout);
  std::vector<std::size_t> targets(info.target_count);
  std::iota(targets.begin(), targets.end(), info.input_count);
  return {other_columns(info.input_count + info.target_count, targets), std::move(targets)};
}

// Rows gathered into blocks of `block_rows`, split into inputs and targets by a plan, and handed
// on block by block: memory holds one block. A file without rows still gives one (empty) block,
// so that its widths reach the handler.
class BlockGatherer {
 public:
  BlockGatherer(std::size_t block_rows, const DatasetBlockHandler& on_block)
      : block_rows_(std::max<std::size_t>(block_rows, 1)), on_block_(on_block) {}

  void start(ColumnPlan plan, std::size_t width) {
    plan_ = std::move(plan);
    width_ = width;
  }
  void add(std::span<const float> row) {
    values_.insert(values_.end(), row.begin(), row.end());
    if (++rows_ == block_rows_) flush();
  }
  void finish() {
    if (rows_ > 0 || first_row_ == 0) flush();
  }

 private:
  void flush() {
    Dataset block{Matrix(rows_, plan_.inputs.size()), Matrix(rows_, plan_.targets.size())};
    for (std::size_t r = 0; r < rows_; ++r) {
      const float* row = values_.data() + r * width_;
      for (std::size_t c = 0; c < plan_.inputs.size(); ++c) block.inputs(r, c) = row[plan_.inputs[c]];
      for (std::size_t c = 0; c < plan_.targets.size(); ++c) {
        block.targets(r, c) = row[plan_.targets[c]];
      }
    }
    on_block_(block, first_row_);
    first_row_ += rows_;
    rows_ = 0;
    values_.clear();
  }

  std::size_t block_rows_;
  const DatasetBlockHandler& on_block_;
  ColumnPlan plan_{};
  std::size_t width_ = 0;
  std::vector<float> values_{};
  std::size_t rows_ = 0;
  std::size_t first_row_ = 0;
};

// Calls `read(first, count, values)` for consecutive pieces of at most `piece_rows` of `rows`
// rows of `width` values (once, with none, when there are no rows: readers check a file's end at
// their last read) and gathers the rows.
void gather_pieces(std::size_t rows, std::size_t width, std::size_t piece_rows,
                   BlockGatherer& gatherer,
                   const std::function<void(std::size_t first, std::size_t count,
                                            std::span<float> values)>& read) {
  std::vector<float> values;
  std::size_t first = 0;
  do {
    const std::size_t count = std::min(std::max<std::size_t>(piece_rows, 1), rows - first);
    values.resize(checked_multiply(count, width, "values in a block of rows"));
    read(first, count, values);
    for (std::size_t r = 0; r < count; ++r) {
      gatherer.add(std::span<const float>(values).subspan(r * width, width));
    }
    first += count;
  } while (first < rows);
}

// Reads a store's rows [first, first + count) as rows of its inputs then its targets. Stores are
// read in pieces of their checksummed blocks (data_store_block_rows): a read checks every block
// it touches whole, so smaller pieces would read and check each block several times.
void read_store_rows(const DataStoreReader& store, std::size_t first, std::size_t count,
                     std::span<float> values) {
  const DataStoreInfo& info = store.info();
  Matrix inputs(count, info.input_count);
  Matrix targets(count, info.target_count);
  store.read_rows(first, count, inputs.values(), targets.values());
  for (std::size_t r = 0; r < count; ++r) {
    const auto row = values.subspan(r * (info.input_count + info.target_count));
    std::ranges::copy(inputs.view().row(r), row.begin());
    std::ranges::copy(targets.view().row(r),
                      row.begin() + static_cast<std::ptrdiff_t>(info.input_count));
  }
}

// What reading a data set decides besides its rows, before the first block.
struct DatasetRead {
  const DataSource& source;
  DataLayout& layout;
  ColumnNames names;
  std::optional<std::size_t> input_width;
  std::size_t block_rows;
  bool classes_from_labels;
  std::string label_source{};  ///< the file the class labels come from, for messages
  std::optional<std::size_t> rows{};  ///< when the file says how many rows it has
};

// load_dataset's reading, block by block, targets as the file holds them (class labels as one
// column, not yet one-hot).
void read_raw_blocks(DatasetRead& read, const DatasetBlockHandler& on_block) {
  const DataSource& source = read.source;
  read.label_source = source.file.string();
  const bool store = !source.labels && is_data_store(source.file);
  if (!store && !source.labels && is_binary(source.file)) {
    throw DataError(source.file.string() +
                    ": an IDX file (found by its first bytes), whose labels come in a file of "
                    "their own: give it with --" +
                    source.labels_option);
  }
  BlockGatherer gatherer(read.block_rows, on_block);
  if (source.labels) {
    IdxDatasetReader idx(source.file, *source.labels, read.input_width);
    read.label_source = source.labels->string();
    if (read.layout.classes == 0) read.classes_from_labels = true;
    read.rows = idx.rows();
    const std::size_t pixels = idx.cols();
    gatherer.start({other_columns(pixels, {pixels}), {pixels}}, pixels + 1);
    Matrix images;
    std::vector<float> labels;
    gather_pieces(idx.rows(), pixels + 1, read.block_rows, gatherer,
                  [&](std::size_t, std::size_t count, std::span<float> values) {
                    images = Matrix(count, pixels);
                    labels.resize(count);
                    idx.read(count, images.values(), labels);
                    for (std::size_t r = 0; r < count; ++r) {
                      const auto row = values.subspan(r * (pixels + 1));
                      std::ranges::copy(images.view().row(r), row.begin());
                      row[pixels] = labels[r];
                    }
                  });
  } else if (store) {
    const DataStoreReader reader(source.file);
    const DataStoreInfo& info = reader.info();
    const std::size_t width = info.input_count + info.target_count;
    read.rows = info.rows;
    if (read.names == ColumnNames::record) {
      gatherer.start(record_store(source.file, info, read.layout), width);
      if (info.classes > 0) read.classes_from_labels = false;  // the store's count, kept by layout
    } else {
      gatherer.start(dataset_plan(store_header(info), width, source.file, read.layout, read.names),
                     width);
    }
    gather_pieces(info.rows, width, data_store_block_rows, gatherer,
                  [&](std::size_t first, std::size_t count, std::span<float> values) {
                    read_store_rows(reader, first, count, values);
                  });
  } else {
    read_csv_rows(
        source.file,
        [&](const std::vector<std::string>& header, std::size_t width) {
          gatherer.start(dataset_plan(header, width, source.file, read.layout, read.names), width);
        },
        [&](std::span<const float> row, std::size_t) { gatherer.add(row); });
  }
  gatherer.finish();
}

// Blocks appended into one matrix: allocated once when the file says how many rows it has,
// grown otherwise (a CSV file).
class RowAppender {
 public:
  void add(const Matrix& block, std::optional<std::size_t> rows) {
    cols_ = block.cols();
    if (rows && whole_.rows() != *rows) whole_ = Matrix(*rows, cols_);
    if (rows) {
      std::ranges::copy(block.values(), whole_.values().begin() +
                                            static_cast<std::ptrdiff_t>(filled_ * cols_));
    } else {
      grown_.insert(grown_.end(), block.values().begin(), block.values().end());
    }
    filled_ += block.rows();
  }
  Matrix take() {
    if (whole_.rows() == filled_ && whole_.cols() == cols_ && grown_.empty()) {
      return std::move(whole_);
    }
    Matrix values(filled_, cols_);
    std::ranges::copy(grown_, values.values().begin());
    return values;
  }

 private:
  Matrix whole_{};
  std::vector<float> grown_{};
  std::size_t cols_ = 0;
  std::size_t filled_ = 0;
};

}  // namespace

void record_store_layout(const std::filesystem::path& file, const DataStoreInfo& info,
                         DataLayout& layout) {
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
}

Dataset load_dataset(const DataSource& source, DataLayout& layout, bool classes_from_labels,
                     ColumnNames names, std::optional<std::size_t> input_width) {
  DatasetRead read{source, layout, names, input_width, evaluation_block_rows,
                   classes_from_labels, "", std::nullopt};
  RowAppender inputs;
  RowAppender targets;
  read_raw_blocks(read, [&](Dataset& block, std::size_t) {
    inputs.add(block.inputs, read.rows);
    targets.add(block.targets, read.rows);
  });
  Dataset data{inputs.take(), targets.take()};
  const bool labelled = source.labels || layout.classes > 0 || read.classes_from_labels;
  if (!labelled) return data;
  if (data.targets.cols() != 1) {
    throw DataError(read.label_source + ": class labels must be one column, --target names " +
                    std::to_string(data.targets.cols()));
  }
  if (read.classes_from_labels) {
    LargestLabel largest;
    largest.add(data.targets.values(), 0);
    layout.classes = largest.classes(read.label_source);
  }
  data.targets = one_hot(data.targets.values(), layout.classes, read.label_source);
  return data;
}

void read_dataset_blocks(const DataSource& source, const DataLayout& model_layout,
                         std::size_t input_width, std::size_t block_rows,
                         const DatasetBlockHandler& on_block) {
  DataLayout layout = model_layout;
  DatasetRead read{source, layout, ColumnNames::use, input_width, block_rows, false, "",
                   std::nullopt};
  if (source.labels && layout.classes == 0) {
    // Class labels counted from the data (an IDX file for a model without a class count): the
    // count must be known before the first block is encoded, so a first pass finds it.
    LargestLabel largest;
    read_raw_blocks(read, [&](Dataset& block, std::size_t first_row) {
      largest.add(block.targets.values(), first_row);
    });
    layout.classes = largest.classes(read.label_source);
  }
  const bool labelled = source.labels || layout.classes > 0;
  read_raw_blocks(read, [&](Dataset& block, std::size_t first_row) {
    if (labelled) {
      if (block.targets.cols() != 1) {
        throw DataError(read.label_source + ": class labels must be one column, --target names " +
                        std::to_string(block.targets.cols()));
      }
      block.targets = one_hot(block.targets.values(), layout.classes, read.label_source, first_row);
    }
    on_block(block, first_row);
  });
}

void read_input_blocks(const std::filesystem::path& file, const DataLayout& layout,
                       std::size_t input_width, std::size_t block_rows,
                       const InputBlockHandler& on_block) {
  const DatasetBlockHandler on_rows = [&](Dataset& block, std::size_t first_row) {
    on_block(block.inputs, first_row);
  };
  BlockGatherer gatherer(block_rows, on_rows);
  const bool store = is_data_store(file);
  if (!store && is_binary(file)) {
    IdxReader idx(file, input_width);
    gatherer.start({other_columns(idx.cols(), {}), {}}, idx.cols());
    gather_pieces(idx.rows(), idx.cols(), block_rows, gatherer,
                  [&](std::size_t, std::size_t count, std::span<float> values) {
                    idx.read(count, values);
                  });
  } else if (store) {
    const DataStoreReader reader(file);
    const DataStoreInfo& info = reader.info();
    const std::size_t width = info.input_count + info.target_count;
    gatherer.start(input_plan(store_header(info), width, file, layout, input_width), width);
    gather_pieces(info.rows, width, data_store_block_rows, gatherer,
                  [&](std::size_t first, std::size_t count, std::span<float> values) {
                    read_store_rows(reader, first, count, values);
                  });
  } else {
    read_csv_rows(
        file,
        [&](const std::vector<std::string>& header, std::size_t width) {
          gatherer.start(input_plan(header, width, file, layout, input_width), width);
        },
        [&](std::span<const float> row, std::size_t) { gatherer.add(row); });
  }
  gatherer.finish();
}

Matrix load_inputs(const std::filesystem::path& file, const DataLayout& layout,
                   std::size_t input_width) {
  RowAppender inputs;
  read_input_blocks(file, layout, input_width, evaluation_block_rows,
                    [&](Matrix& block, std::size_t) { inputs.add(block, std::nullopt); });
  return inputs.take();
}

}  // namespace fnn
