#include "fnn/matrix.hpp"

#include "fnn/error.hpp"

namespace fnn {

Matrix::Matrix(std::size_t rows, std::size_t cols)
    : rows_(rows), cols_(cols), values_(rows * cols, 0.0F) {}

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
