#pragma once
// Where a Trainer gathers its batches from: samples in memory, a data store read row by row
// (never loaded whole), or a subset of another source's rows (a validation split without a copy).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "fnn/dataset.hpp"
#include "fnn/evaluation.hpp"
#include "fnn/export.hpp"
#include "fnn/loss.hpp"
#include "fnn/matrix.hpp"
#include "fnn/network.hpp"
#include "fnn/scaler.hpp"

namespace fnn {

class DataStoreReader;

/// Samples as a trainer sees them: scaled inputs and (for classes) one-hot targets, by row.
/// `gather` may run on another thread than the one that trains (the trainer prefetches the next
/// batch while the current one computes), but never two at once on one source.
class FNN_API SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual std::size_t rows() const = 0;
  virtual std::size_t input_count() const = 0;
  virtual std::size_t target_count() const = 0;
  /// Row `rows[i]` into row i of `inputs` and `targets`, which have rows.size() rows of the
  /// source's widths. DataError when a row cannot be read.
  virtual void gather(std::span<const std::size_t> rows, MatrixView inputs,
                      MatrixView targets) const = 0;
};

/// Samples in memory (the views must outlive the source), as they are.
class FNN_API MatrixSource final : public SampleSource {
 public:
  MatrixSource(ConstMatrixView inputs, ConstMatrixView targets) noexcept;
  explicit MatrixSource(const Dataset& data) noexcept;
  std::size_t rows() const override { return inputs_.rows(); }
  std::size_t input_count() const override { return inputs_.cols(); }
  std::size_t target_count() const override { return targets_.cols(); }
  void gather(std::span<const std::size_t> rows, MatrixView inputs,
              MatrixView targets) const override;

 private:
  ConstMatrixView inputs_;
  ConstMatrixView targets_;
};

/// Rows of another source (which must outlive it), in the order given: rows i of the subset is
/// row `rows[i]` of `of`.
class FNN_API SubsetSource final : public SampleSource {
 public:
  /// SpecError when a row is outside `of`.
  SubsetSource(const SampleSource& of, std::vector<std::size_t> rows);
  std::size_t rows() const override { return rows_.size(); }
  std::size_t input_count() const override { return of_.input_count(); }
  std::size_t target_count() const override { return of_.target_count(); }
  void gather(std::span<const std::size_t> rows, MatrixView inputs,
              MatrixView targets) const override;

 private:
  const SampleSource& of_;
  std::vector<std::size_t> rows_;
  mutable std::vector<std::size_t> mapped_;  // gather's rows of `of_`, kept to allocate once
};

/// A data store (fnn/data_store.hpp) read row by row, never whole: inputs scaled by `scaler`
/// (none until set_scaler), class labels one-hot into `classes` columns. Opening it
/// checks every block's CRC-32 and every class label in one sequential pass; rows are then read
/// without checking the CRC-32 again, since a batch's random rows would otherwise read whole
/// blocks: one pread a row for its inputs, and one for the targets of the batch's rows that lie
/// close together in the store (docs/data.md). Each gathered label is checked again, and each
/// gather ends by checking that the file is unchanged since it was opened
/// (DataStoreReader::check_unchanged). Memory does not grow with the rows: one block of rows
/// while opening; then the batch's row order and one window of targets, kept between gathers
/// (so, as for every source, never two gathers at once: also not through two SubsetSources).
class FNN_API StoreSource final : public SampleSource {
 public:
  /// `classes`: one-hot the label column into this many classes (0: targets as stored).
  /// DataError as DataStoreReader, or for a label outside the classes (also from `gather`, naming
  /// the file and row), or from `gather` when the file changed since it was opened.
  explicit StoreSource(const std::filesystem::path& file, std::size_t classes = 0);
  ~StoreSource() override;
  const DataStoreReader& reader() const noexcept { return *reader_; }
  std::size_t classes() const noexcept { return classes_; }
  /// Inputs are scaled by it from now on; SpecError when its width is not input_count().
  void set_scaler(Scaler scaler);

  std::size_t rows() const override;
  std::size_t input_count() const override;
  std::size_t target_count() const override;
  void gather(std::span<const std::size_t> rows, MatrixView inputs,
              MatrixView targets) const override;

 private:
  void gather_targets(std::span<const std::size_t> rows, MatrixView targets) const;

  std::unique_ptr<DataStoreReader> reader_;
  std::filesystem::path file_;  // for messages
  std::size_t classes_ = 0;
  Scaler scaler_;
  mutable std::vector<std::size_t> order_;  // gather's places, by row: kept to allocate once
  mutable std::vector<float> window_;       // targets read by one pread of gather
};

/// Fits a scaler to the inputs of a source's rows in order, block by block (ScalerFit): what
/// Scaler(method, inputs) gives on the same rows in memory, bit for bit.
FNN_API Scaler fit_scaler(Scaler::Method method, const SampleSource& data);

/// `evaluate` (fnn/evaluation.hpp) of a source, gathered in blocks of evaluation_block_rows:
/// bit-identical to evaluating the same rows in memory.
FNN_API Evaluation evaluate(const Network& network, const Loss& loss, const SampleSource& data,
                            bool classes);

}  // namespace fnn
