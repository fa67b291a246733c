#include "fnn/scaler.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "fnn/error.hpp"

namespace fnn {

ScalerFit::ScalerFit(Scaler::Method method, std::size_t cols)
    : method_(method),
      cols_(cols),
      low_(cols, 0.0),
      high_(cols, 0.0),
      sum_(cols, 0.0),
      squares_(cols, 0.0) {}

// Row by row: the data is row-major, and a pass down each column would touch a new cache line for
// every value.
void ScalerFit::add(ConstMatrixView block) {
  if (block.cols() != cols_) {
    throw SpecError("fitting the '" + Scaler::name(method_) + "' scaler to " +
                    std::to_string(cols_) + " columns, a block of rows has " +
                    std::to_string(block.cols()));
  }
  if (method_ == Scaler::Method::none || block.rows() == 0) return;
  if (pass_ == 0) {
    if (rows_ == 0) {
      const std::span<const float> first = block.row(0);
      std::copy(first.begin(), first.end(), low_.begin());
      std::copy(first.begin(), first.end(), high_.begin());
    }
    for (std::size_t r = 0; r < block.rows(); ++r) {
      const std::span<const float> row = block.row(r);
      for (std::size_t c = 0; c < cols_; ++c) {
        const double x = row[c];
        low_[c] = std::min(low_[c], x);
        high_[c] = std::max(high_[c], x);
        sum_[c] += x;
      }
    }
    rows_ += block.rows();
    return;
  }
  const auto rows = static_cast<double>(rows_);
  for (std::size_t r = 0; r < block.rows(); ++r) {
    const std::span<const float> row = block.row(r);
    for (std::size_t c = 0; c < cols_; ++c) {
      const double d = row[c] - sum_[c] / rows;
      squares_[c] += d * d;
    }
  }
}

bool ScalerFit::needs_another_pass() const noexcept {
  return method_ == Scaler::Method::standardize && pass_ == 0 && rows_ > 0;
}

void ScalerFit::next_pass() { pass_ = 1; }

Scaler ScalerFit::result() const {
  // "none" still records the width, so that apply() catches data of another shape.
  Scaler fitted;  // not the restoring constructor: data with infinities is not its damage
  fitted.method_ = method_;
  std::vector<float>& offsets = fitted.offsets_;
  std::vector<float>& factors = fitted.factors_;
  offsets.assign(cols_, 0.0F);
  factors.assign(cols_, 1.0F);
  if (method_ == Scaler::Method::none) return fitted;
  if (rows_ == 0) {
    throw SpecError("cannot fit '" + Scaler::name(method_) + "' scaling to data with no rows");
  }
  const auto rows = static_cast<double>(rows_);
  for (std::size_t c = 0; c < cols_; ++c) {
    // A constant column is told apart by its range, exactly; its deviation may round to a tiny
    // non-zero value, whose inverse would blow the column up.
    const bool constant = low_[c] == high_[c];
    if (method_ == Scaler::Method::min_max) {
      offsets[c] = static_cast<float>(low_[c]);
      factors[c] = constant ? 1.0F : static_cast<float>(1.0 / (high_[c] - low_[c]));
    } else {
      offsets[c] = static_cast<float>(sum_[c] / rows);
      factors[c] = constant ? 1.0F : static_cast<float>(1.0 / std::sqrt(squares_[c] / rows));
    }
  }
  return fitted;
}

Scaler::Method Scaler::parse(const std::string& name) {
  if (name == "none") return Method::none;
  if (name == "standardize") return Method::standardize;
  if (name == "minmax") return Method::min_max;
  throw SpecError("unknown scaling method '" + name +
                  "', expected one of: none, standardize, minmax");
}

std::string Scaler::name(Method method) {
  switch (method) {
    case Method::none:
      return "none";
    case Method::standardize:
      return "standardize";
    case Method::min_max:
      return "minmax";
  }
  throw SpecError("unknown scaling method number " + std::to_string(static_cast<int>(method)));
}

Scaler::Scaler(Method method, ConstMatrixView data) {
  ScalerFit fit(method, data.cols());
  fit.add(data);
  if (fit.needs_another_pass()) {
    fit.next_pass();
    fit.add(data);
  }
  *this = fit.result();
}

Scaler::Scaler(Method method, std::vector<float> offsets, std::vector<float> factors)
    : method_(method), offsets_(std::move(offsets)), factors_(std::move(factors)) {
  if (offsets_.size() != factors_.size()) {
    throw SpecError("scaler: " + std::to_string(offsets_.size()) + " offsets but " +
                    std::to_string(factors_.size()) + " factors, expected one of each per column");
  }
  // Restored vectors come from a file: a damaged one must not turn every input into NaN.
  for (std::size_t c = 0; c < offsets_.size(); ++c) {
    if (!std::isfinite(offsets_[c]) || !std::isfinite(factors_[c])) {
      throw SpecError("scaler: column " + std::to_string(c + 1) +
                      " has a non-finite offset or factor, expected finite numbers");
    }
  }
}

void Scaler::apply(MatrixView data) const {
  // A default scaler was never fitted: it has no width and leaves any data as it is.
  if (method_ == Method::none && offsets_.empty()) return;
  if (data.cols() != offsets_.size()) {
    throw SpecError("the '" + name(method_) + "' scaler was fitted to " +
                    std::to_string(offsets_.size()) + " columns, the data has " +
                    std::to_string(data.cols()));
  }
  if (method_ == Method::none) return;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const std::span<float> row = data.row(r);
    for (std::size_t c = 0; c < row.size(); ++c) row[c] = (row[c] - offsets_[c]) * factors_[c];
  }
}

}  // namespace fnn
