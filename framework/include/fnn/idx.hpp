#pragma once
#include <filesystem>

#include "fnn/dataset.hpp"
#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

/// Reads an IDX file (the MNIST / Fashion-MNIST format), plain or gzip-compressed (detected
/// from the content, not the name). Dimension 0 becomes the rows, the product of the others the
/// columns; values are converted to float as stored (pixels stay 0..255). All IDX element types
/// are read (u8, i8, i16, i32, f32, f64; big-endian).
/// Throws DataError with the file and byte offset for: a missing or empty file, a wrong magic
/// number, an unknown type code, a header whose dimensions exceed what the file can hold (refused
/// before allocating), truncated data, trailing bytes, NaN or infinity.
FNN_API Matrix read_idx(const std::filesystem::path& file);

/// An image file and its label file as a dataset: inputs = images (rows × pixels), targets = the
/// labels as one column. Throws DataError naming both files when the counts differ (more labels
/// than images or fewer) or the label file is not one-dimensional.
FNN_API Dataset read_idx_dataset(const std::filesystem::path& images,
                                 const std::filesystem::path& labels);

}  // namespace fnn
