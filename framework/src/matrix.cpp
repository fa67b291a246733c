#include "fnn/matrix.hpp"

#include "fnn/error.hpp"
#include "fnn/sizes.hpp"

namespace fnn {

namespace {

// rows × cols, refused before anything is allocated when it wraps or cannot fit in memory. The
// last line of defence: callers that know where a size came from check it first, naming it.
std::size_t checked_size(std::size_t rows, std::size_t cols) {
  const std::size_t count = checked_multiply(rows, cols, "a matrix's rows × columns");
  if (const auto shortfall = memory_shortfall(static_cast<double>(count))) {
    throw SpecError("a " + std::to_string(rows) + " × " + std::to_string(cols) + " matrix needs " +
                    *shortfall);
  }
  return count;
}

}  // namespace

Matrix::Matrix(std::size_t rows, std::size_t cols)
    : rows_(rows), cols_(cols), values_(checked_size(rows, cols), 0.0F) {}

Matrix::Matrix(std::initializer_list<std::initializer_list<float>> rows)
    : rows_(rows.size()), cols_(rows.size() == 0 ? 0 : rows.begin()->size()) {
  values_.reserve(rows_ * cols_);
  for (const auto& row : rows) {
    if (row.size() != cols_) {
      throw SpecError("Matrix: row " + std::to_string(values_.size() / cols_ + 1) + " has " +
                      std::to_string(row.size()) + " values, the first row has " +
                      std::to_string(cols_));
    }
    values_.insert(values_.end(), row.begin(), row.end());
  }
}

}  // namespace fnn
