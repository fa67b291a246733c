#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <fnn/idx.hpp>
#include <fstream>
#include <vector>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::error_message;
using fnn::test::TemporaryDirectory;

namespace {

// IDX header: 00 00 TYPE DIMENSIONS, then each dimension as a big-endian 32-bit number.
std::string idx_header(std::uint8_t type, const std::vector<std::uint32_t>& dims) {
  std::string bytes{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (const std::uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>(dim >> shift);
  }
  return bytes;
}

// Bytes that do not repeat in a short pattern, so that gzip cannot squeeze them much.
std::string u8_data(std::size_t count, unsigned first = 0) {
  std::string bytes;
  for (std::uint32_t i = 0; i < count; ++i) {
    bytes += static_cast<char>((first + (i * 2654435761U >> 24)) % 256);
  }
  return bytes;
}

std::filesystem::path write_plain(const TemporaryDirectory& directory, const std::string& name,
                                  const std::string& bytes) {
  const std::filesystem::path file = directory.path() / name;
  std::ofstream(file, std::ios::binary) << bytes;
  return file;
}

std::filesystem::path write_gzip(const TemporaryDirectory& directory, const std::string& name,
                                 const std::string& bytes) {
  const std::filesystem::path file = directory.path() / name;
  gzFile out = gzopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(out) == Z_OK);
  return file;
}

std::string idx_error(const std::filesystem::path& file) {
  CHECK_THROWS_AS(fnn::read_idx(file), fnn::DataError);
  return error_message([&] { (void)fnn::read_idx(file); });
}

std::vector<float> all_values(const fnn::Matrix& m) {
  return {m.values().begin(), m.values().end()};
}

std::vector<float> as_floats(const std::string& bytes) {
  std::vector<float> values;
  for (const char c : bytes) values.push_back(static_cast<float>(static_cast<unsigned char>(c)));
  return values;
}

}  // namespace

TEST_CASE("u8 images are read from a plain IDX file", "[idx]") {
  const TemporaryDirectory directory;
  const std::string pixels = u8_data(12, 250);
  const fnn::Matrix images =
      fnn::read_idx(write_plain(directory, "images.idx", idx_header(0x08, {2, 2, 3}) + pixels));
  CHECK(images.rows() == 2);
  CHECK(images.cols() == 6);
  CHECK(all_values(images) == as_floats(pixels));
  CHECK(images(0, 0) == 250.0F);
}

TEST_CASE("gzip IDX files are recognised by their content, not their name", "[idx]") {
  const TemporaryDirectory directory;
  const std::string pixels = u8_data(3 * 28 * 28);
  const std::string bytes = idx_header(0x08, {3, 28, 28}) + pixels;
  const fnn::Matrix compressed = fnn::read_idx(write_gzip(directory, "images-idx3-ubyte", bytes));
  CHECK(compressed.rows() == 3);
  CHECK(compressed.cols() == 784);
  CHECK(all_values(compressed) == as_floats(pixels));
  const fnn::Matrix plain = fnn::read_idx(write_plain(directory, "plain.gz", bytes));
  CHECK(all_values(plain) == as_floats(pixels));
}

TEST_CASE("one-dimensional IDX labels become one column", "[idx]") {
  const TemporaryDirectory directory;
  const fnn::Matrix labels = fnn::read_idx(
      write_plain(directory, "labels.idx", idx_header(0x08, {3}) + std::string{7, 0, 9}));
  CHECK(labels.rows() == 3);
  CHECK(labels.cols() == 1);
  CHECK(all_values(labels) == std::vector<float>{7, 0, 9});
}

TEST_CASE("every IDX element type is decoded big-endian", "[idx]") {
  const TemporaryDirectory directory;
  const auto read = [&](std::uint8_t type, const std::string& data, std::uint32_t count) {
    return all_values(
        fnn::read_idx(write_plain(directory, "t.idx", idx_header(type, {count}) + data)));
  };
  CHECK(read(0x09, "\xFF\x7F\x80", 3) == std::vector<float>{-1, 127, -128});
  CHECK(read(0x0B, std::string("\xFF\xFE\x01\x02", 4), 2) == std::vector<float>{-2, 258});
  CHECK(read(0x0C, std::string("\xFF\xFF\xFF\xFD\x00\x01\x00\x00", 8), 2) ==
        std::vector<float>{-3, 65536});
  CHECK(read(0x0D, std::string("\x3F\xC0\x00\x00\xC1\x20\x00\x00", 8), 2) ==
        std::vector<float>{1.5F, -10.0F});
  CHECK(read(0x0E, std::string("\xBF\xD0\x00\x00\x00\x00\x00\x00", 8), 1) ==
        std::vector<float>{-0.25F});
}

TEST_CASE("a header claiming more data than the file can hold is refused before allocating",
          "[idx]") {
  const TemporaryDirectory directory;
  // 2^31 x 2^31 one-byte values: 4 EiB, which must never be allocated.
  const std::string huge = idx_header(0x08, {0x80000000U, 0x80000000U}) + u8_data(16);
  const std::filesystem::path plain = write_plain(directory, "huge.idx", huge);
  CHECK(idx_error(plain) == plain.string() +
                                ": byte 12: truncated: the header declares 2147483648 x "
                                "2147483648 values of type u8 (4611686018427387904 bytes), but "
                                "only 16 bytes follow the header");
  const std::filesystem::path compressed = write_gzip(directory, "huge.idx.gz", huge);
  const std::string message = idx_error(compressed);
  CHECK_THAT(message, Contains(compressed.string() + ": byte 12: the header declares 2147483648 "
                                                     "x 2147483648 values of type u8"));
  CHECK_THAT(message, Contains("more than a gzip file of"));
  // Dimensions whose product overflows 64 bits are refused the same way.
  const std::filesystem::path overflow = write_plain(
      directory, "overflow.idx", idx_header(0x0E, {0xFFFFFFFFU, 0xFFFFFFFFU, 0xFFFFFFFFU}));
  CHECK_THAT(idx_error(overflow), Contains("truncated: the header declares"));
}

TEST_CASE("a truncated plain IDX file names the byte offset", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path data =
      write_plain(directory, "short.idx", idx_header(0x08, {2, 2, 2}) + u8_data(5));
  CHECK(idx_error(data) == data.string() +
                               ": byte 16: truncated: the header declares 2 x 2 x 2 values of "
                               "type u8 (8 bytes), but only 5 bytes follow the header");
  const std::filesystem::path header =
      write_plain(directory, "header.idx", idx_header(0x08, {2, 2, 2}).substr(0, 10));
  CHECK(idx_error(header) == header.string() +
                                 ": byte 10: truncated: the header declares 3 dimensions (12 "
                                 "bytes of sizes), found 6 bytes");
  const std::filesystem::path magic = write_plain(directory, "magic.idx", std::string(2, '\0'));
  CHECK(idx_error(magic) ==
        magic.string() + ": byte 2: truncated: expected a 4-byte IDX magic number, found 2 bytes");
}

TEST_CASE("a truncated gzip IDX file fails with truncated", "[idx]") {
  const TemporaryDirectory directory;
  // Complete gzip data that holds fewer values than its header declares.
  const std::filesystem::path short_data =
      write_gzip(directory, "short.gz", idx_header(0x08, {2, 4}) + u8_data(5));
  CHECK(idx_error(short_data) == short_data.string() +
                                     ": byte 17: truncated: the header declares 2 x 4 values of "
                                     "type u8 (8 bytes), the data ends after 5 bytes");

  // A gzip file cut off in the middle of its compressed data, and one cut before its checksum.
  const std::string bytes = idx_header(0x08, {100, 100}) + u8_data(10000);
  const std::filesystem::path whole = write_gzip(directory, "whole.gz", bytes);
  const auto size = std::filesystem::file_size(whole);
  std::filesystem::copy_file(whole, directory.path() / "half.gz");
  std::filesystem::resize_file(directory.path() / "half.gz", size / 2);
  const std::string half = idx_error(directory.path() / "half.gz");
  CHECK_THAT(half, Contains((directory.path() / "half.gz").string() + ": byte "));
  CHECK_THAT(half, Contains("truncated"));
  std::filesystem::copy_file(whole, directory.path() / "no-checksum.gz");
  std::filesystem::resize_file(directory.path() / "no-checksum.gz", size - 4);
  CHECK_THAT(idx_error(directory.path() / "no-checksum.gz"), Contains("truncated"));
}

TEST_CASE("corrupt gzip data in an IDX file is a DataError", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path file =
      write_gzip(directory, "bad.gz", idx_header(0x08, {4}) + u8_data(4));
  {
    // The CRC-32 of the data is the 4 bytes before the last 4.
    std::fstream patch(file, std::ios::binary | std::ios::in | std::ios::out);
    patch.seekp(static_cast<std::streamoff>(std::filesystem::file_size(file) - 8));
    patch.put('\x55');
  }
  CHECK_THAT(idx_error(file), Contains("the gzip data is corrupt"));
}

TEST_CASE("trailing bytes after the IDX data are refused", "[idx]") {
  const TemporaryDirectory directory;
  const std::string bytes = idx_header(0x08, {3}) + u8_data(4);
  const std::filesystem::path plain = write_plain(directory, "long.idx", bytes);
  CHECK(idx_error(plain) == plain.string() +
                                ": byte 11: trailing bytes: expected the file to end after the 3 "
                                "values of type u8 (3 bytes) that the header declares");
  const std::filesystem::path compressed = write_gzip(directory, "long.gz", bytes);
  CHECK_THAT(idx_error(compressed), Contains(compressed.string() + ": byte 11: trailing bytes"));
}

TEST_CASE("a wrong magic number or type code is a DataError", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path zip = write_plain(directory, "a.zip", "PK\x03\x04rest");
  CHECK(idx_error(zip) == zip.string() +
                              ": byte 0: not an IDX file: expected the magic number 00 00 TYPE "
                              "DIMENSIONS, found 50 4b 03 04");
  const std::filesystem::path type =
      write_plain(directory, "type.idx", idx_header(0x07, {1}) + u8_data(1));
  CHECK(idx_error(type) == type.string() +
                               ": byte 2: unknown IDX type code 0x07, expected one of 0x08 (u8), "
                               "0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32), 0x0e (f64)");
  const std::filesystem::path scalar = write_plain(directory, "scalar.idx", idx_header(0x08, {}));
  CHECK(idx_error(scalar) == scalar.string() + ": byte 3: expected at least 1 dimension, found 0");
}

TEST_CASE("a missing or empty IDX file is a DataError naming the file", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path missing = directory.path() / "missing.idx";
  CHECK(idx_error(missing) ==
        missing.string() + ": cannot open the file (No such file or directory)");
  const std::filesystem::path empty = write_plain(directory, "empty.idx", "");
  CHECK(idx_error(empty) == empty.string() + ": byte 0: the file is empty, expected an IDX header");
}

TEST_CASE("NaN or infinity in a float IDX file is refused", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path file =
      write_plain(directory, "nan.idx",
                  idx_header(0x0D, {1, 2}) + std::string("\x3F\x80\x00\x00\x7F\xC0\x00\x00", 8));
  CHECK(idx_error(file) == file.string() +
                               ": byte 16: expected a finite f32 value within the float range, "
                               "found nan (row 1, column 2)");
  const std::filesystem::path big = write_plain(
      directory, "big.idx", idx_header(0x0E, {1}) + std::string("\x7F\xE0\0\0\0\0\0\0", 8));
  CHECK_THAT(idx_error(big), Contains(": byte 8: expected a finite f64 value within the float "
                                      "range, found 8.98846567431158e+307"));
  const std::filesystem::path infinite =
      write_plain(directory, "inf.idx",
                  idx_header(0x0D, {2}) + std::string("\x00\x00\x00\x00\xFF\x80\x00\x00", 8));
  CHECK_THAT(idx_error(infinite),
             Contains(": byte 12: expected a finite f32 value") && Contains("found -inf (row 2"));
  const std::filesystem::path double_infinite = write_plain(
      directory, "inf64.idx", idx_header(0x0E, {1}) + std::string("\x7F\xF0\0\0\0\0\0\0", 8));
  CHECK_THAT(idx_error(double_infinite),
             Contains(": byte 8: expected a finite f64 value") && Contains("found inf"));
}

TEST_CASE("an image file and a label file make a dataset", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path images =
      write_gzip(directory, "images.gz", idx_header(0x08, {3, 2, 2}) + u8_data(12));
  const std::filesystem::path labels =
      write_plain(directory, "labels.idx", idx_header(0x08, {3}) + std::string{1, 0, 2});
  const fnn::Dataset data = fnn::read_idx_dataset(images, labels);
  CHECK(data.inputs.rows() == 3);
  CHECK(data.inputs.cols() == 4);
  CHECK(all_values(data.inputs) == as_floats(u8_data(12)));
  CHECK(all_values(data.targets) == std::vector<float>{1, 0, 2});
}

TEST_CASE("label and image counts must agree, and labels must be one-dimensional", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path images =
      write_plain(directory, "images.idx", idx_header(0x08, {3, 2, 2}) + u8_data(12));
  const auto labels_of = [&](std::uint32_t count) {
    return write_plain(directory, "labels" + std::to_string(count) + ".idx",
                       idx_header(0x08, {count}) + u8_data(count));
  };
  const auto message = [&](const std::filesystem::path& labels) {
    CHECK_THROWS_AS(fnn::read_idx_dataset(images, labels), fnn::DataError);
    return error_message([&] { (void)fnn::read_idx_dataset(images, labels); });
  };
  CHECK(message(labels_of(2)) == labels_of(2).string() + " holds 2 labels but " + images.string() +
                                     " holds 3 images: expected one label " + "per image");
  CHECK(message(labels_of(4)) == labels_of(4).string() + " holds 4 labels but " + images.string() +
                                     " holds 3 images: expected one label " + "per image");
  const std::filesystem::path two_d =
      write_plain(directory, "two_d.idx", idx_header(0x08, {3, 1}) + u8_data(3));
  CHECK(message(two_d) == two_d.string() + ": expected one-dimensional labels, one per image of " +
                              images.string() + ", found dimensions 3 x 1");
}

TEST_CASE("rows of the wrong width are refused from the IDX header, before the data", "[idx]") {
  const TemporaryDirectory directory;
  // 1000 images of 28 x 28 declared, but the data is cut short: only the header can be checked.
  const std::string header = idx_header(0x08, {1000, 28, 28});
  const std::filesystem::path compressed = write_gzip(directory, "wide.gz", header + u8_data(100));
  const std::filesystem::path plain = write_plain(directory, "wide.idx", header + u8_data(100));
  for (const std::filesystem::path& file : {compressed, plain}) {
    INFO(file);
    CHECK(error_message([&] { (void)fnn::read_idx(file, 2); }) ==
          file.string() +
              ": byte 4: expected rows of 2 values, the header declares 1000 x 28 x "
              "28 (rows of 784 values)");
  }
  const std::filesystem::path labels =
      write_plain(directory, "labels.idx", idx_header(0x08, {1000}) + u8_data(1000));
  CHECK(error_message([&] { (void)fnn::read_idx_dataset(compressed, labels, 2); }) ==
        compressed.string() +
            ": byte 4: expected rows of 2 values, the header declares 1000 x 28 x 28 (rows of "
            "784 values)");
  // The right width reads as without one.
  const std::filesystem::path fitting =
      write_gzip(directory, "fit.gz", idx_header(0x08, {2, 3}) + u8_data(6));
  CHECK(all_values(fnn::read_idx(fitting, 3)) == as_floats(u8_data(6)));
}

TEST_CASE("image and label headers are checked against each other before either body", "[idx]") {
  const TemporaryDirectory directory;
  // The image data is cut short; the mismatch must be found from the headers alone.
  const std::filesystem::path images =
      write_gzip(directory, "images.gz", idx_header(0x08, {4, 2, 2}) + u8_data(3));
  const std::filesystem::path three =
      write_plain(directory, "three.idx", idx_header(0x08, {3}) + u8_data(3));
  CHECK(error_message([&] { (void)fnn::read_idx_dataset(images, three); }) ==
        three.string() + " holds 3 labels but " + images.string() +
            " holds 4 images: expected one label per image");
  const std::filesystem::path two_d =
      write_gzip(directory, "two_d.gz", idx_header(0x08, {4, 1}) + u8_data(4));
  CHECK(error_message([&] { (void)fnn::read_idx_dataset(images, two_d); }) ==
        two_d.string() + ": expected one-dimensional labels, one per image of " + images.string() +
            ", found dimensions 4 x 1");
}

TEST_CASE("a missing image or labels file is named as such", "[idx]") {
  const TemporaryDirectory directory;
  const std::filesystem::path images =
      write_plain(directory, "images.idx", idx_header(0x08, {1, 2}) + u8_data(2));
  const std::filesystem::path labels =
      write_plain(directory, "labels.idx", idx_header(0x08, {1}) + u8_data(1));
  const std::filesystem::path missing = directory.path() / "missing.idx";
  CHECK(error_message([&] { (void)fnn::read_idx_dataset(images, missing); }) ==
        missing.string() + ": cannot open the labels file (No such file or directory)");
  CHECK(error_message([&] { (void)fnn::read_idx_dataset(missing, labels); }) ==
        missing.string() + ": cannot open the image file (No such file or directory)");
  const std::filesystem::path empty = write_plain(directory, "empty.idx", "");
  CHECK(error_message([&] { (void)fnn::read_idx_dataset(images, empty); }) ==
        empty.string() + ": byte 0: the labels file is empty, expected an IDX header");
}

TEST_CASE("an IDX data set read a few rows at a time gives read_idx_dataset's values and errors",
          "[idx]") {
  TemporaryDirectory directory;
  // f32 images of 2 values (1.5, -10, ...), big-endian; labels 7, 0, 9.
  const std::string one_and_a_half("\x3F\xC0\x00\x00", 4);
  const std::string minus_ten("\xC1\x20\x00\x00", 4);
  const std::string nan("\x7F\xC0\x00\x00", 4);
  const auto labels =
      write_plain(directory, "labels.idx", idx_header(0x08, {3}) + std::string{7, 0, 9});
  const auto images = write_plain(directory, "images.idx",
                                  idx_header(0x0D, {3, 2}) + one_and_a_half + minus_ten +
                                      minus_ten + one_and_a_half + one_and_a_half + minus_ten);
  fnn::IdxDatasetReader reader(images, labels);
  REQUIRE(reader.rows() == 3);
  REQUIRE(reader.cols() == 2);
  std::vector<float> inputs(4);
  std::vector<float> targets(2);
  reader.read(2, inputs, targets);
  CHECK(inputs == std::vector<float>{1.5F, -10.0F, -10.0F, 1.5F});
  CHECK(targets == std::vector<float>{7.0F, 0.0F});
  inputs.resize(2);
  targets.resize(1);
  reader.read(1, inputs, targets);
  CHECK(inputs == std::vector<float>{1.5F, -10.0F});
  CHECK(targets == std::vector<float>{9.0F});
  CHECK_THROWS_AS(reader.read(1, inputs, targets), fnn::SpecError);

  // A NaN in the last row is named by its byte, row and column, as read_idx names it.
  const auto bad = write_plain(directory, "bad.idx",
                               idx_header(0x0D, {3, 2}) + one_and_a_half + minus_ten + minus_ten +
                                   one_and_a_half + one_and_a_half + nan);
  fnn::IdxDatasetReader bad_reader(bad, labels);
  inputs.resize(4);
  targets.resize(2);
  bad_reader.read(2, inputs, targets);
  inputs.resize(2);
  targets.resize(1);
  const std::string expected = error_message([&] { (void)fnn::read_idx_dataset(bad, labels); });
  CHECK_THAT(expected, Contains("bad.idx: byte 32: ") && Contains("(row 3, column 2)"));
  CHECK(error_message([&] { bad_reader.read(1, inputs, targets); }) == expected);

  // Trailing bytes are found with the last row.
  const auto longer = write_plain(directory, "longer.idx", idx_header(0x08, {3}) + "abcd");
  fnn::IdxDatasetReader trailing(images, longer);
  std::vector<float> all(6);
  std::vector<float> three(3);
  CHECK_THAT(error_message([&] { trailing.read(3, all, three); }), Contains("trailing bytes"));
}
