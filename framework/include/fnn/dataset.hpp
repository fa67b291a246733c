#pragma once
#include <cstddef>
#include <span>
#include <string>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

/// Samples as rows: `inputs` (rows × features) and `targets` (rows × outputs).
struct Dataset {
  Matrix inputs;
  Matrix targets;
};

/// One row per label, a 1 in the label's column: labels must be whole numbers in [0, classes).
/// `source` names where the labels came from, for the error message (e.g. "labels.csv").
/// Throws DataError naming the row (1-based, counted from `first_row` + 1 for a block of a larger
/// set) of the first bad label, or when the encoded
/// targets cannot fit in memory.
FNN_API Matrix one_hot(std::span<const float> labels, std::size_t classes,
                       const std::string& source, std::size_t first_row = 0);

/// The index of the largest value of each row: the predicted class of a one-hot-trained network.
FNN_API std::size_t arg_max(std::span<const float> row);

/// Rows [first, first + count) of a dataset, copied (for validation splits).
FNN_API Dataset slice(const Dataset& data, std::size_t first, std::size_t count);

}  // namespace fnn
