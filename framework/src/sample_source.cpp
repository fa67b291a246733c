#include "fnn/sample_source.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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

// How a gather reads the targets of a batch's rows, sorted by row: a row joins the read of the
// rows before it when the bytes between them are at most target_gap_bytes (copying that much
// from the page cache costs about what another pread does) and the read stays within
// target_window_bytes (its buffer; a row's targets at least). Fashion-MNIST's 60,000 labels are
// 240 KB: a batch's labels are one read.
constexpr std::size_t target_gap_bytes = 16384;
constexpr std::size_t target_window_bytes = 262144;

// What a whole-number label of `classes` classes is; anything else is refused.
bool valid_label(float label, std::size_t classes) {
  return label >= 0.0F && label < static_cast<float>(classes) && std::floor(label) == label;
}

// "FILE: row 7: label 3.000000 is not a class from 0 to 2" (`row` 0-based).
DataError label_error(const std::filesystem::path& file, std::size_t row, float label,
                      std::size_t classes) {
  return DataError(file.string() + ": row " + std::to_string(row + 1) + ": label " +
                   std::to_string(label) + " is not a class from 0 to " +
                   std::to_string(classes - 1));
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
    : reader_(std::make_unique<DataStoreReader>(file)), file_(file), classes_(classes) {
  const DataStoreInfo& info = reader_->info();
  if (classes_ > 0 && info.target_count != 1) {
    throw DataError(file.string() + ": class targets need one label column, the store has " +
                    std::to_string(info.target_count) + " target columns");
  }
  // The one checked pass: every block's CRC-32 (read_rows checks each block it reads) and every
  // label, so that the random single-row reads of training need not check the blocks again.
  // Nothing of it is kept: memory stays one block, whatever the rows.
  const std::size_t block = std::min(info.rows, data_store_block_rows);
  Matrix inputs(block, info.input_count);
  Matrix targets(block, info.target_count);
  for (std::size_t first = 0; first < info.rows; first += data_store_block_rows) {
    const std::size_t count = std::min(data_store_block_rows, info.rows - first);
    reader_->read_rows(first, count, inputs.values().first(count * info.input_count),
                       targets.values().first(count * info.target_count));
    if (classes_ == 0) continue;
    for (std::size_t r = 0; r < count; ++r) {
      const float label = targets(r, 0);
      if (!valid_label(label, classes_)) throw label_error(file, first + r, label, classes_);
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
  try {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      reader_->read_inputs_unchecked(rows[r], inputs.row(r));
    }
    gather_targets(rows, targets);
  } catch (const DataError&) {
    // A read cut short by a truncated store, or a label out of range, is told as the change
    // when the file changed.
    reader_->check_unchanged();
    throw;
  }
  // Once a gather, after its reads: a batch is used only if the file was still the one opened
  // when its rows had been read. Every batch (not every epoch: a source sees no epochs, only
  // gathers) costs one stat(2) beside its preads, one or more a row; the block reads of a
  // training epoch's evaluation and of fitting a scaler are checked likewise.
  reader_->check_unchanged();
  // The same arithmetic as scaling the loaded data, row by row.
  scaler_.apply(inputs.row_block(0, rows.size()));
}

void StoreSource::gather_targets(std::span<const std::size_t> rows, MatrixView targets) const {
  // The rows in store order, so that those whose targets lie close together are read by one
  // pread: a label is 4 bytes, and a syscall costs about the same for 4 bytes or 16 KiB.
  const std::size_t stored = reader_->info().target_count;
  const std::size_t row_bytes = stored * sizeof(float);  // checked when the store was opened
  const std::size_t gap_rows = std::max<std::size_t>(1, target_gap_bytes / row_bytes);
  const std::size_t window_rows = std::max<std::size_t>(1, target_window_bytes / row_bytes);
  window_.resize(window_rows * stored);  // allocates on the first gather only
  order_.resize(rows.size());
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  std::ranges::sort(order_, [&](std::size_t a, std::size_t b) { return rows[a] < rows[b]; });
  for (std::size_t i = 0; i < order_.size();) {
    const std::size_t first = rows[order_[i]];
    std::size_t end = i + 1;
    while (end < order_.size() && rows[order_[end]] - rows[order_[end - 1]] <= gap_rows &&
           rows[order_[end]] - first < window_rows) {
      ++end;
    }
    const std::size_t count = rows[order_[end - 1]] - first + 1;
    const std::span<float> read = std::span<float>(window_).first(count * stored);
    reader_->read_targets_unchecked(first, count, read);
    for (; i < end; ++i) {
      const std::size_t place = order_[i];
      const std::span<const float> target = read.subspan((rows[place] - first) * stored, stored);
      const std::span<float> target_row = targets.row(place);
      if (classes_ == 0) {
        std::ranges::copy(target, target_row.begin());
        continue;
      }
      const float label = target[0];
      if (!valid_label(label, classes_)) {
        // Checked when opened, so the file changed (gather reports it as such when its size,
        // time or identity tell) or was corrupted in place; never an index out of bounds.
        throw label_error(file_, rows[place], label, classes_);
      }
      std::ranges::fill(target_row, 0.0F);
      target_row[static_cast<std::size_t>(label)] = 1.0F;
    }
  }
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
