#include "fnn/dataset.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "fnn/error.hpp"
#include "fnn/sizes.hpp"

namespace fnn {

namespace {

// The shortest text that reads back as the same float ("2.5", "-1", "nan").
std::string float_text(float value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// Rows [first, first + count) of `matrix`; the caller has checked the range.
Matrix copy_rows(const Matrix& matrix, std::size_t first, std::size_t count) {
  Matrix rows(count, matrix.cols());
  const auto from = matrix.values().subspan(first * matrix.cols(), count * matrix.cols());
  std::copy(from.begin(), from.end(), rows.values().begin());
  return rows;
}

}  // namespace

Matrix one_hot(std::span<const float> labels, std::size_t classes, const std::string& source,
               std::size_t first_row) {
  if (classes == 0) throw SpecError(source + ": one-hot encoding needs at least 1 class, got 0");
  // Measured in floating point: rows × classes may not fit in 64 bits (a model file's class count).
  if (const auto shortfall =
          memory_shortfall(static_cast<double>(labels.size()) * static_cast<double>(classes))) {
    throw DataError(source + ": one-hot targets for " + std::to_string(labels.size()) +
                    " rows of " + std::to_string(classes) + " classes need " + *shortfall);
  }
  Matrix encoded(labels.size(), classes);
  for (std::size_t row = 0; row < labels.size(); ++row) {
    const float label = labels[row];
    // Compared as float: every whole number a float label can hold is exact there.
    if (!(label >= 0.0F && label < static_cast<float>(classes) && std::floor(label) == label)) {
      throw DataError(source + ": row " + std::to_string(first_row + row + 1) +
                      ": expected a class label, a whole number from 0 to " +
                      std::to_string(classes - 1) + ", found " + float_text(label));
    }
    encoded(row, static_cast<std::size_t>(label)) = 1.0F;
  }
  return encoded;
}

std::size_t arg_max(std::span<const float> row) {
  if (row.empty()) throw SpecError("arg_max: the row is empty, there is no class to pick");
  return static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

Dataset slice(const Dataset& data, std::size_t first, std::size_t count) {
  const std::size_t rows = data.inputs.rows();
  if (data.targets.rows() != rows) {
    throw SpecError("slice: the dataset has " + std::to_string(rows) + " input rows but " +
                    std::to_string(data.targets.rows()) + " target rows");
  }
  // Written so that first + count cannot overflow.
  if (first > rows || count > rows - first) {
    throw SpecError("slice: cannot take " + std::to_string(count) + " rows from row " +
                    std::to_string(first) + " (0-based): the dataset has " + std::to_string(rows) +
                    " rows");
  }
  return {copy_rows(data.inputs, first, count), copy_rows(data.targets, first, count)};
}

}  // namespace fnn
