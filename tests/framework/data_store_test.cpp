#include <boost/crc.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fnn/data_store.hpp>
#include <fstream>
#include <iterator>
#include <vector>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::error_message;
using fnn::test::TemporaryDirectory;

namespace {

// Rows that differ in every column: input c of row r is r * 0.5 + c, the target r % 7.
constexpr std::size_t rows = 10000;  // three blocks of 4096 rows, the last one short
constexpr std::size_t input_count = 3;

float input_value(std::size_t r, std::size_t c) {
  return static_cast<float>(r) * 0.5F + static_cast<float>(c);
}

fnn::DataStoreInfo write_store(const std::filesystem::path& file) {
  fnn::DataStoreWriter writer(file, input_count, 1, {"a", "b", "c"}, {"label"}, true);
  for (std::size_t r = 0; r < rows; ++r) {
    const float inputs[input_count] = {input_value(r, 0), input_value(r, 1), input_value(r, 2)};
    const float target[1] = {static_cast<float>(r % 7)};
    writer.add_row(inputs, target);
  }
  return writer.finish();
}

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// Where the data starts: after the 8-byte length and the header.
std::size_t data_start(const std::string& bytes) {
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  return 8 + static_cast<std::size_t>(length);
}

// Where the header checksum's 8 hex digits start in `bytes` (a version 2 store).
std::size_t checksum_digits(const std::string& bytes) {
  const std::string key = "\"header_crc32\":\"";
  const std::size_t at = bytes.find(key);
  REQUIRE(at < data_start(bytes));
  return at + key.size();
}

// `bytes` with its header checksum computed again, as the writer does (docs/data.md): the
// CRC-32 of the length and the header with the digits read as zeros. For a header changed on
// purpose, that only a check behind the checksum may refuse.
std::string resealed(std::string bytes) {
  const std::size_t digits = checksum_digits(bytes);
  bytes.replace(digits, 8, "00000000");
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), data_start(bytes));
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(crc.checksum()));
  bytes.replace(digits, 8, hex);
  return bytes;
}

// A version 1 store from a version 2 one: without the checksum key, "version" "1", the header's
// length kept (spaces pad it, as the writer pads).
std::string as_version_1(std::string bytes) {
  const std::size_t digits = checksum_digits(bytes);
  const std::size_t key = digits - 16;   // "header_crc32":" is 16 characters
  const std::size_t field = 16 + 8 + 2;  // "header_crc32":"........",
  REQUIRE(bytes[key + field - 1] == ',');
  bytes.erase(key, field);
  bytes.insert(data_start(bytes) - field, std::string(field, ' '));
  const std::size_t version = bytes.find("\"version\":\"2\"");
  REQUIRE(version < data_start(bytes));
  bytes[version + 11] = '1';
  return bytes;
}

}  // namespace

TEST_CASE("a data store gives back its rows, names, classes and statistics", "[store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  const fnn::DataStoreInfo written = write_store(file);
  REQUIRE(fnn::is_data_store(file));

  const fnn::DataStoreReader store(file);
  const fnn::DataStoreInfo& info = store.info();
  CHECK(info.rows == rows);
  CHECK(info.input_count == input_count);
  CHECK(info.target_count == 1);
  CHECK(info.classes == 7);
  CHECK(written.classes == 7);
  CHECK(info.input_names == std::vector<std::string>{"a", "b", "c"});
  CHECK(info.target_names == std::vector<std::string>{"label"});
  // Column 0 holds 0, 0.5, ..., 4999.5: mean 2499.75, variance 0.25 (n² - 1) / 12.
  CHECK(info.mean[0] == Approx(2499.75).epsilon(1e-12));
  CHECK(info.mean[2] == Approx(2501.75).epsilon(1e-12));
  CHECK(info.variance[1] == Approx(0.25 * (double(rows) * rows - 1) / 12).epsilon(1e-12));
  CHECK(info.variance == written.variance);

  const fnn::Dataset all = store.read_all();
  bool same = true;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < input_count; ++c)
      same = same && all.inputs(r, c) == input_value(r, c);
    same = same && all.targets(r, 0) == static_cast<float>(r % 7);
  }
  CHECK(same);

  // A range across the first block boundary, read at random.
  std::vector<float> inputs(10 * input_count);
  std::vector<float> targets(10);
  store.read_rows(4090, 10, inputs, targets);
  CHECK(inputs[0] == input_value(4090, 0));
  CHECK(inputs[29] == input_value(4099, 2));
  CHECK(targets[9] == static_cast<float>(4099 % 7));
  CHECK_THROWS_AS(store.read_rows(9995, 10, inputs, targets), fnn::SpecError);
}

TEST_CASE("a damaged data store is refused, naming the block", "[store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  write_store(file);
  const std::string bytes = read_bytes(file);
  const std::size_t start = data_start(bytes);

  SECTION("a flipped byte in the second block of inputs") {
    std::string damaged = bytes;
    damaged[start + 4096 * input_count * 4 + 17] ^= 0x01;
    write_bytes(file, damaged);
    const fnn::DataStoreReader store(file);  // the header is intact
    const std::string message = error_message([&] { (void)store.read_all(); });
    CHECK_THAT(message, Contains("data.fnnd: damaged: block 2 (rows 4097 to 8192) of the inputs"));
    CHECK_THAT(message, Contains("checksum"));
    // Rows of the first block are still read.
    std::vector<float> inputs(input_count);
    std::vector<float> target(1);
    store.read_rows(5, 1, inputs, target);
    CHECK(inputs[0] == input_value(5, 0));
  }
  SECTION("a flipped byte in the last block of targets") {
    std::string damaged = bytes;
    damaged[bytes.size() - 3] ^= 0x40;
    write_bytes(file, damaged);
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file).read_all(); }),
               Contains("damaged: block 3 (rows 8193 to 10000) of the targets"));
  }
  SECTION("a truncated file") {
    write_bytes(file, bytes.substr(0, bytes.size() - 100));
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("truncated: block 3 (rows 8193 to 10000) of the targets is cut off"));
    write_bytes(file, bytes.substr(0, start + 100));
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("truncated: block 1 (rows 1 to 4096) of the inputs is cut off"));
    write_bytes(file, bytes.substr(0, 20));
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("truncated or not a data store"));
  }
  SECTION("trailing bytes") {
    write_bytes(file, bytes + "x");
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("1 bytes after the end of the data"));
  }
  SECTION("a header of another format") {
    std::string other = bytes;
    const std::size_t at = other.find("fnn-data");
    REQUIRE(at < start);
    other.replace(at, 8, "fnn-xyzw");
    write_bytes(file, resealed(other));
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("not an fnn data store: its format is \"fnn-xyzw\""));
  }
  SECTION("a newer version") {
    std::string other = bytes;
    const std::size_t at = other.find("\"version\":\"2\"");
    REQUIRE(at < start);
    other[at + 11] = '3';
    write_bytes(file, resealed(other));
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("a data store of version 3; this fnn reads versions 1 to 2"));
  }
}

TEST_CASE("a damaged header is refused by its own checksum", "[store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  write_store(file);
  const std::string bytes = read_bytes(file);
  const std::size_t start = data_start(bytes);
  const auto refused = [&](std::size_t at, char to) {
    REQUIRE(at < start);
    REQUIRE(bytes[at] != to);
    std::string damaged = bytes;
    damaged[at] = to;
    write_bytes(file, damaged);
    const std::string message = error_message([&] { (void)fnn::DataStoreReader(file); });
    CHECK_THAT(message, Contains("data.fnnd: the header's checksum is ") &&
                            Contains(": the header is damaged"));
    // The same from bytes in memory (what the fuzz target reads).
    CHECK_THAT(error_message([&] { (void)fnn::read_data_store_bytes(damaged, "x.fnnd", nullptr); }),
               Contains("x.fnnd: the header's checksum is "));
  };
  // Each change leaves a valid header that the checks behind the checksum would accept.
  SECTION("a digit of a mean") {
    const std::size_t mean = bytes.find("\"mean\":\"[2499.75");
    refused(mean + 9, '3');  // 2499.75 -> 3499.75
  }
  SECTION("a letter of a column name") {
    const std::size_t names = bytes.find("\"input_columns\":\"[\\\"a\\\"");
    refused(names + 20, 'x');  // "a" -> "x"
  }
  SECTION("the class count") {
    const std::size_t classes = bytes.find("\"classes\":\"7\"");
    refused(classes + 11, '8');
  }
  SECTION("a digit of the checksum itself") {
    const std::size_t digits = checksum_digits(bytes);
    refused(digits, bytes[digits] == '0' ? '1' : '0');
  }
  SECTION("a checksum that is not hex") {
    std::string damaged = bytes;
    damaged[checksum_digits(bytes) + 3] = 'g';
    write_bytes(file, damaged);
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("is not 8 hex digits: the header is damaged"));
  }
  SECTION("a version 2 header without its checksum") {
    std::string unsealed = as_version_1(bytes);
    const std::size_t version = unsealed.find("\"version\":\"1\"");
    unsealed[version + 11] = '2';
    write_bytes(file, unsealed);
    CHECK_THAT(error_message([&] { (void)fnn::DataStoreReader(file); }),
               Contains("its metadata has no \"header_crc32\" (version 2 has one)"));
  }
}

TEST_CASE("a version 1 store, without a header checksum, is still read", "[store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  const fnn::DataStoreInfo written = write_store(file);
  const std::string old = as_version_1(read_bytes(file));
  REQUIRE(old.find("header_crc32") == std::string::npos);
  write_bytes(file, old);
  REQUIRE(fnn::is_data_store(file));
  const fnn::DataStoreReader store(file);
  CHECK(store.info().rows == rows);
  CHECK(store.info().classes == 7);
  CHECK(store.info().input_names == written.input_names);
  CHECK(store.info().mean == written.mean);
  const fnn::Dataset all = store.read_all();
  CHECK(all.inputs(rows - 1, 2) == input_value(rows - 1, 2));
  CHECK(all.targets(rows - 1, 0) == static_cast<float>((rows - 1) % 7));
  fnn::Dataset data;
  CHECK(fnn::read_data_store_bytes(old, "x", &data).rows == rows);
  // Its header is as unprotected as before: a changed mean passes.
  std::string changed = old;
  changed[changed.find("\"mean\":\"[2499.75") + 9] = '3';
  write_bytes(file, changed);
  CHECK(fnn::DataStoreReader(file).info().mean[0] == 3499.75);
}

TEST_CASE("a data store reader notices a file changed after it was opened", "[store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  write_store(file);
  const fnn::DataStoreReader store(file);
  store.check_unchanged();  // nothing changed yet
  std::vector<float> inputs(input_count);
  std::vector<float> target(1);
  store.read_inputs_unchecked(4100, inputs);
  store.read_targets_unchecked(4100, 1, target);
  CHECK(inputs[1] == input_value(4100, 1));
  CHECK(target[0] == static_cast<float>(4100 % 7));
  store.read_targets_unchecked(4095, 3, inputs);  // across a block boundary
  CHECK(inputs == std::vector<float>{4095 % 7, 4096 % 7, 4097 % 7});
  CHECK_THROWS_AS(store.read_targets_unchecked(rows, 1, target), fnn::SpecError);
  CHECK_THROWS_AS(store.read_targets_unchecked(rows - 2, 3, inputs), fnn::SpecError);
  CHECK_THROWS_AS(store.read_targets_unchecked(0, 1, inputs), fnn::SpecError);
  const auto message = [&] { return error_message([&] { store.check_unchanged(); }); };
  const std::string advice = "; train again on a store that stays put";

  SECTION("touched") {
    const auto opened = std::filesystem::last_write_time(file);
    std::filesystem::last_write_time(file, opened + std::chrono::seconds(1));
    CHECK_THAT(message(), Contains("data.fnnd: changed while it was read (its modification time "
                                   "differs from when it was opened)" +
                                   advice));
    std::filesystem::last_write_time(file, opened);  // put back: unchanged as far as it can tell
    store.check_unchanged();
  }
  SECTION("appended to") {
    std::ofstream(file, std::ios::binary | std::ios::app) << 'x';
    CHECK_THAT(message(), Contains("changed while it was read (its size is ") &&
                              Contains(" when it was opened)" + advice));
  }
  SECTION("replaced by another file of that name") {
    write_store(file);  // the same bytes, but a new file renamed over the name
    CHECK_THAT(message(),
               Contains("changed while it was read (another file has taken its name since it was "
                        "opened)"));
  }
  SECTION("removed") {
    std::filesystem::remove(file);
    CHECK_THAT(message(), Contains("changed while it was read (it cannot be found any more"));
  }
}

TEST_CASE("a data store writer that does not finish leaves no file", "[store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  {
    fnn::DataStoreWriter writer(file, 2, 1, {}, {}, false);
    const float row[2] = {1.0F, 2.0F};
    const float target[1] = {3.0F};
    for (int r = 0; r < 5000; ++r) writer.add_row(row, target);
    CHECK_THROWS_AS(writer.add_row(target, target), fnn::SpecError);
  }
  CHECK(std::filesystem::is_empty(folder.path()));
  CHECK_THAT(error_message([&] { fnn::DataStoreWriter(file, 2, 1, {}, {}, false).finish(); }),
             Contains("no rows to store"));
  CHECK(std::filesystem::is_empty(folder.path()));
}

TEST_CASE("only a store's content makes it one", "[store]") {
  TemporaryDirectory folder;
  const auto csv = folder.path() / "data.fnnd";
  write_bytes(csv, "a,b\n1,2\n");
  CHECK_FALSE(fnn::is_data_store(csv));
  CHECK_FALSE(fnn::is_data_store(folder.path() / "missing"));
  CHECK_FALSE(fnn::is_data_store("-"));
  const auto store = folder.path() / "store.csv";
  write_store(store);
  CHECK(fnn::is_data_store(store));
  fnn::Dataset data;
  const fnn::DataStoreInfo info = fnn::read_data_store_bytes(read_bytes(store), "x", &data);
  CHECK(info.rows == rows);
  CHECK(data.inputs(rows - 1, 2) == input_value(rows - 1, 2));
}

TEST_CASE("a data store written through a symbolic link replaces the link's target", "[store]") {
  TemporaryDirectory folder;
  std::filesystem::create_directory(folder.path() / "real");
  write_bytes(folder.path() / "real" / "data.fnnd", "old");
  const auto link = folder.path() / "data.fnnd";
  std::filesystem::create_symlink("real/data.fnnd", link);
  write_store(link);
  CHECK(std::filesystem::is_symlink(link));
  CHECK(fnn::is_data_store(folder.path() / "real" / "data.fnnd"));
  CHECK(fnn::DataStoreReader(link).info().rows == rows);
  // Nothing else is left in either directory: no temporary beside the link or the target.
  CHECK(std::distance(std::filesystem::directory_iterator(folder.path()),
                      std::filesystem::directory_iterator()) == 2);
  CHECK(std::distance(std::filesystem::directory_iterator(folder.path() / "real"),
                      std::filesystem::directory_iterator()) == 1);
}
