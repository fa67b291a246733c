#pragma once
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>

#include "fnn/dataset.hpp"
#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

/// Reads an IDX file (the MNIST / Fashion-MNIST format), plain or gzip-compressed (detected
/// from the content, not the name). Dimension 0 becomes the rows, the product of the others the
/// columns; values are converted to float as stored (pixels stay 0..255). All IDX element types
/// are read (u8, i8, i16, i32, f32, f64; big-endian).
/// With `columns` (e.g. a network's input width), a header declaring rows of another width is
/// refused before the data is read. gzip data is decompressed as it is read and never past the
/// size the header declares, so memory follows what the file really holds, whatever its header
/// claims.
/// Throws DataError with the file and byte offset for: a missing or empty file, a wrong magic
/// number, an unknown type code, a header whose dimensions exceed what the file can hold (refused
/// before allocating) or whose rows are not `columns` wide, truncated data, trailing bytes, NaN
/// or infinity.
FNN_API Matrix read_idx(const std::filesystem::path& file,
                        std::optional<std::size_t> columns = std::nullopt);

/// An image file and its label file as a dataset: inputs = images (rows × pixels), targets = the
/// labels as one column. Both headers are checked (against each other and against `columns`)
/// before either file's data is read. Throws DataError as read_idx does, calling each file the
/// image or the labels file, and naming both files when the counts differ (more labels than
/// images or fewer) or the label file is not one-dimensional.
FNN_API Dataset read_idx_dataset(const std::filesystem::path& images,
                                 const std::filesystem::path& labels,
                                 std::optional<std::size_t> columns = std::nullopt);

/// An image file and its label file read a few rows at a time (fnn convert), so that memory
/// holds those rows, not the data set. Both headers are checked when it is made, as
/// read_idx_dataset checks them; each read checks what it reads (truncation, NaN), and the
/// read of the last row checks that both files end there. Throws DataError as read_idx_dataset.
class FNN_API IdxDatasetReader {
 public:
  /// With `columns`, an image file of another row width is refused first, as read_idx_dataset
  /// refuses it.
  IdxDatasetReader(const std::filesystem::path& images, const std::filesystem::path& labels,
                   std::optional<std::size_t> columns = std::nullopt);
  ~IdxDatasetReader();
  IdxDatasetReader(const IdxDatasetReader&) = delete;
  IdxDatasetReader& operator=(const IdxDatasetReader&) = delete;

  std::size_t rows() const noexcept;
  std::size_t cols() const noexcept;  ///< values per image
  /// The next `count` rows: `inputs` count × cols(), `labels` count. SpecError for more rows
  /// than are left or spans of other sizes.
  void read(std::size_t count, std::span<float> inputs, std::span<float> labels);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// One IDX file read a few rows at a time (fnn predict's images), as read_idx reads it whole:
/// the same checks and messages, memory for the rows read. Throws DataError as read_idx.
class FNN_API IdxReader {
 public:
  explicit IdxReader(const std::filesystem::path& file,
                     std::optional<std::size_t> columns = std::nullopt);
  ~IdxReader();
  IdxReader(const IdxReader&) = delete;
  IdxReader& operator=(const IdxReader&) = delete;

  std::size_t rows() const noexcept;
  std::size_t cols() const noexcept;
  /// The next `count` rows into `values` (count × cols()); SpecError for more rows than are
  /// left or a span of another size.
  void read(std::size_t count, std::span<float> values);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fnn
