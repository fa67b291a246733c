// fnn convert: CSV or IDX files to a binary data store (fnn/data_store.hpp) in one streaming pass.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fnn/csv.hpp>
#include <fnn/data_store.hpp>
#include <fnn/error.hpp>
#include <fnn/idx.hpp>
#include <fnn/names.hpp>
#include <iostream>
#include <optional>

#include "command_line.hpp"
#include "commands.hpp"
#include "output_files.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

namespace {

// The largest class label a store takes: every whole number up to it is exact in a float.
constexpr float max_label = 16777215.0F;  // 2^24 - 1

bool is_label(float value) {
  return value >= 0.0F && value <= max_label && std::floor(value) == value;
}

std::string float_text(float value) {
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

// CSV files with one header (or none) into a store: each row is split into inputs and targets
// and written as it is read, so that memory holds one line and one block of rows.
DataStoreInfo convert_csv(const std::vector<std::string>& files, const std::string& output,
                          const std::vector<std::string>& target_option, bool classes) {
  std::optional<DataStoreWriter> writer;
  std::vector<std::string> first_header;
  std::vector<bool> is_target;
  std::vector<std::size_t> targets;  // indices, in --target's order
  std::vector<float> input_row;
  std::vector<float> target_row;
  for (std::size_t f = 0; f < files.size(); ++f) {
    const std::filesystem::path file = files[f];
    const auto on_header = [&](const std::vector<std::string>& header, std::size_t width) {
      if (f > 0) {
        if (header != first_header || width != is_target.size()) {
          throw DataError(file.string() + ": expected the header of " + files[0] + " (" +
                          std::to_string(is_target.size()) + " columns" +
                          (first_header.empty() ? ", no header" : "") + "), found " +
                          (header.empty() ? "no header" : "another header") + " and " +
                          std::to_string(width) + " columns: the files must be alike");
        }
        return;
      }
      first_header = header;
      CsvTable shape{header, Matrix(0, width)};
      targets = resolve_columns(shape, target_option, file);
      if (classes && targets.size() != 1) {
        throw DataError(file.string() + ": class labels must be one column, --target names " +
                        std::to_string(targets.size()));
      }
      is_target.assign(width, false);
      std::vector<std::string> input_names;
      std::vector<std::string> target_names;
      for (const std::size_t c : targets) is_target[c] = true;
      if (!header.empty()) {
        for (std::size_t c = 0; c < width; ++c) {
          if (!is_target[c]) input_names.push_back(header[c]);
        }
        for (const std::size_t c : targets) target_names.push_back(header[c]);
      }
      writer.emplace(output, width - targets.size(), targets.size(), std::move(input_names),
                     std::move(target_names), classes);
    };
    const auto on_row = [&](std::span<const float> row, std::size_t line) {
      input_row.clear();
      target_row.clear();
      for (std::size_t c = 0; c < row.size(); ++c) {
        if (!is_target[c]) input_row.push_back(row[c]);
      }
      for (const std::size_t c : targets) target_row.push_back(row[c]);
      if (classes && !is_label(target_row[0])) {
        throw DataError(file.string() + ":" + std::to_string(line) + ": column " +
                        std::to_string(targets[0] + 1) +
                        ": expected a class label, a whole number from 0 to 16777215, found " +
                        float_text(target_row[0]));
      }
      writer->add_row(input_row, target_row);
    };
    read_csv_rows(file, on_header, on_row);
  }
  return writer->finish();
}

// An IDX image file and its labels into a store (class labels, as fnn train reads IDX), a few
// rows at a time.
DataStoreInfo convert_idx(const std::string& images, const std::string& labels,
                          const std::string& output) {
  IdxDatasetReader reader(images, labels);
  DataStoreWriter writer(output, reader.cols(), 1, {}, {}, true);
  // About 1 MiB of floats per read; the header's sizes are checked against the files by now.
  const std::size_t chunk =
      std::max<std::size_t>(1, (std::size_t{1} << 18) / std::max<std::size_t>(reader.cols(), 1));
  std::vector<float> inputs;
  std::vector<float> targets;
  for (std::size_t first = 0; first < reader.rows(); first += chunk) {
    const std::size_t count = std::min(chunk, reader.rows() - first);
    inputs.resize(count * reader.cols());
    targets.resize(count);
    reader.read(count, inputs, targets);
    for (std::size_t r = 0; r < count; ++r) {
      if (!is_label(targets[r])) {
        throw DataError(labels + ": row " + std::to_string(first + r + 1) +
                        ": expected a class label, a whole number from 0 to 16777215, found " +
                        float_text(targets[r]));
      }
      writer.add_row(std::span<const float>(inputs).subspan(r * reader.cols(), reader.cols()),
                     std::span<const float>(targets).subspan(r, 1));
    }
  }
  return writer.finish();
}

}  // namespace

int convert_command(const std::vector<std::string>& args) {
  po::options_description own(
      "fnn convert FILE... --output STORE [options]\n\n"
      "Converts CSV files (one header, or none, for all) or an IDX image file with its labels "
      "into a binary\ndata store that fnn train, eval and predict read wherever they read CSV "
      "(docs/data.md)");
  own.add_options()("input", po::value<std::vector<std::string>>()->value_name("FILE"),
                    "CSV files, or one IDX image file (plain or gzip) with --labels (positional)")(
      "output,o", po::value<std::string>()->value_name("STORE"),
      "the store to write, atomically (nothing is left when conversion fails)")(
      "labels", po::value<std::string>()->value_name("FILE"), "IDX label file of the images")(
      "target", po::value<std::string>()->value_name("COLUMNS")->default_value(""),
      "CSV target columns by name or 0-based index, comma-separated (default: the last column)")(
      "classes", po::bool_switch(),
      "the target is a class label 0..n-1, stored with the class count (implied for IDX)");
  po::positional_options_description positional;
  positional.add("input", -1);
  const auto parsed = parse_command("convert", own, args, positional);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  if (!values.count("input")) throw_missing("convert", "input");
  const auto files = values["input"].as<std::vector<std::string>>();
  const std::string output = required<std::string>(values, "convert", "output");
  if (output == "-") {
    throw UsageError(
        "fnn convert: --output must name a file; a store is not written to "
        "standard output");
  }
  const bool idx = values.count("labels") > 0;
  if (idx && files.size() != 1) {
    throw UsageError("fnn convert: --labels goes with one IDX image file, got " +
                     std::to_string(files.size()) + " input files");
  }
  if (idx && !values["target"].as<std::string>().empty()) {
    throw UsageError("fnn convert: --target is for CSV files; IDX targets are the --labels");
  }
  std::vector<NamedFile> inputs;
  for (const std::string& file : files) inputs.push_back({"input", file});
  for (NamedFile& file : given_files(values, {"labels", "config"})) inputs.push_back(file);
  check_output_files(inputs, given_files(values, {"output"}));

  const DataStoreInfo info =
      idx ? convert_idx(files[0], values["labels"].as<std::string>(), output)
          : convert_csv(files, output, split_list(values["target"].as<std::string>()),
                        values["classes"].as<bool>());
  std::cout << "wrote " << info.rows << " rows (" << info.input_count << " inputs, "
            << info.target_count << (info.target_count == 1 ? " target" : " targets");
  if (info.classes > 0) std::cout << ", " << info.classes << " classes";
  std::cout << ") to " << output << "\n";
  return 0;
}

}  // namespace fnn::cli
