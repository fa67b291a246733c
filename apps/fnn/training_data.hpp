#pragma once
// The data of a fnn train run, opened before the first epoch: the training rows (a data store
// streamed, streamed_training.hpp, or any other file loaded), the validation rows (held out of
// them, a fold, or --validation) and the --test rows. A --validation or --test store whose
// columns are the network's, in its order, is read block by block each time it is evaluated,
// never loaded.
#include <cstddef>
#include <cstdint>
#include <fnn/data_source.hpp>
#include <fnn/dataset.hpp>
#include <fnn/network.hpp>
#include <fnn/sample_source.hpp>
#include <fnn/scaler.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "command_line.hpp"
#include "streamed_training.hpp"

namespace fnn::cli {

/// A --validation or --test file for a network: a data store whose columns load_dataset would
/// take as they stand (the network's inputs then its targets, in the store's order) is read
/// through a StoreSource, block by block, never whole; any other file (CSV, IDX, a store whose
/// columns are picked by name in another order) is loaded whole as load_dataset reads it.
/// Either way the inputs are scaled by the training run's scaler and class labels are one-hot,
/// and evaluating it gives the same numbers bit for bit.
class EvaluationData {
 public:
  /// Reads, or opens (one checked pass over a store's blocks and labels), `source` for
  /// `network`, whose widths it must have. DataError as load_dataset or StoreSource, or naming
  /// the file, the network's widths and the data's (check_fits).
  /// `layout` changes as load_dataset changes it (an IDX file for a model without classes).
  EvaluationData(const DataSource& source, DataLayout& layout, const Network& network,
                 const Scaler& scaler);
  EvaluationData(const EvaluationData&) = delete;
  EvaluationData& operator=(const EvaluationData&) = delete;

  /// Whether the file is a store read block by block.
  bool streamed() const noexcept { return store_ != nullptr; }
  const SampleSource& rows() const noexcept { return *rows_; }
  /// The data as the ranks of a job compare it (fingerprint): rows, widths and a checksum of the
  /// scaled values in memory, or of a store's per-column statistics.
  std::string fingerprint() const;

 private:
  Dataset data_;  // loaded whole; no rows when streamed
  std::unique_ptr<StoreSource> store_;
  std::string scaled_by_;                 // the scaler's checksum, for a store's fingerprint
  std::unique_ptr<SampleSource> memory_;  // views data_
  const SampleSource* rows_ = nullptr;
};

/// --train, the validation rows and --test: what TrainingRun::train and the final test read.
/// Used in this order: construct (reads --train), hold_out, scale, then (with the network)
/// check_fits and open_evaluation; the sources are valid from then on.
class TrainingData {
 public:
  /// Reads --train (with --train-labels): a store streams unless StreamedTraining::streams says
  /// otherwise or a fold is to be cut (folds stratify the rows in memory). `record`: a new
  /// model, whose layout the data records; `classes_from_labels`: --classes for a new model.
  /// DataError for data without samples or without input columns.
  TrainingData(const po::variables_map& values, DataLayout& layout, bool record,
               bool classes_from_labels, bool folds);
  TrainingData(const TrainingData&) = delete;
  TrainingData& operator=(const TrainingData&) = delete;

  std::size_t input_count() const noexcept { return input_count_; }
  std::size_t target_count() const noexcept { return target_count_; }

  /// Holds out the validation rows: fold `fold->first` of `fold->second` (stratified by class
  /// with `classes`), or `fraction` of the rows (none for 0), as split_fold and
  /// split_validation choose them.
  void hold_out(double fraction, const std::optional<std::pair<std::size_t, std::size_t>>& fold,
                std::uint64_t seed, bool classes);
  /// The scaler fitted on the training rows (bit-identical streamed or in memory).
  Scaler fit(Scaler::Method method) const;
  /// Scales the training and held-out rows.
  void scale(const Scaler& scaler);

  /// DataError naming --train when the network's widths are not the data's.
  void check_fits(const Network& network) const;
  /// Opens --test, then --validation (which replaces held-out rows), for `network`, scaled by
  /// `scaler`: everything the run reads is checked before the first epoch.
  void open_evaluation(const po::variables_map& values, DataLayout& layout, const Network& network,
                       const Scaler& scaler);

  const SampleSource& train() const noexcept;
  /// The rows validated after each epoch (possibly none).
  const SampleSource& validation() const noexcept;
  /// --test; null without it.
  const EvaluationData* test() const noexcept { return test_.get(); }

  /// The training and the validation data as the ranks of a job compare them.
  std::string train_fingerprint() const;
  std::string validation_fingerprint() const;

 private:
  std::string train_file_;
  std::optional<StreamedTraining> streamed_;
  Dataset train_;                               // in memory; no rows when streamed
  Dataset held_;                                // the held-out rows or fold in memory
  std::unique_ptr<MatrixSource> train_memory_;  // views train_
  std::unique_ptr<MatrixSource> held_memory_;   // views held_
  std::size_t input_count_ = 0;
  std::size_t target_count_ = 0;
  std::unique_ptr<EvaluationData> test_;
  std::unique_ptr<EvaluationData> validation_file_;
};

}  // namespace fnn::cli
