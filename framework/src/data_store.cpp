#include "fnn/data_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>

#include "crc32_text.hpp"
#include "fnn/atomic_file.hpp"
#include "fnn/error.hpp"
#include "fnn/file_identity.hpp"
#include "fnn/sizes.hpp"
#include "fnn/version.hpp"

namespace fnn {

namespace {

static_assert(std::endian::native == std::endian::little, "stores hold little-endian floats");
static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559, "F32 is IEEE binary32");

using Json = nlohmann::json;

constexpr std::size_t length_bytes = 8;  // the little-endian header length before the JSON
constexpr std::size_t alignment = 8;     // tensor data starts at a multiple of this
constexpr char format_name[] = "fnn-data";
constexpr std::string_view metadata_start = "{\"__metadata__\":";
// A header larger than this is not one the writer makes (names and statistics of a million
// columns take about 60 MB): refused before it is allocated.
constexpr std::uint64_t max_header_bytes = std::uint64_t{256} << 20;
// Version 2's header checksum: the CRC-32 of the length field and the header text (padding
// included) with this key's 8 hex digits read as "00000000". Found in the text, not the parsed
// JSON, so that it is checked before anything in the header is believed: a quote inside a JSON
// string is escaped, so the key's text with its quotes occurs only where it is a key.
constexpr std::string_view header_crc_key = "\"header_crc32\":\"";
constexpr std::string_view zero_crc = "00000000";
constexpr int unsealed_version = 1;  // the oldest version read: its header has no checksum

std::string errno_text() {
  return std::generic_category().message(errno);
}

using detail::crc32_hex;
using detail::crc32_of;

// "rows 4097 to 8192" (1-based) of block `block`.
std::string block_rows_text(std::size_t block, std::size_t rows) {
  const std::size_t first = block * data_store_block_rows;
  const std::size_t last = std::min(rows, first + data_store_block_rows);
  return "block " + std::to_string(block + 1) + " (rows " + std::to_string(first + 1) + " to " +
         std::to_string(last) + ")";
}

// "text" in double quotes, appended piecewise: GCC 12 warns falsely (-Wrestrict) about
// "\"" + text + "\"".
std::string in_double_quotes(std::string_view text) {
  std::string result = "\"";
  result.append(text);
  return result += "\"";
}

// The header checksum of `head` (length field and header text) whose checksum digits start at
// `digits`: they count as zeros.
std::uint32_t header_crc(std::string_view head, std::size_t digits) {
  return detail::crc32_with_zeroed_digits(head, digits);
}

std::size_t block_count(std::size_t rows) {
  return rows / data_store_block_rows + (rows % data_store_block_rows != 0 ? 1 : 0);
}

// ---- writing ----

// A file with no name in `directory` (created, then unlinked at once), so that a process that
// dies while converting leaves nothing behind; same file system as the store, for the copy.
class AnonymousFile {
 public:
  explicit AnonymousFile(const std::filesystem::path& directory) {
    std::string name = (directory / ".fnn-data-XXXXXX").string();
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) {
      throw DataError(directory.string() + ": cannot create a temporary file for the store (" +
                      errno_text() + ")");
    }
    ::unlink(name.c_str());
  }
  ~AnonymousFile() { ::close(fd_); }
  AnonymousFile(const AnonymousFile&) = delete;
  AnonymousFile& operator=(const AnonymousFile&) = delete;

  int fd() const noexcept { return fd_; }
  std::uint64_t size() const noexcept { return size_; }

  void append(const void* data, std::size_t size, const std::filesystem::path& store) {
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
      const ::ssize_t written = ::write(fd_, bytes, size);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        throw DataError(store.string() + ": writing the store's values failed (" +
                        (written < 0 ? errno_text() : std::string("no progress")) + ")");
      }
      bytes += written;
      size -= static_cast<std::size_t>(written);
      size_ += static_cast<std::uint64_t>(written);
    }
  }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Copies all of `from` to the end of `to` (in the kernel where it can).
bool copy_all(const AnonymousFile& from, int to) {
  ::off64_t offset = 0;
  const auto total = static_cast<::off64_t>(from.size());
  while (offset < total) {
    const ::ssize_t copied = ::copy_file_range(from.fd(), &offset, to, nullptr,
                                               static_cast<std::size_t>(total - offset), 0);
    if (copied > 0) continue;
    if (copied < 0 && errno == EINTR) continue;
    if (copied == 0 && offset < total) errno = EIO;
    if (copied < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) break;
    return false;
  }
  std::vector<char> buffer(std::size_t{1} << 20);  // the plain way, from where the kernel stopped
  while (offset < total) {
    const ::ssize_t got = ::pread(from.fd(), buffer.data(), buffer.size(), offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    for (::ssize_t done = 0; done < got;) {
      const ::ssize_t written =
          ::write(to, buffer.data() + done, static_cast<std::size_t>(got - done));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return false;
      done += written;
    }
    offset += got;
  }
  return true;
}

std::string json_list(const std::vector<std::string>& items) {
  return Json(items).dump();
}

std::string json_numbers(const std::vector<double>& values) {
  std::string text = "[";
  char number[32];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) text += ',';
    text.append(number, std::to_chars(number, number + sizeof number, values[i]).ptr);
  }
  return text + "]";
}

}  // namespace

struct DataStoreWriter::State {
  std::filesystem::path file;
  std::size_t input_count;
  std::size_t target_count;
  std::vector<std::string> input_names;
  std::vector<std::string> target_names;
  bool class_labels;
  AnonymousFile inputs;
  AnonymousFile targets;
  std::vector<float> block_inputs{};  // the rows of the block being filled
  std::vector<float> block_targets{};
  std::vector<std::string> input_crcs{};
  std::vector<std::string> target_crcs{};
  std::size_t rows = 0;
  float largest_label = 0.0F;
  std::vector<double> mean{};
  std::vector<double> m2{};  // Welford's sums of squared differences from the mean

  void flush_block() {
    if (block_inputs.empty() && block_targets.empty() && rows % data_store_block_rows == 0 &&
        input_crcs.size() == block_count(rows)) {
      return;
    }
    const std::size_t input_bytes = block_inputs.size() * sizeof(float);
    const std::size_t target_bytes = block_targets.size() * sizeof(float);
    input_crcs.push_back(crc32_hex(crc32_of(block_inputs.data(), input_bytes)));
    target_crcs.push_back(crc32_hex(crc32_of(block_targets.data(), target_bytes)));
    inputs.append(block_inputs.data(), input_bytes, file);
    targets.append(block_targets.data(), target_bytes, file);
    block_inputs.clear();
    block_targets.clear();
  }
};

DataStoreWriter::DataStoreWriter(const std::filesystem::path& file, std::size_t input_count,
                                 std::size_t target_count, std::vector<std::string> input_names,
                                 std::vector<std::string> target_names, bool class_labels) {
  if ((!input_names.empty() || !target_names.empty()) &&
      (input_names.size() != input_count || target_names.size() != target_count)) {
    throw SpecError(file.string() +
                    ": a store names every column or none: " + std::to_string(input_names.size()) +
                    " names for " + std::to_string(input_count) + " inputs, " +
                    std::to_string(target_names.size()) + " for " + std::to_string(target_count) +
                    " targets");
  }
  if (input_count == 0 || target_count == 0) {
    throw DataError(file.string() + ": a store needs input and target columns, got " +
                    std::to_string(input_count) + " and " + std::to_string(target_count));
  }
  if (class_labels && target_count != 1) {
    throw SpecError(file.string() + ": class labels are one target column, not " +
                    std::to_string(target_count));
  }
  check_writable(file);
  const std::filesystem::path directory =
      file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  state_.reset(new State{file, input_count, target_count, std::move(input_names),
                         std::move(target_names), class_labels, AnonymousFile(directory),
                         AnonymousFile(directory)});
  state_->block_inputs.reserve(
      checked_multiply(input_count, data_store_block_rows, "a block of the store's inputs"));
  state_->mean.assign(input_count, 0.0);
  state_->m2.assign(input_count, 0.0);
}

DataStoreWriter::~DataStoreWriter() = default;

void DataStoreWriter::add_row(std::span<const float> inputs, std::span<const float> targets) {
  State& s = *state_;
  if (inputs.size() != s.input_count || targets.size() != s.target_count) {
    throw SpecError(s.file.string() + ": a row of " + std::to_string(inputs.size()) +
                    " inputs and " + std::to_string(targets.size()) + " targets for a store of " +
                    std::to_string(s.input_count) + " and " + std::to_string(s.target_count));
  }
  s.rows = checked_add(s.rows, 1, "the store's row count");
  const double n = static_cast<double>(s.rows);
  for (std::size_t c = 0; c < inputs.size(); ++c) {
    const double value = inputs[c];
    const double delta = value - s.mean[c];
    s.mean[c] += delta / n;
    s.m2[c] += delta * (value - s.mean[c]);
  }
  if (s.class_labels) {
    const float label = targets[0];
    // The caller reports a bad label with its file and line; this guards the count below.
    if (!(label >= 0.0F && label < 0x1p24F &&
          static_cast<float>(static_cast<int>(label)) == label)) {
      throw SpecError(s.file.string() + ": row " + std::to_string(s.rows) +
                      ": a class label must be a whole number from 0 to 2^24 - 1");
    }
    s.largest_label = std::max(s.largest_label, label);
  }
  s.block_inputs.insert(s.block_inputs.end(), inputs.begin(), inputs.end());
  s.block_targets.insert(s.block_targets.end(), targets.begin(), targets.end());
  if (s.rows % data_store_block_rows == 0) s.flush_block();
}

DataStoreInfo DataStoreWriter::finish() {
  State& s = *state_;
  if (s.rows == 0) throw DataError(s.file.string() + ": no rows to store");
  if (!s.block_inputs.empty() || !s.block_targets.empty()) s.flush_block();
  DataStoreInfo info{
      s.rows,         s.input_count,
      s.target_count, s.input_names,
      s.target_names, s.class_labels ? static_cast<std::size_t>(s.largest_label) + 1 : 0,
      s.mean,         s.m2};
  for (double& variance : info.variance) variance /= static_cast<double>(s.rows);

  const std::uint64_t input_end = s.inputs.size();
  Json header = Json::object();
  header["__metadata__"] = {{"format", format_name},
                            {"version", std::to_string(data_store_version)},
                            {"fnn_version", version},
                            {"header_crc32", std::string(zero_crc)},
                            {"rows", std::to_string(info.rows)},
                            {"classes", std::to_string(info.classes)},
                            {"input_columns", json_list(info.input_names)},
                            {"target_columns", json_list(info.target_names)},
                            {"mean", json_numbers(info.mean)},
                            {"variance", json_numbers(info.variance)},
                            {"block_rows", std::to_string(data_store_block_rows)},
                            {"inputs_crc32", json_list(s.input_crcs)},
                            {"targets_crc32", json_list(s.target_crcs)}};
  header["inputs"] = {{"dtype", "F32"},
                      {"shape", Json::array({info.rows, info.input_count})},
                      {"data_offsets", Json::array({0, input_end})}};
  header["targets"] = {{"dtype", "F32"},
                       {"shape", Json::array({info.rows, info.target_count})},
                       {"data_offsets", Json::array({input_end, input_end + s.targets.size()})}};
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::type_error&) {
    throw DataError(s.file.string() + ": a column name is not valid UTF-8 text");
  }
  text.append((alignment - (length_bytes + text.size()) % alignment) % alignment, ' ');
  std::string head(length_bytes, '\0');
  std::uint64_t length = text.size();
  std::memcpy(head.data(), &length, length_bytes);
  head += text;
  const std::size_t digits = head.find(header_crc_key) + header_crc_key.size();  // written above
  head.replace(digits, zero_crc.size(), crc32_hex(header_crc(head, digits)));

  // The finished store beside its final name, renamed over it when complete (as
  // write_file_atomically does for a file in memory). A symbolic link is followed: its target is
  // replaced and the link stays, as for every file fnn writes.
  const std::filesystem::path target = follow_symlinks(s.file);
  const std::filesystem::path directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  const std::filesystem::path temporary =
      directory / temporary_name(target, ::getpid(), static_cast<unsigned>(::time(nullptr)));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw DataError(s.file.string() + ": cannot create its temporary " + temporary.string() + " (" +
                    errno_text() + ")");
  }
  bool ok = true;
  try {
    const char* bytes = head.data();
    for (std::size_t left = head.size(); ok && left > 0;) {
      const ::ssize_t written = ::write(fd, bytes, left);
      if (written < 0 && errno == EINTR) continue;
      ok = written > 0;
      if (ok) {
        bytes += written;
        left -= static_cast<std::size_t>(written);
      }
    }
    ok = ok && copy_all(s.inputs, fd) && copy_all(s.targets, fd) && ::fsync(fd) == 0;
  } catch (...) {
    ok = false;
  }
  const std::string why = errno_text();
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temporary.c_str(), target.c_str()) != 0) {
    const std::string reason = ok ? errno_text() : why;
    ::unlink(temporary.c_str());
    throw DataError(s.file.string() + ": writing the store failed (" + reason + ")");
  }
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0) {
    (void)::fsync(directory_fd);
    ::close(directory_fd);
  }
  remove_stale_temporaries(target);  // of conversions killed between create and rename
  return info;
}

// ---- reading ----

namespace {

// Where the bytes come from: a file (pread) or memory.
struct Bytes {
  int fd = -1;
  std::string_view memory;
  std::uint64_t size = 0;

  bool read(std::uint64_t offset, void* to, std::size_t count) const {
    if (offset > size || count > size - offset) return false;
    if (fd < 0) {
      std::memcpy(to, memory.data() + offset, count);
      return true;
    }
    char* at = static_cast<char*>(to);
    while (count > 0) {
      const ::ssize_t got = ::pread(fd, at, count, static_cast<::off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      at += got;
      offset += static_cast<std::uint64_t>(got);
      count -= static_cast<std::size_t>(got);
    }
    return true;
  }
};

// What tells that a file changed: which file it is, its size and its modification time.
struct FileState {
  dev_t device = 0;
  ino_t inode = 0;
  ::off_t size = 0;
  ::timespec modified{};
};

FileState file_state(const struct ::stat& status) {
  return {status.st_dev, status.st_ino, status.st_size, status.st_mtim};
}

// One tensor: where its values start in the file, its columns and block checksums.
struct Tensor {
  const char* name;
  std::uint64_t start = 0;
  std::size_t cols = 0;
  std::vector<std::uint32_t> crcs{};
};

}  // namespace

struct DataStoreReader::State {
  explicit State(std::filesystem::path store) : file(std::move(store)) {}

  std::filesystem::path file;
  Bytes bytes;
  FileState opened{};  // of the descriptor, when it was opened
  DataStoreInfo info;
  Tensor inputs{"inputs"};
  Tensor targets{"targets"};

  ~State() {
    if (bytes.fd >= 0) ::close(bytes.fd);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(file.string() + ": " + what);
  }
  [[noreturn]] void malformed(const std::string& why) const {
    fail("not a valid fnn data store: " + why + "; convert the data again with fnn convert");
  }

  std::string metadata_text(const Json& metadata, const char* key) const {
    const auto found = metadata.find(key);
    if (found == metadata.end()) malformed("its metadata has no " + in_double_quotes(key));
    if (!found->is_string()) malformed("its metadata " + in_double_quotes(key) + " is not text");
    return found->get<std::string>();
  }

  std::size_t metadata_count(const Json& metadata, const char* key) const {
    const std::string text = metadata_text(metadata, key);
    std::size_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc{} || result.ptr != text.data() + text.size()) {
      malformed("its metadata " + in_double_quotes(key) + " is not a whole number");
    }
    return value;
  }

  // A metadata entry holding a JSON array as text; `check` tells each item's kind.
  Json metadata_list(const Json& metadata, const char* key, std::size_t size,
                     bool (Json::*check)() const noexcept) const {
    const Json list = Json::parse(metadata_text(metadata, key), nullptr, false);
    if (!list.is_array() || list.size() != size ||
        !std::all_of(list.begin(), list.end(), [&](const Json& item) { return (item.*check)(); })) {
      malformed("its metadata " + in_double_quotes(key) + " is not a list of " +
                std::to_string(size) + " " + (check == &Json::is_string ? "texts" : "numbers"));
    }
    return list;
  }

  std::vector<std::string> names(const Json& metadata, const char* key, std::size_t count) const {
    const std::string text = metadata_text(metadata, key);
    const Json list = Json::parse(text, nullptr, false);
    if (list.is_array() && list.empty()) return {};
    return metadata_list(metadata, key, count, &Json::is_string).get<std::vector<std::string>>();
  }

  std::vector<std::uint32_t> crcs(const Json& metadata, const char* key, std::size_t blocks) const {
    std::vector<std::uint32_t> values;
    for (const Json& item : metadata_list(metadata, key, blocks, &Json::is_string)) {
      const std::string& hex = item.get_ref<const std::string&>();
      std::uint32_t value = 0;
      const auto result = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
      if (hex.size() != 8 || result.ec != std::errc{} || result.ptr != hex.data() + hex.size()) {
        malformed("its metadata " + in_double_quotes(key) + " holds " +
                  in_double_quotes(hex.substr(0, 16)) + ", not 8 hex digits");
      }
      values.push_back(value);
    }
    return values;
  }

  // The tensor's entry: F32, [rows, cols], the offsets where the previous tensor ended.
  std::uint64_t tensor(const Json& header, Tensor& tensor, std::uint64_t start,
                       std::uint64_t data_start) const {
    const auto found = header.find(tensor.name);
    const std::string name = "tensor " + in_double_quotes(tensor.name);
    if (found == header.end() || !found->is_object()) malformed("it has no " + name);
    const Json& entry = *found;
    if (entry.value("dtype", Json()) != "F32") malformed(name + " is not F32");
    const Json shape = entry.value("shape", Json());
    const Json offsets = entry.value("data_offsets", Json());
    const auto whole = [](const Json& list) {
      return list.is_array() && list.size() == 2 && list[0].is_number_unsigned() &&
             list[1].is_number_unsigned();
    };
    if (!whole(shape) || shape[0].get<std::uint64_t>() != info.rows) {
      malformed(name + " is not of shape [" + std::to_string(info.rows) + ", columns]");
    }
    tensor.cols = shape[1].get<std::size_t>();
    const std::size_t size =
        checked_multiply(checked_multiply(info.rows, tensor.cols, name + "'s value count"),
                         sizeof(float), name + "'s size in bytes");
    const std::uint64_t end = checked_add(start, size, name + "'s end");
    if (!whole(offsets) || offsets[0].get<std::uint64_t>() != start ||
        offsets[1].get<std::uint64_t>() != end) {
      malformed(name + " does not lie at bytes " + std::to_string(start) + " to " +
                std::to_string(end) + " of the data");
    }
    tensor.start = data_start + start;
    return end;
  }

  // Checks the header checksum of `head` (length field and header text) when it has one, before
  // its JSON is parsed: a damaged header is reported as such, whatever the damage made of it.
  // Returns whether it had one (version 1 stores have none).
  bool check_header_crc(std::string_view head) const {
    const std::size_t key = head.find(header_crc_key);
    if (key == std::string_view::npos) return false;
    if (head.find(header_crc_key, key + 1) != std::string_view::npos) {
      malformed("its header holds \"header_crc32\" twice");
    }
    const std::size_t digits = key + header_crc_key.size();
    const std::string_view stored = head.substr(digits, zero_crc.size());
    std::uint32_t value = 0;
    const auto parsed = std::from_chars(stored.data(), stored.data() + stored.size(), value, 16);
    const bool hex = stored.size() == zero_crc.size() && parsed.ec == std::errc{} &&
                     parsed.ptr == stored.data() + stored.size() &&
                     head.substr(digits + zero_crc.size(), 1) == "\"";
    if (!hex) {
      fail("the header's checksum " + in_double_quotes(stored) +
           " is not 8 hex digits: the header is damaged (changed after fnn convert)");
    }
    const std::uint32_t found = header_crc(head, digits);
    if (found != value) {
      fail("the header's checksum is " + std::string(stored) + ", its bytes give " +
           crc32_hex(found) + ": the header is damaged (changed after fnn convert)");
    }
    return true;
  }

  void open_header() {
    unsigned char length_field[length_bytes];
    if (!bytes.read(0, length_field, length_bytes)) {
      fail("truncated: " + std::to_string(bytes.size) + " bytes, not even a header length");
    }
    std::uint64_t length = 0;
    std::memcpy(&length, length_field, length_bytes);
    if (length > max_header_bytes || length > bytes.size - length_bytes) {
      fail("truncated or not a data store: the header length says " + std::to_string(length) +
           " bytes, the file holds " + std::to_string(bytes.size - length_bytes) + " after it");
    }
    std::string head(length_field, length_field + length_bytes);
    head.resize(length_bytes + static_cast<std::size_t>(length));
    if (!bytes.read(length_bytes, head.data() + length_bytes, head.size() - length_bytes)) {
      fail("reading the header failed");
    }
    const bool sealed = check_header_crc(head);
    const Json header = Json::parse(std::string_view(head).substr(length_bytes), nullptr, false);
    if (header.is_discarded() || !header.is_object()) malformed("its header is not JSON");
    const auto metadata_entry = header.find("__metadata__");
    if (metadata_entry == header.end() || !metadata_entry->is_object()) {
      malformed("its header has no \"__metadata__\"");
    }
    const Json& metadata = *metadata_entry;
    const std::string format = metadata_text(metadata, "format");
    if (format != format_name) {
      fail("not an fnn data store: its format is " + in_double_quotes(format.substr(0, 40)) +
           " (an fnn model is given with --model)");
    }
    const std::size_t store_version = metadata_count(metadata, "version");
    if (store_version < static_cast<std::size_t>(unsealed_version) ||
        store_version > static_cast<std::size_t>(data_store_version)) {
      fail("a data store of version " + std::to_string(store_version) +
           "; this fnn reads versions " + std::to_string(unsealed_version) + " to " +
           std::to_string(data_store_version) + ": convert the data again with this fnn");
    }
    if (store_version > static_cast<std::size_t>(unsealed_version) &&
        (!sealed || metadata.find("header_crc32") == metadata.end())) {
      malformed("its metadata has no \"header_crc32\" (version " + std::to_string(store_version) +
                " has one)");
    }
    if (metadata_count(metadata, "block_rows") != data_store_block_rows) {
      malformed("its \"block_rows\" is not " + std::to_string(data_store_block_rows));
    }
    info.rows = metadata_count(metadata, "rows");
    if (info.rows == 0) malformed("it holds no rows");
    info.classes = metadata_count(metadata, "classes");
    if (header.size() != 3) malformed("it holds tensors other than \"inputs\" and \"targets\"");
    const std::uint64_t data_start = length_bytes + length;
    const std::uint64_t input_end = tensor(header, inputs, 0, data_start);
    const std::uint64_t data_end = tensor(header, targets, input_end, data_start);
    info.input_count = inputs.cols;
    info.target_count = targets.cols;
    if (info.input_count == 0 || info.target_count == 0) malformed("a tensor has no columns");
    if (info.classes > 0 && info.target_count != 1) {
      malformed("class labels are one target column, it has " + std::to_string(info.target_count));
    }
    info.input_names = names(metadata, "input_columns", info.input_count);
    info.target_names = names(metadata, "target_columns", info.target_count);
    if (info.input_names.empty() != info.target_names.empty()) {
      malformed("it names the columns of one tensor, not the other's");
    }
    info.mean = metadata_list(metadata, "mean", info.input_count, &Json::is_number)
                    .get<std::vector<double>>();
    info.variance = metadata_list(metadata, "variance", info.input_count, &Json::is_number)
                        .get<std::vector<double>>();
    const std::size_t blocks = block_count(info.rows);
    inputs.crcs = crcs(metadata, "inputs_crc32", blocks);
    targets.crcs = crcs(metadata, "targets_crc32", blocks);
    check_length(data_start, data_end);
  }

  // The file must end where the targets do; a shorter one names the first block cut.
  void check_length(std::uint64_t data_start, std::uint64_t data_end) const {
    const std::uint64_t available = bytes.size - data_start;
    if (available > data_end) {
      fail("damaged: " + std::to_string(available - data_end) +
           " bytes after the end of the data (the header says " + std::to_string(data_end) + ")");
    }
    if (available == data_end) return;
    for (const Tensor* tensor : {&inputs, &targets}) {
      const std::uint64_t row_bytes = tensor->cols * sizeof(float);
      for (std::size_t block = 0; block < tensor->crcs.size(); ++block) {
        const std::uint64_t end =
            tensor->start - data_start +
            std::min<std::uint64_t>(info.rows, (block + 1) * data_store_block_rows) * row_bytes;
        if (end > available) {
          fail("truncated: " + block_rows_text(block, info.rows) + " of the " + tensor->name +
               " is cut off (the file holds " + std::to_string(bytes.size) + " bytes, the header " +
               "says " + std::to_string(data_start + data_end) +
               "); it was not completely written or copied");
        }
      }
    }
    fail("truncated: the file holds " + std::to_string(bytes.size) + " bytes, the header says " +
         std::to_string(data_start + data_end));
  }

  // Rows from `first` of `tensor` into `to` (whole rows), unchecked (the callers check their
  // arguments).
  void read_rows_unchecked(const Tensor& tensor, std::size_t first, std::span<float> to) const {
    const std::uint64_t offset = tensor.start + std::uint64_t{first} * tensor.cols * sizeof(float);
    if (!bytes.read(offset, to.data(), to.size_bytes())) {
      fail("reading row " + std::to_string(first + 1) + " of the " + tensor.name + " failed (" +
           errno_text() + ")");
    }
  }

  // Reads block `block` of `tensor` into `to` (its whole size) and checks its CRC.
  void read_block(const Tensor& tensor, std::size_t block, std::span<float> to) const {
    const std::uint64_t offset =
        tensor.start + std::uint64_t{block} * data_store_block_rows * tensor.cols * sizeof(float);
    if (!bytes.read(offset, to.data(), to.size_bytes())) {
      fail("reading " + block_rows_text(block, info.rows) + " of the " + tensor.name + " failed (" +
           errno_text() + ")");
    }
    const std::uint32_t found = crc32_of(to.data(), to.size_bytes());
    if (found != tensor.crcs[block]) {
      fail("damaged: " + block_rows_text(block, info.rows) + " of the " + tensor.name +
           " does not match its checksum (CRC-32 " + crc32_hex(tensor.crcs[block]) + " stored, " +
           crc32_hex(found) + " computed); the file was changed or corrupted after fnn convert");
    }
  }

  // Rows [first, first + count) of `tensor`, reading and checking each block they touch.
  void read_tensor(const Tensor& tensor, std::size_t first, std::size_t count,
                   std::span<float> to) const {
    std::vector<float> block_values;
    const std::size_t cols = tensor.cols;
    for (std::size_t row = first; row < first + count;) {
      const std::size_t block = row / data_store_block_rows;
      const std::size_t block_first = block * data_store_block_rows;
      const std::size_t block_size = std::min(info.rows - block_first, data_store_block_rows);
      const std::size_t until = std::min(first + count, block_first + block_size);
      if (row == block_first && until == block_first + block_size) {  // whole: no second copy
        read_block(tensor, block, to.subspan((row - first) * cols, block_size * cols));
        row = until;
        continue;
      }
      block_values.resize(block_size * cols);
      read_block(tensor, block, block_values);
      std::copy(block_values.begin() + static_cast<std::ptrdiff_t>((row - block_first) * cols),
                block_values.begin() + static_cast<std::ptrdiff_t>((until - block_first) * cols),
                to.begin() + static_cast<std::ptrdiff_t>((row - first) * cols));
      row = until;
    }
  }
};

DataStoreReader::DataStoreReader(const std::filesystem::path& file) : state_(new State(file)) {
  std::error_code error;
  if (std::filesystem::is_directory(file, error)) {
    throw DataError(file.string() + ": is a directory, expected a data store");
  }
  state_->bytes.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (state_->bytes.fd < 0) {
    throw DataError(file.string() + ": cannot open the data store (" + errno_text() + ")");
  }
  const ::off_t size = ::lseek(state_->bytes.fd, 0, SEEK_END);
  struct ::stat status {};
  if (size < 0 || ::fstat(state_->bytes.fd, &status) != 0) {
    throw DataError(file.string() + ": cannot size the data store (" + errno_text() + ")");
  }
  state_->bytes.size = static_cast<std::uint64_t>(size);
  state_->opened = file_state(status);
  state_->open_header();
}

DataStoreReader::~DataStoreReader() = default;

const DataStoreInfo& DataStoreReader::info() const noexcept {
  return state_->info;
}

std::string DataStoreReader::content_checksum() const {
  boost::crc_32_type crc;
  for (const Tensor* tensor : {&state_->inputs, &state_->targets}) {
    for (const std::uint32_t block : tensor->crcs) {
      const unsigned char bytes[4] = {static_cast<unsigned char>(block),
                                      static_cast<unsigned char>(block >> 8),
                                      static_cast<unsigned char>(block >> 16),
                                      static_cast<unsigned char>(block >> 24)};
      crc.process_bytes(bytes, sizeof bytes);
    }
  }
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(crc.checksum()));
  return text;
}

void DataStoreReader::read_rows(std::size_t first, std::size_t count, std::span<float> inputs,
                                std::span<float> targets) const {
  const DataStoreInfo& info = state_->info;
  if (first > info.rows || count > info.rows - first || inputs.size() != count * info.input_count ||
      targets.size() != count * info.target_count) {
    throw SpecError(state_->file.string() + ": cannot read rows " + std::to_string(first) + " + " +
                    std::to_string(count) + " of " + std::to_string(info.rows) + " into spans of " +
                    std::to_string(inputs.size()) + " and " + std::to_string(targets.size()) +
                    " values");
  }
  state_->read_tensor(state_->inputs, first, count, inputs);
  state_->read_tensor(state_->targets, first, count, targets);
}

namespace {

// SpecError unless rows [first, first + count) are some of `rows` and `to` holds their `cols`
// values each (count × cols cannot overflow: the store's rows × cols was checked when opened).
void check_row_span(const std::filesystem::path& file, const char* tensor, std::size_t first,
                    std::size_t count, std::size_t rows, std::size_t cols, std::span<float> to) {
  if (count == 0 || first >= rows || count > rows - first || to.size() != count * cols) {
    throw SpecError(file.string() + ": cannot read the " + tensor + " of rows " +
                    std::to_string(first) + " + " + std::to_string(count) + " of " +
                    std::to_string(rows) + " into " + std::to_string(to.size()) + " values");
  }
}

}  // namespace

void DataStoreReader::read_inputs_unchecked(std::size_t row, std::span<float> inputs) const {
  check_row_span(state_->file, "inputs", row, 1, state_->info.rows, state_->info.input_count,
                 inputs);
  state_->read_rows_unchecked(state_->inputs, row, inputs);
}

void DataStoreReader::read_targets_unchecked(std::size_t first, std::size_t count,
                                             std::span<float> targets) const {
  check_row_span(state_->file, "targets", first, count, state_->info.rows,
                 state_->info.target_count, targets);
  state_->read_rows_unchecked(state_->targets, first, targets);
}

void DataStoreReader::check_unchanged() const {
  if (state_->bytes.fd < 0) return;  // bytes in memory do not change
  // The path, not the descriptor: a file renamed over the store (what fnn convert does) leaves
  // the descriptor on the old one, and that is a change too.
  struct ::stat status {};
  std::string what;
  if (::stat(state_->file.c_str(), &status) != 0) {
    what = "it cannot be found any more: " + errno_text();
  } else {
    const FileState now = file_state(status);
    const FileState& then = state_->opened;
    if (now.device != then.device || now.inode != then.inode) {
      what = "another file has taken its name since it was opened";
    } else if (now.size != then.size) {
      what = "its size is " + std::to_string(now.size) + " bytes, " + std::to_string(then.size) +
             " when it was opened";
    } else if (now.modified.tv_sec != then.modified.tv_sec ||
               now.modified.tv_nsec != then.modified.tv_nsec) {
      what = "its modification time differs from when it was opened";
    } else {
      return;
    }
  }
  state_->fail("changed while it was read (" + what + "); train again on a store that stays put");
}

Dataset DataStoreReader::read_all() const {
  const DataStoreInfo& info = state_->info;
  if (const auto shortfall =
          memory_shortfall(static_cast<double>(info.rows) *
                           static_cast<double>(info.input_count + info.target_count))) {
    throw DataError(state_->file.string() + ": its " + std::to_string(info.rows) + " rows need " +
                    *shortfall);
  }
  Dataset data{Matrix(info.rows, info.input_count), Matrix(info.rows, info.target_count)};
  read_rows(0, info.rows, data.inputs.values(), data.targets.values());
  return data;
}

DataStoreInfo read_data_store_bytes(std::string_view bytes, const std::filesystem::path& name,
                                    Dataset* data) {
  DataStoreReader::State state(name);
  state.bytes.memory = bytes;
  state.bytes.size = bytes.size();
  state.open_header();
  if (data != nullptr) {
    const DataStoreInfo& info = state.info;
    if (memory_shortfall(static_cast<double>(info.rows) *
                         static_cast<double>(info.input_count + info.target_count))) {
      throw DataError(name.string() + ": too large to read into memory");
    }
    *data = Dataset{Matrix(info.rows, info.input_count), Matrix(info.rows, info.target_count)};
    state.read_tensor(state.inputs, 0, info.rows, data->inputs.values());
    state.read_tensor(state.targets, 0, info.rows, data->targets.values());
  }
  return state.info;
}

bool is_data_store(const std::filesystem::path& file) {
  if (file == "-") return false;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[length_bytes + metadata_start.size()];
  const ::ssize_t got = ::pread(fd, head, sizeof head, 0);
  ::close(fd);
  return got == static_cast<::ssize_t>(sizeof head) &&
         std::string_view(head + length_bytes, metadata_start.size()) == metadata_start;
}

}  // namespace fnn
