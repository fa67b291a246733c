#include "streamed_training.hpp"

#include <fnn/csv.hpp>
#include <fnn/data_store.hpp>
#include <fnn/error.hpp>
#include <fnn/training_run.hpp>
#include <numeric>
#include <vector>


namespace fnn::cli {


std::string store_contents(const DataStoreReader& reader) {
  return "store contents CRC-32 " + reader.content_checksum();
}

bool store_in_layout_order(const std::filesystem::path& file, const DataLayout& layout) {
  if (!is_data_store(file)) return false;
  try {
    const DataStoreReader reader(file);
    const DataStoreInfo& info = reader.info();
    if (!info.input_names.empty() && !layout.input_names.empty()) {  // by name
      return info.input_names == layout.input_names && info.target_names == layout.target_names;
    }
    // By position: the width the names ask for, and the target columns --target named.
    const std::size_t width = info.input_count + info.target_count;
    const std::size_t named = layout.input_names.size() + layout.target_names.size();
    if (named > 0 && named != width) return false;
    std::vector<std::string> header = info.input_names;
    header.insert(header.end(), info.target_names.begin(), info.target_names.end());
    const std::vector<std::size_t> targets =
        resolve_columns(CsvTable{header, Matrix(0, width)}, layout.target_columns, file);
    std::vector<std::size_t> stored(info.target_count);
    std::iota(stored.begin(), stored.end(), info.input_count);
    return targets == stored;
  } catch (const DataError&) {
    return false;  // load_dataset reports it
  }
}


bool StreamedTraining::streams(const std::filesystem::path& file, const DataLayout& layout,
                               bool record, bool classes_from_labels) {
  if (!record) return store_in_layout_order(file, layout);  // a resumed model's columns
  if (!is_data_store(file)) return false;
  try {
    return !classes_from_labels || DataStoreReader(file).info().classes > 0;
  } catch (const DataError&) {
    return false;  // load_dataset reports it
  }
}

StreamedTraining::StreamedTraining(const std::filesystem::path& file, DataLayout& layout,
                                   bool record)
    : file_(file) {
  if (record) record_store_layout(file, DataStoreReader(file).info(), layout);
  store_ = std::make_unique<StoreSource>(file, layout.classes);
}

void StreamedTraining::split(double fraction, std::uint64_t seed) {
  RowSplit rows = split_validation_rows(store_->rows(), fraction, seed);
  if (rows.held.empty()) return;
  kept_ = std::make_unique<SubsetSource>(*store_, std::move(rows.kept));
  held_ = std::make_unique<SubsetSource>(*store_, std::move(rows.held));
}

Scaler StreamedTraining::fit(Scaler::Method method) const {
  return fit_scaler(method, train());
}

void StreamedTraining::scale(const Scaler& scaler) {
  store_->set_scaler(scaler);
}

const SampleSource& StreamedTraining::train() const noexcept {
  return kept_ ? static_cast<const SampleSource&>(*kept_) : *store_;
}

const SampleSource* StreamedTraining::validation() const noexcept {
  return held_.get();
}

std::string StreamedTraining::fingerprint() const {
  const DataStoreInfo& info = store_->reader().info();
  return std::to_string(train().rows()) + " rows of " + std::to_string(info.rows) + ", " +
         std::to_string(train().input_count()) + " inputs, " +
         std::to_string(train().target_count()) + " targets, " + store_contents(store_->reader());
}

}  // namespace fnn::cli
