#pragma once
// fnn train with a data store as --train: the rows are read as batches need them (a StoreSource),
// never loaded whole; the validation split is a pair of row lists (SubsetSource).
#include <cstdint>
#include <filesystem>
#include <fnn/data_source.hpp>
#include <fnn/sample_source.hpp>
#include <fnn/scaler.hpp>
#include <memory>
#include <optional>
#include <string>

namespace fnn::cli {

/// "store contents CRC-32 X": the checksum of a store's block checksums (its every value, the
/// labels too, without reading them), for a fingerprint.
std::string store_contents(const DataStoreReader& reader);

/// Whether load_dataset, reading the store `file` for a trained model's layout, would take its
/// columns as they stand: its inputs as the network's inputs and its targets as the targets,
/// each in the store's order. Only then does a StoreSource read what load_dataset would; a
/// store whose columns are picked by name in another order, or by a --target index, is loaded
/// (as is one load_dataset refuses, so that its message stays the one it has always been).
bool store_in_layout_order(const std::filesystem::path& file, const DataLayout& layout);

class StreamedTraining {
 public:
  /// Whether `file` (the --train file, without labels) is streamed: a data store whose columns
  /// the layout takes as they stand (a new model's layout is recorded from the store; a resumed
  /// model's, store_in_layout_order). Otherwise it is loaded as any other file.
  /// `classes_from_labels`: --classes given for a new model (a store of value targets is then
  /// loaded, to count its labels).
  static bool streams(const std::filesystem::path& file, const DataLayout& layout, bool record,
                      bool classes_from_labels);

  /// Opens the store (one checked pass over its blocks, fnn/sample_source.hpp) and, for a new
  /// model (`record`), records its layout as load_dataset does. DataError as StoreSource, or for
  /// --target naming other columns than the store's targets.
  StreamedTraining(const std::filesystem::path& file, DataLayout& layout, bool record);

  /// Holds out `fraction` of the rows as split_validation does (the same rows, the same order).
  void split(double fraction, std::uint64_t seed);
  /// Fits the scaler on the training rows (bit-identical to fitting them in memory).
  Scaler fit(Scaler::Method method) const;
  /// Scales the inputs of every row read from now on.
  void scale(const Scaler& scaler);

  const SampleSource& train() const noexcept;
  /// The held-out rows; null without a split.
  const SampleSource* validation() const noexcept;
  /// The data as the ranks of a job compare it: rows, widths and a checksum of the per-column
  /// statistics fnn convert stored (computed from every value) and of the split.
  std::string fingerprint() const;

 private:
  std::filesystem::path file_;
  std::unique_ptr<StoreSource> store_;
  std::unique_ptr<SubsetSource> kept_;
  std::unique_ptr<SubsetSource> held_;
};

}  // namespace fnn::cli
