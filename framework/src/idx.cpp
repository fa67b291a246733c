#include "fnn/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "fnn/error.hpp"
#include "fnn/sizes.hpp"

namespace fnn {

namespace {

// The unsigned integer as wide as T, whose bits are assembled from the big-endian bytes.
template <class T>
using BitsOf = std::conditional_t<
    sizeof(T) == 1, std::uint8_t,
    std::conditional_t<sizeof(T) == 2, std::uint16_t,
                       std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>>;

// One big-endian element; every IDX type converts to double exactly.
template <class T>
double load(const unsigned char* bytes) {
  std::uint64_t bits = 0;
  for (std::size_t k = 0; k < sizeof(T); ++k) bits = bits << 8 | bytes[k];
  return static_cast<double>(std::bit_cast<T>(static_cast<BitsOf<T>>(bits)));
}

// Converts the elements to float; returns the index of the first that is not finite (NaN,
// infinity, or a double beyond the float range), or the count when every one is.
template <class T>
std::size_t decode(const unsigned char* bytes, std::span<float> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(load<T>(bytes + i * sizeof(T)));
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(values[i])) return i;
    }
  }
  return values.size();
}

struct ElementType {
  std::uint8_t code;
  const char* name;
  std::size_t size;
  std::size_t (*decode)(const unsigned char* bytes, std::span<float> values);
  double (*load)(const unsigned char* bytes);
};

constexpr ElementType element_types[] = {{0x08, "u8", 1, decode<std::uint8_t>, load<std::uint8_t>},
                                         {0x09, "i8", 1, decode<std::int8_t>, load<std::int8_t>},
                                         {0x0B, "i16", 2, decode<std::int16_t>, load<std::int16_t>},
                                         {0x0C, "i32", 4, decode<std::int32_t>, load<std::int32_t>},
                                         {0x0D, "f32", 4, decode<float>, load<float>},
                                         {0x0E, "f64", 8, decode<double>, load<double>}};

// Deflate expands at most about 1032:1, so a gzip file cannot hold more than this many bytes per
// compressed byte: a larger claim is a corrupt header, refused before anything is allocated.
constexpr std::uint64_t max_gzip_ratio = 1032;

// Data is read in pieces of this size, so that memory grows only with data that really exists.
constexpr std::size_t chunk_size = std::size_t{1} << 20;

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
  constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  return a != 0 && b > most / a ? most : a * b;
}

std::string hex_byte(unsigned value) {
  constexpr char digits[] = "0123456789abcdef";
  return {digits[(value >> 4) & 0xF], digits[value & 0xF]};
}

std::string dimensions_text(const std::vector<std::uint64_t>& dims) {
  std::string text;
  for (const std::uint64_t dim : dims) text += (text.empty() ? "" : " x ") + std::to_string(dim);
  return text;
}

// A plain or gzip-compressed file read front to back; offsets count the decompressed bytes.
// `kind` names it in messages: "file", "image file", "labels file".
class Source {
 public:
  Source(const std::filesystem::path& file, std::string_view kind) : file_(file) {
    const std::string cannot_open = file.string() + ": cannot open the " + std::string(kind);
    std::error_code error;
    file_size_ = std::filesystem::file_size(file, error);
    if (error) throw DataError(cannot_open + " (" + error.message() + ")");
    if (file_size_ == 0) {
      throw DataError(at(0) + "the " + std::string(kind) + " is empty, expected an IDX header");
    }
    gz_ = ::gzopen(file.c_str(), "rb");
    if (gz_ == nullptr) throw DataError(cannot_open + " (" + std::strerror(errno) + ")");
    ::gzbuffer(gz_, 1U << 17);
    // zlib decompresses when the file starts with the gzip magic bytes 1f 8b, whatever its
    // name, and passes any other content through unchanged (gzdirect is then true).
    compressed_ = ::gzdirect(gz_) == 0;
  }
  ~Source() { ::gzclose(gz_); }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  bool compressed() const noexcept { return compressed_; }
  std::uint64_t file_size() const noexcept { return file_size_; }
  std::uint64_t offset() const noexcept { return offset_; }
  // True once compressed data has ended before the gzip stream did.
  bool cut_short() const noexcept { return cut_short_; }
  std::string at(std::uint64_t offset) const {
    return file_.string() + ": byte " + std::to_string(offset) + ": ";
  }

  // Reads up to `size` bytes; fewer only at the end of the data.
  std::size_t read(unsigned char* data, std::size_t size) {
    std::size_t total = 0;
    while (total < size) {
      const unsigned piece = static_cast<unsigned>(std::min(size - total, chunk_size));
      const int got = ::gzread(gz_, data + total, piece);
      int status = Z_OK;
      const char* message = ::gzerror(gz_, &status);
      // zlib's "unexpected end of file" comes while it still holds data decompressed before the
      // cut: that is still delivered, so reading goes on until it runs dry.
      if (status == Z_BUF_ERROR) {
        cut_short_ = true;
      } else if (status != Z_OK) {
        fail(status, message);
      }
      if (got <= 0) break;
      total += static_cast<std::size_t>(got);
      offset_ += static_cast<std::uint64_t>(got);
    }
    return total;
  }

 private:
  [[noreturn]] void fail(int status, std::string_view message) const {
    if (status == Z_ERRNO) {
      throw DataError(at(offset_) + "reading failed (" + std::strerror(errno) + ")");
    }
    // zlib puts the path in front of its message; the path is already in ours.
    const std::string prefix = file_.string() + ": ";
    if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
    throw DataError(at(offset_) + "the gzip data is corrupt (zlib: " + std::string(message) + ")");
  }

  std::filesystem::path file_;
  gzFile gz_ = nullptr;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = 0;
  bool compressed_ = false;
  bool cut_short_ = false;
};

struct Header {
  const ElementType* type = nullptr;
  std::vector<std::uint64_t> dims;
  std::uint64_t size = 0;       // bytes of header
  std::uint64_t cols = 1;       // the product of the dimensions after the first
  std::uint64_t data_size = 0;  // bytes of data it declares, saturated on overflow

  std::string describe() const {
    return dimensions_text(dims) + " values of type " + type->name + " (" +
           std::to_string(data_size) + " bytes)";
  }
};

Header read_header(Source& source) {
  unsigned char magic[4];
  const std::size_t got = source.read(magic, 4);
  if (got < 4) {
    throw DataError(source.at(got) + "truncated: expected a 4-byte IDX magic number, found " +
                    std::to_string(got) + " bytes");
  }
  if (magic[0] != 0 || magic[1] != 0) {
    throw DataError(source.at(0) + "not an IDX file: expected the magic number 00 00 TYPE " +
                    "DIMENSIONS, found " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " +
                    hex_byte(magic[2]) + " " + hex_byte(magic[3]));
  }
  Header header;
  std::string known;
  for (const ElementType& type : element_types) {
    if (type.code == magic[2]) header.type = &type;
    known += (known.empty() ? "0x" : ", 0x") + hex_byte(type.code) + " (" + type.name + ")";
  }
  if (header.type == nullptr) {
    throw DataError(source.at(2) + "unknown IDX type code 0x" + hex_byte(magic[2]) +
                    ", expected one of " + known);
  }
  if (magic[3] == 0) throw DataError(source.at(3) + "expected at least 1 dimension, found 0");
  std::vector<unsigned char> sizes(4 * std::size_t{magic[3]});
  const std::size_t size_bytes = source.read(sizes.data(), sizes.size());
  if (size_bytes < sizes.size()) {
    throw DataError(source.at(source.offset()) + "truncated: the header declares " +
                    std::to_string(magic[3]) + " dimensions (" + std::to_string(sizes.size()) +
                    " bytes of sizes), found " + std::to_string(size_bytes) + " bytes");
  }
  header.size = 4 + sizes.size();
  header.data_size = header.type->size;
  for (std::size_t d = 0; d < magic[3]; ++d) {
    const unsigned char* b = &sizes[4 * d];
    header.dims.push_back(std::uint64_t{b[0]} << 24 | std::uint64_t{b[1]} << 16 |
                          std::uint64_t{b[2]} << 8 | b[3]);
    header.data_size = saturating_product(header.data_size, header.dims.back());
    if (d > 0) header.cols = saturating_product(header.cols, header.dims.back());
  }
  // With a dimension of 0 there is no data, but the shape must still be a matrix's.
  if (header.cols == std::numeric_limits<std::uint64_t>::max()) {
    throw DataError(source.at(4) + "the dimensions " + dimensions_text(header.dims) +
                    " are too large for a matrix");
  }
  return header;
}

// A caller that knows the row width (a network's input width) refuses a wrong file from its
// header alone, before a body of any size is decompressed.
void check_row_width(const Source& source, const Header& header,
                     std::optional<std::size_t> columns) {
  if (!columns || header.cols == *columns) return;
  throw DataError(source.at(4) + "expected rows of " + std::to_string(*columns) +
                  " values, the header declares " + dimensions_text(header.dims) + " (rows of " +
                  std::to_string(header.cols) + " values)");
}

// A header must not make us allocate more than the file can hold.
void check_plausible(const Source& source, const Header& header) {
  if (!source.compressed()) {
    const std::uint64_t available = source.file_size() - std::min(source.file_size(), header.size);
    if (header.data_size > available) {
      throw DataError(source.at(header.size) + "truncated: the header declares " +
                      header.describe() + ", but only " + std::to_string(available) +
                      " bytes follow the header");
    }
    return;
  }
  const std::uint64_t limit = saturating_product(source.file_size(), max_gzip_ratio);
  if (header.data_size > limit) {
    throw DataError(source.at(header.size) + "the header declares " + header.describe() +
                    ", more than a gzip file of " + std::to_string(source.file_size()) +
                    " bytes can hold (at most about " + std::to_string(max_gzip_ratio) +
                    " times its size): the file is corrupt or truncated");
  }
}

void check_end(Source& source, const Header& header);

std::vector<unsigned char> read_data(Source& source, const Header& header) {
  std::vector<unsigned char> bytes;
  // The whole size only where the file size has vouched for it; decompressed data grows as it
  // comes, so that memory follows what the file holds, not what its header claims.
  if (!source.compressed()) bytes.reserve(header.data_size);
  while (bytes.size() < header.data_size) {
    const std::size_t start = bytes.size();
    const std::size_t piece = std::min<std::uint64_t>(header.data_size - start, chunk_size);
    bytes.resize(start + piece);
    const std::size_t got = source.read(bytes.data() + start, piece);
    if (got < piece) {
      throw DataError(source.at(source.offset()) + "truncated: the header declares " +
                      header.describe() + ", the data ends after " + std::to_string(start + got) +
                      " bytes");
    }
  }
  check_end(source, header);
  return bytes;
}

// After the data the header declares: nothing more, and a gzip stream that ended properly.
void check_end(Source& source, const Header& header) {
  unsigned char extra = 0;
  if (source.read(&extra, 1) != 0) {
    throw DataError(source.at(header.size + header.data_size) + "trailing bytes: expected the " +
                    "file to end after the " + header.describe() + " that the header declares");
  }
  if (source.cut_short()) {
    throw DataError(source.at(source.offset()) +
                    "truncated: the gzip data ends before its end marker and checksum");
  }
}

// `bytes` hold the elements from index `first` of the data; element `index` is not finite.
[[noreturn]] void not_finite(const Source& source, const Header& header,
                             const std::vector<unsigned char>& bytes, std::uint64_t first,
                             std::size_t index) {
  char text[32];
  char* end = std::to_chars(text, text + sizeof text,
                            header.type->load(&bytes[(index - first) * header.type->size]))
                  .ptr;
  const std::uint64_t offset = index * header.type->size;
  throw DataError(source.at(header.size + offset) + "expected a finite " + header.type->name +
                  " value within the float range, found " + std::string(text, end) + " (row " +
                  std::to_string(index / header.cols + 1) + ", column " +
                  std::to_string(index % header.cols + 1) + ")");
}

// An IDX file opened and its header read, the data not yet: what the header declares can be
// checked before anything is allocated for it.
class IdxFile {
 public:
  IdxFile(const std::filesystem::path& file, std::string_view kind)
      : source_(file, kind), header_(read_header(source_)) {}

  const Header& header() const noexcept { return header_; }
  void check_width(std::optional<std::size_t> columns) const {
    check_row_width(source_, header_, columns);
  }
  // Before read_rows: the data the header declares can be in the file.
  void check_size() const { check_plausible(source_, header_); }

  Matrix read_values() {
    check_plausible(source_, header_);
    const std::vector<unsigned char> bytes = read_data(source_, header_);
    Matrix values(header_.dims[0], header_.cols);
    const std::size_t bad = header_.type->decode(bytes.data(), values.values());
    if (bad < values.values().size()) not_finite(source_, header_, bytes, 0, bad);
    return values;
  }

  // The next `rows` rows into `values` (rows × the row width): a file read a piece at a time,
  // checked as read_values checks it; after the last row, its end is checked.
  void read_rows(std::size_t rows, std::span<float> values) {
    const std::uint64_t first = rows_read_ * header_.cols;  // elements before these rows
    const std::size_t size = values.size() * header_.type->size;  // ≤ the data: see the caller
    buffer_.resize(size);
    const std::size_t got = source_.read(buffer_.data(), size);
    if (got < size) {
      throw DataError(source_.at(source_.offset()) + "truncated: the header declares " +
                      header_.describe() + ", the data ends after " +
                      std::to_string(first * header_.type->size + got) + " bytes");
    }
    const std::size_t bad = header_.type->decode(buffer_.data(), values);
    if (bad < values.size()) not_finite(source_, header_, buffer_, first, first + bad);
    rows_read_ += rows;
    if (rows_read_ == header_.dims[0]) check_end(source_, header_);
  }

 private:
  Source source_;
  Header header_;
  std::uint64_t rows_read_ = 0;
  std::vector<unsigned char> buffer_{};
};

}  // namespace

Matrix read_idx(const std::filesystem::path& file, std::optional<std::size_t> columns) {
  IdxFile idx(file, "file");
  idx.check_width(columns);
  return idx.read_values();
}

namespace {

// Checks that `label_file` holds one label per image of `image_file`.
void check_labels(const IdxFile& image_file, const IdxFile& label_file,
                  const std::filesystem::path& images, const std::filesystem::path& labels) {
  const std::vector<std::uint64_t>& label_dims = label_file.header().dims;
  if (label_dims.size() != 1) {
    throw DataError(labels.string() + ": expected one-dimensional labels, one per image of " +
                    images.string() + ", found dimensions " + dimensions_text(label_dims));
  }
  const std::uint64_t image_count = image_file.header().dims[0];
  if (label_dims[0] != image_count) {
    throw DataError(labels.string() + " holds " + std::to_string(label_dims[0]) + " labels but " +
                    images.string() + " holds " + std::to_string(image_count) +
                    " images: expected one label per image");
  }
}

}  // namespace

struct IdxDatasetReader::State {
  // The image file's width is checked before the labels file is opened, as read_idx_dataset
  // checks it (the comma operator runs the check first).
  State(const std::filesystem::path& image_path, const std::filesystem::path& label_path,
        std::optional<std::size_t> columns)
      : images(image_path, "image file"),
        labels((images.check_width(columns), label_path), "labels file") {}

  IdxFile images;
  IdxFile labels;
  std::uint64_t rows_left = 0;
};

IdxDatasetReader::IdxDatasetReader(const std::filesystem::path& images,
                                   const std::filesystem::path& labels,
                                   std::optional<std::size_t> columns)
    : state_(new State(images, labels, columns)) {
  check_labels(state_->images, state_->labels, images, labels);
  state_->images.check_size();
  state_->labels.check_size();
  state_->rows_left = state_->images.header().dims[0];
}

IdxDatasetReader::~IdxDatasetReader() = default;

std::size_t IdxDatasetReader::rows() const noexcept {
  return state_->images.header().dims[0];
}

std::size_t IdxDatasetReader::cols() const noexcept {
  return state_->images.header().cols;
}

void IdxDatasetReader::read(std::size_t count, std::span<float> inputs,
                            std::span<float> labels) {
  if (count > state_->rows_left || inputs.size() != checked_multiply(count, cols(), "rows") ||
      labels.size() != count) {
    throw SpecError("IdxDatasetReader::read: " + std::to_string(count) + " rows into spans of " +
                    std::to_string(inputs.size()) + " and " + std::to_string(labels.size()) +
                    " values, with " + std::to_string(state_->rows_left) + " rows left");
  }
  state_->images.read_rows(count, inputs);
  state_->labels.read_rows(count, labels);
  state_->rows_left -= count;
}

struct IdxReader::State {
  IdxFile file;
  std::uint64_t rows_left = 0;
};

IdxReader::IdxReader(const std::filesystem::path& file, std::optional<std::size_t> columns)
    : state_(new State{IdxFile(file, "file"), 0}) {
  state_->file.check_width(columns);
  state_->file.check_size();
  state_->rows_left = state_->file.header().dims[0];
}

IdxReader::~IdxReader() = default;

std::size_t IdxReader::rows() const noexcept {
  return state_->file.header().dims[0];
}

std::size_t IdxReader::cols() const noexcept {
  return state_->file.header().cols;
}

void IdxReader::read(std::size_t count, std::span<float> values) {
  if (count > state_->rows_left || values.size() != checked_multiply(count, cols(), "rows")) {
    throw SpecError("IdxReader::read: " + std::to_string(count) + " rows into a span of " +
                    std::to_string(values.size()) + " values, with " +
                    std::to_string(state_->rows_left) + " rows left");
  }
  state_->file.read_rows(count, values);
  state_->rows_left -= count;
}

Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels,
                         std::optional<std::size_t> columns) {
  IdxFile image_file(images, "image file");
  image_file.check_width(columns);
  IdxFile label_file(labels, "labels file");
  check_labels(image_file, label_file, images, labels);
  Matrix inputs = image_file.read_values();
  return {std::move(inputs), label_file.read_values()};
}

}  // namespace fnn
