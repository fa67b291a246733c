#pragma once
// A data set in binary form ("fnn-data"): a safetensors file whose "__metadata__" says
// "format": "fnn-data", holding the inputs and targets as F32 tensors, the column names, the
// class count and per-column statistics, with a CRC-32 per block of rows and (from version 2)
// one of the header. docs/data.md has the layout; `fnn convert` writes it from CSV or IDX files.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fnn/dataset.hpp"
#include "fnn/export.hpp"

namespace fnn {

/// The version of the store format this fnn writes; it reads this one and version 1 (which has no
/// header checksum).
inline constexpr int data_store_version = 2;

/// Rows per checksummed block: a damaged byte is reported by its block of rows.
inline constexpr std::size_t data_store_block_rows = 4096;

/// What a store holds besides its values.
struct DataStoreInfo {
  std::size_t rows = 0;
  std::size_t input_count = 0;
  std::size_t target_count = 0;
  /// The source's header names of the input and the target columns; empty when it had none.
  std::vector<std::string> input_names{};
  std::vector<std::string> target_names{};
  /// 0: targets are values; n: one target column of class labels 0..n-1.
  std::size_t classes = 0;
  /// Per input column, over every row (population variance), accumulated in double.
  std::vector<double> mean{};
  std::vector<double> variance{};
};

/// Whether `file` starts as a store does: a safetensors length and a header that opens with its
/// "__metadata__" (what the writer puts first). Decided by content, never by name; a damaged
/// store still counts, so that reading it says what is wrong. False for "-" and unreadable files.
FNN_API bool is_data_store(const std::filesystem::path& file);

/// Writes a store row by row. Memory holds one block of rows; the values go to an anonymous
/// temporary file beside `file` and the store is put in place only by `finish`, atomically (a
/// temporary renamed over `file`). Destroyed without `finish` (an error while converting), it
/// leaves no file behind.
class FNN_API DataStoreWriter {
 public:
  /// `input_names` / `target_names` may be empty (a source without a header) or name every
  /// column. With `class_labels`, the one target column holds class labels (whole numbers from
  /// 0, checked by the caller) and the class count is the largest + 1. Throws DataError when
  /// `file` cannot be written (fnn::check_writable), SpecError for inconsistent names.
  DataStoreWriter(const std::filesystem::path& file, std::size_t input_count,
                  std::size_t target_count, std::vector<std::string> input_names,
                  std::vector<std::string> target_names, bool class_labels);
  ~DataStoreWriter();
  DataStoreWriter(const DataStoreWriter&) = delete;
  DataStoreWriter& operator=(const DataStoreWriter&) = delete;

  /// Adds one row; SpecError when a width differs from the constructor's.
  void add_row(std::span<const float> inputs, std::span<const float> targets);
  /// Writes the header and puts the store in place; DataError on I/O failure or with no rows.
  /// Returns what the store holds.
  DataStoreInfo finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// A store's header and every row (into `data` unless null), checked, from its bytes in memory
/// (fuzzing, tests); `name` stands for the file in messages. Throws DataError as DataStoreReader.
FNN_API DataStoreInfo read_data_store_bytes(std::string_view bytes,
                                            const std::filesystem::path& name, Dataset* data);

/// A store opened for reading: the header is read and checked when it is opened (sizes, types,
/// shapes, the file's length against them, and from version 2 the header's own CRC-32 before
/// anything in it is believed); rows are read at random (pread), each block that a read touches
/// checked against its CRC-32. Throws DataError naming the file and what is wrong: not a store, a
/// newer version, a damaged or malformed header, truncation or damage naming the block.
class FNN_API DataStoreReader {
 public:
  explicit DataStoreReader(const std::filesystem::path& file);
  ~DataStoreReader();
  DataStoreReader(const DataStoreReader&) = delete;
  DataStoreReader& operator=(const DataStoreReader&) = delete;

  const DataStoreInfo& info() const noexcept;
  /// A CRC-32 of every block's CRC-32 (inputs', then targets'), as 8 hex digits: it names the
  /// values without reading them (for comparing stores on the ranks of a job). The blocks' own
  /// CRC-32s are checked when they are read.
  std::string content_checksum() const;
  /// Rows [first, first + count) into `inputs` (count × input_count) and `targets`
  /// (count × target_count). SpecError for a range outside the store or spans of another size.
  void read_rows(std::size_t first, std::size_t count, std::span<float> inputs,
                 std::span<float> targets) const;
  /// The inputs of row `row` (input_count values), without checking its block's CRC-32: for
  /// training, which reads single rows at random after one checked pass over every block
  /// (fnn/sample_source.hpp). SpecError for a row outside the store or a span of another size;
  /// DataError when the read fails.
  void read_inputs_unchecked(std::size_t row, std::span<float> inputs) const;
  /// The targets of rows [first, first + count) (count × target_count values, class labels as
  /// stored), unchecked likewise, in one read: a batch's rows that lie close together in the
  /// store share it.
  void read_targets_unchecked(std::size_t first, std::size_t count, std::span<float> targets) const;
  /// DataError "FILE: changed while it was read (...)" when the path no longer names the file
  /// opened (device and inode), or its size or modification time differ from when it was
  /// opened: what the unchecked reads cannot see. One stat(2); nothing for bytes in memory.
  void check_unchanged() const;
  /// Every row: targets as stored (class labels as one column, not one-hot).
  Dataset read_all() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  friend DataStoreInfo read_data_store_bytes(std::string_view, const std::filesystem::path&,
                                             Dataset*);
};

}  // namespace fnn
