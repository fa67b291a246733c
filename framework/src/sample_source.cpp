#include "fnn/sample_source.hpp"

#include <algorithm>
#include <cmath>

#include "fnn/data_store.hpp"
#include "fnn/error.hpp"
#include "fnn/sizes.hpp"

namespace fnn {

namespace {

// Rows first .. first + count as a row list, for gathering a source in order.
std::span<const std::size_t> row_range(std::vector<std::size_t>& rows, std::size_t first,
                                       std::size_t count) {
  rows.resize(count);
  for (std::size_t i = 0; i < count; ++i) rows[i] = first + i;
  return rows;
}

// What a whole-number label of `classes` classes is; anything else is refused.
bool valid_label(float label, std::size_t classes) {
  return label >= 0.0F && label < static_cast<float>(classes) && std::floor(label) == label;
}

}  // namespace

MatrixSource::MatrixSource(ConstMatrixView inputs, ConstMatrixView targets) noexcept
    : inputs_(inputs), targets_(targets) {}

MatrixSource::MatrixSource(const Dataset& data) noexcept
    : MatrixSource(data.inputs.view(), data.targets.view()) {}

void MatrixSource::gather(std::span<const std::size_t> rows, MatrixView inputs,
                          MatrixView targets) const {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::ranges::copy(inputs_.row(rows[r]), inputs.row(r).begin());
    std::ranges::copy(targets_.row(rows[r]), targets.row(r).begin());
  }
}

SubsetSource::SubsetSource(const SampleSource& of, std::vector<std::size_t> rows)
    : of_(of), rows_(std::move(rows)) {
  for (const std::size_t row : rows_) {
    if (row >= of_.rows()) {
      throw SpecError("a subset names row " + std::to_string(row) + " of a source of " +
                      std::to_string(of_.rows()) + " rows");
    }
  }
}

void SubsetSource::gather(std::span<const std::size_t> rows, MatrixView inputs,
                          MatrixView targets) const {
  mapped_.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) mapped_[i] = rows_[rows[i]];
  of_.gather(mapped_, inputs, targets);
}

StoreSource::StoreSource(const std::filesystem::path& file, std::size_t classes)
    : reader_(std::make_unique<DataStoreReader>(file)), classes_(classes) {
  const DataStoreInfo& info = reader_->info();
  if (classes_ > 0 && info.target_count != 1) {
    throw DataError(file.string() + ": class targets need one label column, the store has " +
                    std::to_string(info.target_count) + " target columns");
  }
  // The one checked pass: every block's CRC-32 (read_rows checks each block it reads) and every
  // label, so that the random single-row reads of training need not check again.
  // One syscall a sampled row instead of two: the targets (one label a row for classes) stay.
  targets_.resize(checked_multiply(info.rows, info.target_count, "the store's targets"));
  Matrix inputs(std::min(info.rows, data_store_block_rows), info.input_count);
  for (std::size_t first = 0; first < info.rows; first += data_store_block_rows) {
    const std::size_t count = std::min(data_store_block_rows, info.rows - first);
    const std::span<float> targets =
        std::span<float>(targets_).subspan(first * info.target_count, count * info.target_count);
    reader_->read_rows(first, count, inputs.values().first(count * info.input_count), targets);
    if (classes_ == 0) continue;
    for (std::size_t r = 0; r < count; ++r) {
      const float label = targets[r];
      if (!valid_label(label, classes_)) {
        throw DataError(file.string() + ": row " + std::to_string(first + r + 1) + ": label " +
                        std::to_string(label) + " is not a class from 0 to " +
                        std::to_string(classes_ - 1));
      }
    }
  }
  scaler_ = Scaler(Scaler::Method::none, {}, {});
}

StoreSource::~StoreSource() = default;

void StoreSource::set_scaler(Scaler scaler) {
  if (scaler.offsets().size() != input_count()) {
    throw SpecError("the scaler was fitted to " + std::to_string(scaler.offsets().size()) +
                    " columns, the store has " + std::to_string(input_count()) + " inputs");
  }
  scaler_ = std::move(scaler);
}

std::size_t StoreSource::rows() const {
  return reader_->info().rows;
}
std::size_t StoreSource::input_count() const {
  return reader_->info().input_count;
}
std::size_t StoreSource::target_count() const {
  return classes_ > 0 ? classes_ : reader_->info().target_count;
}

void StoreSource::gather(std::span<const std::size_t> rows, MatrixView inputs,
                         MatrixView targets) const {
  const std::size_t stored = reader_->info().target_count;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    reader_->read_inputs_unchecked(rows[r], inputs.row(r));
    const std::span<const float> target(targets_.data() + rows[r] * stored, stored);
    const std::span<float> target_row = targets.row(r);
    if (classes_ == 0) {
      std::ranges::copy(target, target_row.begin());
      continue;
    }
    std::ranges::fill(target_row, 0.0F);
    target_row[static_cast<std::size_t>(target[0])] = 1.0F;  // checked when opened
  }
  // The same arithmetic as scaling the loaded data, row by row.
  scaler_.apply(inputs.row_block(0, rows.size()));
}

Scaler fit_scaler(Scaler::Method method, const SampleSource& data) {
  ScalerFit fit(method, data.input_count());
  if (method == Scaler::Method::none) return fit.result();
  const std::size_t block = std::min(data.rows(), data_store_block_rows);
  Matrix inputs(block, data.input_count());
  Matrix targets(block, data.target_count());
  std::vector<std::size_t> rows;
  for (bool again = true; again;) {
    for (std::size_t first = 0; first < data.rows(); first += block) {
      const std::size_t count = std::min(block, data.rows() - first);
      data.gather(row_range(rows, first, count), inputs.view(), targets.view());
      fit.add(inputs.view().row_block(0, count));
    }
    again = fit.needs_another_pass();
    if (again) fit.next_pass();
  }
  return fit.result();
}

Evaluation evaluate(const Network& network, const Loss& loss, const SampleSource& data,
                    bool classes) {
  EvaluationSum sum(network, loss, classes);
  const std::size_t block = std::min(data.rows(), evaluation_block_rows);
  Matrix inputs(block, data.input_count());
  Matrix targets(block, data.target_count());
  std::vector<std::size_t> rows;
  for (std::size_t first = 0; first < data.rows(); first += block) {
    const std::size_t count = std::min(block, data.rows() - first);
    data.gather(row_range(rows, first, count), inputs.view().row_block(0, count),
                targets.view().row_block(0, count));
    sum.add(inputs.view().row_block(0, count), targets.view().row_block(0, count));
  }
  return sum.result();
}

}  // namespace fnn
