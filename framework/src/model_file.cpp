#include "fnn/model_file.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/crc.hpp>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>

#include "crc32_text.hpp"
#include "fnn/atomic_file.hpp"
#include "fnn/error.hpp"
#include "fnn/version.hpp"
#include "network_spec_json.hpp"

namespace fnn {

namespace {

// Tensor bytes are copied as they are in memory; a big-endian port would have to swap them.
static_assert(std::endian::native == std::endian::little, "model files store little-endian floats");
static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559, "F32 is IEEE binary32");

using Json = nlohmann::json;

constexpr std::size_t length_bytes = 8;  // the little-endian header length before the JSON
constexpr std::size_t alignment = 8;     // tensor data starts at a multiple of this
constexpr char metadata_key[] = "__metadata__";
constexpr char format_name[] = "fnn-model";
constexpr std::string_view placeholder = "00000000";  // the checksum while it is computed
constexpr std::array<std::string_view, 5> reserved_keys = {"checksum", "fnn_version", "format",
                                                           "format_version", "network"};

bool is_reserved(const std::string& key) {
  return std::find(reserved_keys.begin(), reserved_keys.end(), key) != reserved_keys.end();
}

// The checksum as it appears in the compact header JSON, e.g. "checksum":"1a2b3c4d"; the digits
// follow `checksum_key`. Quotes inside other strings are escaped, so this occurs exactly once.
constexpr std::string_view checksum_key = "\"checksum\":\"";
std::string checksum_field(std::string_view hex) {
  std::string field(checksum_key);
  return field.append(hex).append("\"");
}

// CRC-32 of the whole file with the checksum digits at `at` read as the placeholder.
std::string checksum(std::string_view bytes, std::size_t at) {
  return detail::crc32_hex(detail::crc32_with_zeroed_digits(bytes, at));
}

// ---- writing ----

Json metadata_json(const ModelFile& model) {
  Json metadata = Json::object();
  for (const auto& [key, value] : model.metadata) {
    if (is_reserved(key)) {
      throw SpecError("model metadata key '" + key + "' is reserved for fnn (checksum, " +
                      "fnn_version, format, format_version, network): choose another name");
    }
    metadata[key] = value;
  }
  metadata["format"] = format_name;
  metadata["format_version"] = std::to_string(model_format_version);
  metadata["fnn_version"] = version;
  metadata["network"] = detail::network_spec_to_json(model.network);
  metadata["checksum"] = placeholder;
  return metadata;
}

// The JSON header, padded with spaces so that the tensor data starts 8-byte aligned.
std::string header_text(const ModelFile& model) {
  Json header = Json::object();
  header[metadata_key] = metadata_json(model);
  std::uint64_t offset = 0;
  for (const auto& [name, values] : model.tensors) {
    if (name == metadata_key) throw SpecError("a model tensor cannot be called '__metadata__'");
    const std::uint64_t end = offset + values.size() * sizeof(float);
    header[name] = {{"dtype", "F32"},
                    {"shape", Json::array({values.size()})},
                    {"data_offsets", Json::array({offset, end})}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::type_error&) {  // the only one dump() raises: text that is not UTF-8
    throw SpecError("a model tensor name or metadata entry is not valid UTF-8 text");
  }
  text.append((alignment - (length_bytes + text.size()) % alignment) % alignment, ' ');
  return text;
}

// ---- reading ----

// A JSON value in a message: a scalar as written, an array or object by its kind only. dump()
// recurses into nested values, so a deeply nested value from a file would overflow the stack.
std::string describe(const Json& value) {
  return value.is_structured() ? std::string("a JSON ") + value.type_name() : value.dump();
}

// Formats the DataError messages of one file.
class Problems {
 public:
  explicit Problems(const std::filesystem::path& file)
      : where_("model file '" + file.string() + "'") {}

  [[noreturn]] void fail(const std::string& what) const { throw DataError(where_ + " " + what); }
  [[noreturn]] void not_a_model(const std::string& why) const {
    fail("is not an fnn model: " + why + "; give a model file saved by fnn");
  }
  [[noreturn]] void truncated(const std::string& why) const {
    truncated_ = true;
    fail("is truncated: " + why + "; it was not completely written or copied, save it again");
  }
  bool found_truncated() const { return truncated_; }
  [[noreturn]] void malformed(const std::string& why) const {
    fail("is malformed: " + why + "; save the model again");
  }
  [[noreturn]] void damaged(const std::string& stored, const std::string& computed) const {
    damaged_because("checksum mismatch): expected " + stored + " (stored in the file), found " +
                    computed + " (computed from its bytes");
  }
  [[noreturn]] void damaged_because(const std::string& why) const {
    fail("is damaged (" + why + "); restore it from a copy or save the model again");
  }

 private:
  std::string where_;
  mutable bool truncated_ = false;  // the last failure was a cut file, a diagnosis of its own
};

std::string read_bytes(const std::filesystem::path& file, const Problems& problems) {
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (!std::filesystem::exists(status)) problems.fail("does not exist: check the path");
  if (std::filesystem::is_directory(status)) problems.fail("is a directory, not a file");
  std::ifstream in(file, std::ios::binary);
  const auto size = std::filesystem::file_size(file, error);
  if (!in || error) problems.fail("cannot be opened: check its permissions");
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    problems.fail("could not be read completely (" + std::to_string(in.gcount()) + " of " +
                  std::to_string(size) + " bytes)");
  }
  return bytes;
}

// The header JSON; `data_start` receives the file offset of the tensor data.
Json parse_header(std::string_view bytes, std::size_t& data_start, const Problems& problems) {
  if (bytes.size() < length_bytes) {
    problems.truncated("it has " + std::to_string(bytes.size()) +
                       " bytes, fewer than the 8-byte header length every model file starts with");
  }
  std::uint64_t length = 0;
  for (std::size_t i = length_bytes; i-- > 0;) {
    length = (length << 8) | static_cast<unsigned char>(bytes[i]);
  }
  const std::size_t available = bytes.size() - length_bytes;
  if (length > available) {
    // A safetensors header is a JSON object; anything else is some other kind of file.
    if (available > 0 && bytes[length_bytes] != '{') {
      problems.not_a_model("it is not a safetensors file");
    }
    problems.truncated("its header length is " + std::to_string(length) + " bytes, but only " +
                       std::to_string(available) + " bytes follow");
  }
  data_start = length_bytes + static_cast<std::size_t>(length);
  const std::string_view text = bytes.substr(length_bytes, static_cast<std::size_t>(length));
  Json header;
  try {
    header = Json::parse(text);
  } catch (const Json::parse_error& error) {
    problems.not_a_model("its safetensors header is not valid JSON (error at byte " +
                         std::to_string(length_bytes + error.byte - 1) + ")");
  } catch (const Json::out_of_range&) {  // the parser's one other throw: a number such as 1e999
    problems.not_a_model("its safetensors header holds a number too large for a double");
  }
  if (!header.is_object()) problems.not_a_model("its safetensors header is not a JSON object");
  return header;
}

// The "__metadata__" strings, after checking that they describe an fnn model this fnn reads.
std::map<std::string, std::string> read_metadata(const Json& header, const Problems& problems) {
  const auto found = header.find(metadata_key);
  if (found == header.end() || !found->is_object()) {
    problems.not_a_model("its safetensors header has no \"__metadata__\"");
  }
  const auto format = found->find("format");
  if (format == found->end() || *format != Json(format_name)) {
    problems.not_a_model("its metadata has no \"format\": \"fnn-model\"");
  }
  std::map<std::string, std::string> metadata;
  for (const auto& [key, value] : found->items()) {
    if (!value.is_string()) problems.malformed("metadata entry '" + key + "' is not a string");
    metadata[key] = value.get<std::string>();
  }
  const auto stored_version = metadata.find("format_version");
  if (stored_version == metadata.end()) problems.malformed("its metadata has no format_version");
  const std::string& text = stored_version->second;
  int format_version = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), format_version);
  if (error != std::errc{} || end != text.data() + text.size() || format_version < 1) {
    problems.malformed("its format_version '" + text + "' is not a whole number from 1");
  }
  if (format_version > model_format_version) {
    problems.fail("has format version " + text + ", but this fnn (" + version +
                  ") reads format versions up to " + std::to_string(model_format_version) +
                  ": upgrade fnn to load it");
  }
  return metadata;
}

void verify_checksum(std::string_view bytes, std::size_t data_start,
                     const std::map<std::string, std::string>& metadata, const Problems& problems) {
  const auto found = metadata.find("checksum");
  if (found == metadata.end()) problems.malformed("its metadata has no checksum");
  const std::string& stored = found->second;
  if (stored.size() != placeholder.size() ||
      stored.find_first_not_of("0123456789abcdef") != std::string::npos) {
    problems.damaged_because("its checksum '" + stored + "' is not 8 lowercase hex digits");
  }
  const std::string_view header = bytes.substr(0, data_start);
  const std::string field = checksum_field(stored);
  const std::size_t at = header.find(field, length_bytes);
  if (at == std::string_view::npos || header.find(field, at + 1) != std::string_view::npos) {
    problems.fail(
        "is corrupted: its checksum is not where fnn writes it, so the header was "
        "rewritten after saving; save the model again");
  }
  const std::string computed = checksum(bytes, at + checksum_key.size());
  if (computed != stored) {
    problems.damaged(stored, computed);
  }
}

// A file whose structure is broken may still be an fnn model with a byte changed (a disk or copy
// error): then its checksum, found by the text around it, no longer matches, and "damaged" is
// the diagnosis that helps. Only a file whose checksum still matches is really malformed.
void diagnose_damage(std::string_view bytes, const Problems& problems) {
  const std::size_t at = bytes.find(checksum_key);
  if (at == std::string_view::npos || bytes.find(checksum_key, at + 1) != std::string_view::npos) {
    return;
  }
  const std::size_t digits = at + checksum_key.size();
  if (bytes.size() < digits + placeholder.size()) return;
  const std::string stored(bytes.substr(digits, placeholder.size()));
  const std::string computed = checksum(bytes, digits);
  if (computed != stored) problems.damaged(stored, computed);
}

// Where one tensor's floats lie in the data after the header.
struct Placement {
  std::string name;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

std::uint64_t unsigned_number(const Json& value, const std::string& what,
                              const Problems& problems) {
  if (!value.is_number_unsigned()) problems.malformed(what + " is not a whole number");
  return value.get<std::uint64_t>();
}

Placement place_tensor(const std::string& name, const Json& entry, std::uint64_t data_size,
                       const Problems& problems) {
  const std::string tensor = "tensor '" + name + "'";
  if (!entry.is_object()) problems.malformed(tensor + " is not a JSON object");
  const auto dtype = entry.find("dtype");
  if (dtype == entry.end() || *dtype != "F32") {
    const std::string found = dtype == entry.end() ? "none" : describe(*dtype);
    problems.malformed(tensor + " has dtype " + found + ", but fnn reads only \"F32\"");
  }
  const auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array()) {
    problems.malformed(tensor + " has no \"shape\" array");
  }
  std::uint64_t count = 1;
  constexpr std::uint64_t max_count = std::numeric_limits<std::uint64_t>::max() / sizeof(float);
  for (const Json& dimension : *shape) {
    const std::uint64_t size = unsigned_number(dimension, tensor + " shape entry", problems);
    if (size != 0 && count > max_count / size) problems.malformed(tensor + " shape is too large");
    count *= size;
  }
  const auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2) {
    problems.malformed(tensor + " has no \"data_offsets\" pair");
  }
  const Placement placement{name, unsigned_number((*offsets)[0], tensor + " offset", problems),
                            unsigned_number((*offsets)[1], tensor + " offset", problems)};
  const std::string range = "data_offsets [" + std::to_string(placement.begin) + ", " +
                            std::to_string(placement.end) + "]";
  if (placement.begin > placement.end) {
    problems.malformed(tensor + " has " + range + ", which end before they begin");
  }
  if (placement.end > data_size) {
    problems.truncated(tensor + " has " + range + ", but the file holds only " +
                       std::to_string(data_size) + " bytes of tensor data");
  }
  if (placement.end - placement.begin != count * sizeof(float)) {
    problems.malformed(tensor + " has shape " + shape->dump() + " (" + std::to_string(count) +
                       " floats) but " + range + " (" +
                       std::to_string(placement.end - placement.begin) + " bytes)");
  }
  return placement;
}

// Tensors must tile the data exactly, as safetensors requires: no overlaps, gaps or spare bytes.
void check_tiling(std::vector<Placement>& placements, std::uint64_t data_size,
                  std::size_t data_start, const Problems& problems) {
  std::sort(placements.begin(), placements.end(), [](const Placement& a, const Placement& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t covered = 0;
  const Placement* previous = nullptr;
  for (const Placement& placement : placements) {
    if (placement.begin < covered) {
      problems.malformed("tensors '" + previous->name + "' and '" + placement.name + "' overlap");
    }
    if (placement.begin > covered) {
      problems.malformed("file bytes " + std::to_string(data_start + covered) + " to " +
                         std::to_string(data_start + placement.begin) + " belong to no tensor");
    }
    covered = placement.end;
    previous = &placement;
  }
  if (covered != data_size) {
    problems.malformed("file bytes " + std::to_string(data_start + covered) + " to " +
                       std::to_string(data_start + data_size) + " belong to no tensor");
  }
}

// Checks every tensor entry against the data before anything is allocated for it.
std::vector<Placement> place_tensors(const Json& header, std::uint64_t data_size,
                                     std::size_t data_start, const Problems& problems) {
  std::vector<Placement> placements;
  for (const auto& [name, entry] : header.items()) {
    if (name != metadata_key) placements.push_back(place_tensor(name, entry, data_size, problems));
  }
  check_tiling(placements, data_size, data_start, problems);
  return placements;
}

std::map<std::string, std::vector<float>> copy_tensors(const std::vector<Placement>& placements,
                                                       std::string_view data) {
  std::map<std::string, std::vector<float>> tensors;
  for (const Placement& placement : placements) {
    std::vector<float>& values = tensors[placement.name];
    values.resize(static_cast<std::size_t>((placement.end - placement.begin) / sizeof(float)));
    if (!values.empty()) {
      std::memcpy(values.data(), data.data() + placement.begin, values.size() * sizeof(float));
    }
  }
  return tensors;
}

}  // namespace

void write_model_file(const std::filesystem::path& file, const ModelFile& model) {
  const std::string header = header_text(model);
  std::string bytes;
  std::size_t data_size = 0;
  for (const auto& [name, values] : model.tensors) data_size += values.size() * sizeof(float);
  bytes.reserve(length_bytes + header.size() + data_size);
  for (std::size_t i = 0; i < length_bytes; ++i) {
    bytes.push_back(static_cast<char>((std::uint64_t{header.size()} >> (8 * i)) & 0xFFu));
  }
  bytes += header;
  for (const auto& [name, values] : model.tensors) {
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  }
  const std::string field = checksum_field(placeholder);
  const std::size_t at = length_bytes + header.find(field) + checksum_key.size();
  bytes.replace(at, placeholder.size(), checksum(bytes, at));
  write_file_atomically(file, bytes);
}

ModelFile read_model_file(const std::filesystem::path& file) {
  const std::string bytes = read_bytes(file, Problems(file));
  return read_model_file_bytes(bytes, file);
}

ModelFile read_model_file_bytes(std::string_view bytes, const std::filesystem::path& file) {
  const Problems problems(file);
  std::size_t data_start = 0;
  Json header;
  std::map<std::string, std::string> metadata;
  std::vector<Placement> placements;
  try {
    header = parse_header(bytes, data_start, problems);
    metadata = read_metadata(header, problems);
    placements = place_tensors(header, bytes.size() - data_start, data_start, problems);
  } catch (const DataError&) {
    if (!problems.found_truncated()) diagnose_damage(bytes, problems);
    throw;
  }
  verify_checksum(bytes, data_start, metadata, problems);
  ModelFile model;
  model.tensors = copy_tensors(placements, bytes.substr(data_start));
  const auto network = metadata.find("network");
  if (network == metadata.end()) problems.malformed("its metadata has no \"network\" spec");
  try {
    model.network = detail::network_spec_from_json(network->second);
  } catch (const DataError& error) {
    problems.malformed(std::string("in its network spec, ") + error.what());
  }
  model.format_version = std::stoi(metadata["format_version"]);  // checked by read_metadata
  model.written_by = metadata["fnn_version"];
  model.checksum = metadata["checksum"];
  for (const std::string_view key : reserved_keys) metadata.erase(std::string(key));
  model.metadata = std::move(metadata);
  return model;
}

}  // namespace fnn
