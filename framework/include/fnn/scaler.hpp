#pragma once
#include <string>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

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
  Method method_ = Method::none;
  std::vector<float> offsets_;
  std::vector<float> factors_;
};

}  // namespace fnn
