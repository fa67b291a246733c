#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

class ScalerFit;

/// Per-column input scaling, fitted on training data and stored in the model file so that
/// evaluation and prediction see inputs scaled the same way: x' = (x - offset) * factor.
class FNN_API Scaler {
 public:
  enum class Method { none, standardize, min_max };

  /// "none", "standardize" (mean 0, deviation 1) or "minmax" (into [0, 1]); throws SpecError
  /// listing the three otherwise.
  static Method parse(const std::string& name);
  static std::string name(Method method);

  Scaler() = default;
  /// Fits to `data`. A constant column gets factor 1 (no division by zero).
  Scaler(Method method, ConstMatrixView data);
  /// Restores a fitted scaler (from a model file). Both vectors have one entry per column.
  Scaler(Method method, std::vector<float> offsets, std::vector<float> factors);

  Method method() const noexcept { return method_; }
  const std::vector<float>& offsets() const noexcept { return offsets_; }
  const std::vector<float>& factors() const noexcept { return factors_; }

  /// Scales in place. Throws SpecError when the width differs from the fitted one.
  void apply(MatrixView data) const;

 private:
  friend class ScalerFit;
  Method method_ = Method::none;
  std::vector<float> offsets_;
  std::vector<float> factors_;
};

/// Fits a Scaler to rows that arrive in blocks (a data store read block by block, in constant
/// memory): `add` every block in order; while `needs_another_pass()` (standardize: the squared
/// deviations need the means first), `next_pass()` and add every block again; then `result()`.
/// Scaler(method, data) is this with `data` as one block, and any cut into blocks gives the same
/// offsets and factors bit for bit (each column's values are added in row order).
class FNN_API ScalerFit {
 public:
  ScalerFit(Scaler::Method method, std::size_t cols);
  /// SpecError when the block's width is not `cols`.
  void add(ConstMatrixView block);
  bool needs_another_pass() const noexcept;
  void next_pass();
  /// SpecError for a method other than none fitted to no rows.
  Scaler result() const;

 private:
  Scaler::Method method_;
  std::size_t cols_;
  std::size_t pass_ = 0;
  std::size_t rows_ = 0;  // of the first pass
  // Per column in double (float sums of many rows lose the digits the mean depends on).
  std::vector<double> low_, high_, sum_, squares_;
};

}  // namespace fnn
