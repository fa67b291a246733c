#include "training_data.hpp"

#include <fnn/data_store.hpp>
#include <fnn/error.hpp>
#include <fnn/training_run.hpp>
#include <vector>

#include "component_options.hpp"
#include "distributed.hpp"

namespace fnn::cli {

namespace {

DataSource source(const po::variables_map& values, const std::string& data_option,
                  const std::string& labels_option) {
  DataSource result{values[data_option].as<std::string>(), std::nullopt, labels_option};
  if (values.count(labels_option)) result.labels = values[labels_option].as<std::string>();
  return result;
}

// The training data must have samples and at least one input column, before a network is built
// from it (a one-column file would otherwise be blamed on --hidden).
void check_trainable(const Dataset& data, const std::string& file) {
  if (data.inputs.rows() == 0) throw DataError(file + ": there are no training samples");
  if (data.inputs.cols() == 0) {
    throw DataError(file + ": every column is a target (" + std::to_string(data.targets.cols()) +
                    "), so the network would have no inputs; give data with input columns, or "
                    "name fewer --target columns");
  }
}

// Rows, widths and checksums of data in memory, as the ranks of a job compare it.
std::string shape_text(const Dataset& data) {
  return std::to_string(data.inputs.rows()) + " rows, " + std::to_string(data.inputs.cols()) +
         " inputs, " + std::to_string(data.targets.cols()) + " targets, checksum " +
         checksum(data.inputs.values()) + "/" + checksum(data.targets.values());
}

}  // namespace

EvaluationData::EvaluationData(const DataSource& source, DataLayout& layout, const Network& network,
                               const Scaler& scaler) {
  const std::string file = source.file.string();
  if (!source.labels && store_in_layout_order(source.file, layout)) {
    store_ = std::make_unique<StoreSource>(source.file, layout.classes);
    // The widths as check_fits words them for data in memory: the same message.
    fnn::check_fits(network,
                    Dataset{Matrix(0, store_->input_count()), Matrix(0, store_->target_count())},
                    file);
    store_->set_scaler(scaler);
    scaled_by_ = checksum(scaler.offsets()) + "/" + checksum(scaler.factors());
    rows_ = store_.get();
    return;
  }
  data_ = load_dataset(source, layout, false, ColumnNames::use, network.input_size());
  fnn::check_fits(network, data_, file);
  scaler.apply(data_.inputs);
  memory_ = std::make_unique<MatrixSource>(data_);
  rows_ = memory_.get();
}

std::string EvaluationData::fingerprint() const {
  if (!store_) return shape_text(data_);
  return std::to_string(store_->rows()) + " rows, " + std::to_string(store_->input_count()) +
         " inputs, " + std::to_string(store_->target_count()) + " targets, " +
         store_contents(store_->reader()) + ", scaled by " + scaled_by_;
}

TrainingData::TrainingData(const po::variables_map& values, DataLayout& layout, bool record,
                           bool classes_from_labels, bool folds)
    : train_file_(values["train"].as<std::string>()) {
  if (!values.count("train-labels") && !folds &&
      StreamedTraining::streams(train_file_, layout, record, classes_from_labels)) {
    // Rows are read as batches need them, never loaded whole: `train_` holds only the widths.
    streamed_.emplace(train_file_, layout, record);
    const SampleSource& rows = streamed_->train();
    train_ = Dataset{Matrix(0, rows.input_count()), Matrix(0, rows.target_count())};
    if (rows.input_count() == 0) check_trainable(train_, train_file_);  // names the problem
  } else {
    train_ = load_dataset(source(values, "train", "train-labels"), layout, classes_from_labels,
                          record ? ColumnNames::record : ColumnNames::use);
    check_trainable(train_, train_file_);
  }
  input_count_ = train_.inputs.cols();
  target_count_ = train_.targets.cols();
}

void TrainingData::hold_out(double fraction,
                            const std::optional<std::pair<std::size_t, std::size_t>>& fold,
                            std::uint64_t seed, bool classes) {
  if (streamed_) {
    streamed_->split(fraction, seed);  // folds are never streamed
  } else if (fold) {
    held_ = from_options(
        "--folds", [&] { return split_fold(train_, fold->first, fold->second, seed, classes); });
  } else {
    held_ = split_validation(train_, fraction, seed);
  }
  train_memory_ = std::make_unique<MatrixSource>(train_);
  held_memory_ = std::make_unique<MatrixSource>(held_);
}

Scaler TrainingData::fit(Scaler::Method method) const {
  return streamed_ ? streamed_->fit(method) : Scaler(method, train_.inputs);
}

void TrainingData::scale(const Scaler& scaler) {
  if (streamed_) {
    streamed_->scale(scaler);
    return;
  }
  scaler.apply(train_.inputs);
  if (held_.inputs.rows()) scaler.apply(held_.inputs);
}

void TrainingData::check_fits(const Network& network) const {
  fnn::check_fits(network, train_, train_file_);
}

void TrainingData::open_evaluation(const po::variables_map& values, DataLayout& layout,
                                   const Network& network, const Scaler& scaler) {
  if (values.count("test")) {
    test_ = std::make_unique<EvaluationData>(source(values, "test", "test-labels"), layout, network,
                                             scaler);
  }
  if (values.count("validation")) {
    validation_file_ = std::make_unique<EvaluationData>(
        source(values, "validation", "validation-labels"), layout, network, scaler);
  }
}

const SampleSource& TrainingData::train() const noexcept {
  return streamed_ ? streamed_->train() : *train_memory_;
}

const SampleSource& TrainingData::validation() const noexcept {
  if (validation_file_) return validation_file_->rows();
  if (streamed_ && streamed_->validation()) return *streamed_->validation();
  return *held_memory_;
}

std::string TrainingData::train_fingerprint() const {
  return streamed_ ? streamed_->fingerprint() : shape_text(train_);
}

std::string TrainingData::validation_fingerprint() const {
  // Held-out rows of a streamed store are part of its fingerprint (the split).
  return validation_file_ ? validation_file_->fingerprint() : shape_text(held_);
}

}  // namespace fnn::cli
