#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/network_spec.hpp"

namespace fnn {

/// The container of a model file: the network as data, named float tensors (at least
/// "parameters"; also e.g. "optimizer_state", scaler vectors) and text metadata (training
/// settings, epoch count, class count...). What the keys mean, and their defaults, is
/// fnn/model.hpp's (save_model, load_model): use those unless you need the raw file.
struct ModelFile {
  NetworkSpec network;
  std::map<std::string, std::vector<float>> tensors;
  std::map<std::string, std::string> metadata;
  /// What reading found (writing ignores them): the file's format version, the fnn version
  /// that wrote it, and its CRC-32 as 8 hex digits, which matched the contents.
  int format_version = 0;
  std::string written_by;
  std::string checksum;
};

/// The version of the format `write_model_file` writes; `read_model_file` reads it and every
/// older one.
inline constexpr int model_format_version = 1;

/// Writes a model as safetensors: an 8-byte little-endian header length, a JSON header, then the
/// tensors as little-endian float32. Python's safetensors reads the tensors. The header's
/// "__metadata__" holds the format name ("fnn-model"), its version, the fnn version, the network
/// spec as JSON, the caller's metadata and a CRC-32 over the whole file. Numbers are written
/// independently of the locale. The write is atomic: a temporary file beside `file`, flushed,
/// then renamed over it; on any failure `file` is untouched and DataError is thrown.
FNN_API void write_model_file(const std::filesystem::path& file, const ModelFile& model);

/// Reads a model written by `write_model_file`. Throws DataError naming the file and what is
/// wrong: missing, truncated, not an fnn model, a newer format version (both versions named), a
/// checksum mismatch (corrupted), malformed header or tensors.
FNN_API ModelFile read_model_file(const std::filesystem::path& file);

/// `read_model_file` on the bytes of a model file already in memory; `name` stands for the file
/// in messages. Throws DataError as `read_model_file` does.
FNN_API ModelFile read_model_file_bytes(std::string_view bytes, const std::filesystem::path& name);

}  // namespace fnn
