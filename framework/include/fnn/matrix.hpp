#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "fnn/export.hpp"

namespace fnn {

/// A non-owning view of a row-major float matrix: `rows` samples of `cols` values each, rows
/// `stride` floats apart (stride == cols for a dense block). Views are cheap values; whoever made
/// the memory owns it.
template <class T>
class BasicMatrixView {
 public:
  BasicMatrixView() = default;
  BasicMatrixView(T* data, std::size_t rows, std::size_t cols)
      : BasicMatrixView(data, rows, cols, cols) {}
  BasicMatrixView(T* data, std::size_t rows, std::size_t cols, std::size_t stride)
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {}
  /// A mutable view converts to a read-only one.
  operator BasicMatrixView<const T>() const { return {data_, rows_, cols_, stride_}; }

  T* data() const noexcept { return data_; }
  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t stride() const noexcept { return stride_; }
  std::size_t size() const noexcept { return rows_ * cols_; }
  bool contiguous() const noexcept { return stride_ == cols_ || rows_ <= 1; }

  T& operator()(std::size_t row, std::size_t col) const noexcept {
    return data_[row * stride_ + col];
  }
  std::span<T> row(std::size_t r) const noexcept { return {data_ + r * stride_, cols_}; }
  /// Rows [first, first + count) as a view of the same memory.
  BasicMatrixView row_block(std::size_t first, std::size_t count) const noexcept {
    return {data_ + first * stride_, count, cols_, stride_};
  }

 private:
  T* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t stride_ = 0;
};

using MatrixView = BasicMatrixView<float>;
using ConstMatrixView = BasicMatrixView<const float>;

/// An owning row-major float matrix, zero-initialised. Use it to hold data; pass views to APIs.
class FNN_API Matrix {
 public:
  Matrix() = default;
  /// Throws SpecError, before allocating, when rows × cols wraps or cannot fit in memory.
  Matrix(std::size_t rows, std::size_t cols);
  /// Rows given in place, e.g. `Matrix{{0, 1}, {1, 0}}`; every row must be as long as the first.
  Matrix(std::initializer_list<std::initializer_list<float>> rows);

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  float* data() noexcept { return values_.data(); }
  const float* data() const noexcept { return values_.data(); }
  float& operator()(std::size_t r, std::size_t c) noexcept { return values_[r * cols_ + c]; }
  float operator()(std::size_t r, std::size_t c) const noexcept { return values_[r * cols_ + c]; }
  std::span<float> values() noexcept { return values_; }
  std::span<const float> values() const noexcept { return values_; }

  MatrixView view() noexcept { return {values_.data(), rows_, cols_}; }
  ConstMatrixView view() const noexcept { return {values_.data(), rows_, cols_}; }
  operator MatrixView() noexcept { return view(); }
  operator ConstMatrixView() const noexcept { return view(); }

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<float> values_;
};

}  // namespace fnn
