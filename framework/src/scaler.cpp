#include "fnn/scaler.hpp"

#include <algorithm>
#include <cmath>

#include "fnn/error.hpp"

namespace fnn {

namespace {

struct ColumnFit {
  float offset;
  float factor;
};

// Statistics in double: float sums of many rows lose the digits that the mean depends on.
ColumnFit fit_column(Scaler::Method method, ConstMatrixView data, std::size_t col) {
  double low = data(0, col);
  double high = low;
  double sum = 0.0;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const double x = data(r, col);
    low = std::min(low, x);
    high = std::max(high, x);
    sum += x;
  }
  // A constant column is told apart by its range, exactly; its deviation may round to a tiny
  // non-zero value, whose inverse would blow the column up.
  const bool constant = low == high;
  if (method == Scaler::Method::min_max) {
    return {static_cast<float>(low), constant ? 1.0F : static_cast<float>(1.0 / (high - low))};
  }
  const double mean = sum / static_cast<double>(data.rows());
  double squares = 0.0;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const double d = data(r, col) - mean;
    squares += d * d;
  }
  const double deviation = std::sqrt(squares / static_cast<double>(data.rows()));
  return {static_cast<float>(mean), constant ? 1.0F : static_cast<float>(1.0 / deviation)};
}

}  // namespace

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

Scaler::Scaler(Method method, ConstMatrixView data) : method_(method) {
  // "none" still records the width, so that apply() catches data of another shape.
  offsets_.assign(data.cols(), 0.0F);
  factors_.assign(data.cols(), 1.0F);
  if (method == Method::none) return;
  if (data.rows() == 0) {
    throw SpecError("cannot fit '" + name(method) + "' scaling to data with no rows");
  }
  for (std::size_t c = 0; c < data.cols(); ++c) {
    const ColumnFit fit = fit_column(method, data, c);
    offsets_[c] = fit.offset;
    factors_[c] = fit.factor;
  }
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
