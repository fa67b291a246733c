#include "fnn/scaler.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "fnn/error.hpp"

namespace fnn {

namespace {

// Per-column statistics in double (float sums of many rows lose the digits the mean depends on),
// gathered row by row: the data is row-major, and a pass down each column would touch a new
// cache line for every value.
struct ColumnStatistics {
  std::vector<double> low, high, sum, squares;
};

ColumnStatistics column_statistics(Scaler::Method method, ConstMatrixView data) {
  const std::size_t cols = data.cols();
  const std::span<const float> first = data.row(0);
  ColumnStatistics stats{{first.begin(), first.end()}, {first.begin(), first.end()},
                         std::vector<double>(cols, 0.0), std::vector<double>(cols, 0.0)};
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const std::span<const float> row = data.row(r);
    for (std::size_t c = 0; c < cols; ++c) {
      const double x = row[c];
      stats.low[c] = std::min(stats.low[c], x);
      stats.high[c] = std::max(stats.high[c], x);
      stats.sum[c] += x;
    }
  }
  if (method != Scaler::Method::standardize) return stats;
  const auto rows = static_cast<double>(data.rows());
  for (std::size_t r = 0; r < data.rows(); ++r) {
    const std::span<const float> row = data.row(r);
    for (std::size_t c = 0; c < cols; ++c) {
      const double d = row[c] - stats.sum[c] / rows;
      stats.squares[c] += d * d;
    }
  }
  return stats;
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
  const ColumnStatistics stats = column_statistics(method, data);
  const auto rows = static_cast<double>(data.rows());
  for (std::size_t c = 0; c < data.cols(); ++c) {
    // A constant column is told apart by its range, exactly; its deviation may round to a tiny
    // non-zero value, whose inverse would blow the column up.
    const bool constant = stats.low[c] == stats.high[c];
    if (method == Method::min_max) {
      offsets_[c] = static_cast<float>(stats.low[c]);
      factors_[c] = constant ? 1.0F : static_cast<float>(1.0 / (stats.high[c] - stats.low[c]));
    } else {
      offsets_[c] = static_cast<float>(stats.sum[c] / rows);
      factors_[c] = constant ? 1.0F : static_cast<float>(1.0 / std::sqrt(stats.squares[c] / rows));
    }
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
