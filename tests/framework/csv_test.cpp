#include <sys/resource.h>
#include <unistd.h>

#include <bit>
#include <clocale>
#include <csignal>
#include <cstdint>
#include <fnn/csv.hpp>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::error_message;
using fnn::test::TemporaryDirectory;

namespace {

std::filesystem::path write_text(const TemporaryDirectory& directory, const std::string& text,
                                 const std::string& name = "data.csv") {
  const std::filesystem::path file = directory.path() / name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<float> all_values(const fnn::Matrix& m) {
  return {m.values().begin(), m.values().end()};
}

// The message read_csv gives for `text`, with the file's path replaced by "FILE".
std::string csv_error(const std::string& text) {
  const TemporaryDirectory directory;
  const std::filesystem::path file = write_text(directory, text);
  std::string message = error_message([&] { (void)fnn::read_csv(file); });
  CHECK_THROWS_AS(fnn::read_csv(file), fnn::DataError);
  const std::size_t at = message.find(file.string());
  if (at != std::string::npos) message.replace(at, file.string().size(), "FILE");
  return message;
}

// Each text, written to a file, must fail to read with the expected message.
void check_csv_errors(std::initializer_list<std::pair<const char*, const char*>> cases) {
  for (const auto& [text, expected] : cases) {
    INFO("file content: " << text);
    CHECK(csv_error(text) == expected);
  }
}

std::size_t entries(const std::filesystem::path& directory) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(directory),
                                                std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("a first line with a field that is not a number is the header", "[csv]") {
  const TemporaryDirectory directory;
  const fnn::CsvTable named =
      fnn::read_csv(write_text(directory, "x,y,label\n1,2,0\n3.5,-4e-1,1\n"));
  CHECK(named.header == std::vector<std::string>{"x", "y", "label"});
  CHECK(named.values.rows() == 2);
  CHECK(all_values(named.values) == std::vector<float>{1, 2, 0, 3.5F, -0.4F, 1});

  const fnn::CsvTable plain = fnn::read_csv(write_text(directory, "1,2\n+3, 4 \n", "plain.csv"));
  CHECK(plain.header.empty());
  CHECK(all_values(plain.values) == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("quoted fields, CRLF line endings and trailing blank lines are read", "[csv]") {
  const TemporaryDirectory directory;
  const fnn::CsvTable table = fnn::read_csv(write_text(
      directory, "\xEF\xBB\xBF\"a,b\",\"say \"\"hi\"\"\"\r\n\"1.5\", 2\r\n3,\"4\"\r\n\r\n\n"));
  CHECK(table.header == std::vector<std::string>{"a,b", "say \"hi\""});
  CHECK(all_values(table.values) == std::vector<float>{1.5F, 2, 3, 4});
}

TEST_CASE("CSV numbers are read with a decimal point under any locale", "[csv]") {
  const TemporaryDirectory directory;
  const std::filesystem::path file = write_text(directory, "0.5,1e-3\n");
  const char* previous = std::setlocale(LC_NUMERIC, nullptr);
  const std::string saved = previous ? previous : "C";
  std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
  const fnn::CsvTable table = fnn::read_csv(file);
  std::setlocale(LC_NUMERIC, saved.c_str());
  CHECK(all_values(table.values) == std::vector<float>{0.5F, 1e-3F});
}

TEST_CASE("target columns are found by name, by index or by default the last", "[csv]") {
  const TemporaryDirectory directory;
  const std::filesystem::path file = write_text(directory, "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
  const fnn::CsvTable table = fnn::read_csv(file);
  CHECK(fnn::resolve_columns(table, {}, file) == std::vector<std::size_t>{3});
  CHECK(fnn::resolve_columns(table, {"b"}, file) == std::vector<std::size_t>{1});
  CHECK(fnn::resolve_columns(table, {"3", "a"}, file) == std::vector<std::size_t>{3, 0});

  const fnn::Dataset data = fnn::split_columns(table, {3, 0});
  CHECK(all_values(data.inputs) == std::vector<float>{2, 3, 6, 7});
  CHECK(all_values(data.targets) == std::vector<float>{4, 1, 8, 5});
  CHECK_THROWS_AS(fnn::split_columns(table, {4}), fnn::SpecError);
  CHECK_THROWS_AS(fnn::split_columns(table, {1, 1}), fnn::SpecError);
}

TEST_CASE("unknown target columns name the file and list the columns", "[csv]") {
  const TemporaryDirectory directory;
  const std::filesystem::path named = write_text(directory, "a,b,c\n1,2,3\n");
  const fnn::CsvTable table = fnn::read_csv(named);
  const auto message = [&](const std::vector<std::string>& columns) {
    return error_message([&] { (void)fnn::resolve_columns(table, columns, named); });
  };
  CHECK(message({"e"}) == named.string() + ": no column is named 'e'; the columns are: a, b, c");
  CHECK(message({"9"}) ==
        named.string() + ": column index 9 is out of range; the columns are: a, b, c");
  CHECK(message({"a", "0"}) == named.string() + ": column '0' is given twice");
  CHECK(message({"a", "b", "c"}) ==
        named.string() + ": every column is a target, none is left for the inputs");
  CHECK_THROWS_AS(fnn::resolve_columns(table, {"e"}, named), fnn::DataError);

  const std::filesystem::path plain = write_text(directory, "1,2\n", "plain.csv");
  const fnn::CsvTable numbers = fnn::read_csv(plain);
  CHECK(error_message([&] { (void)fnn::resolve_columns(numbers, {"label"}, plain); }) ==
        plain.string() + ": no column is named 'label'; the file has no header and 2 columns, " +
            "indices 0 to 1");
}

TEST_CASE("a missing or empty CSV file is a DataError naming the file", "[csv]") {
  const TemporaryDirectory directory;
  const std::filesystem::path missing = directory.path() / "missing.csv";
  CHECK_THROWS_AS(fnn::read_csv(missing), fnn::DataError);
  CHECK(error_message([&] { (void)fnn::read_csv(missing); }) ==
        missing.string() + ": cannot open the file (No such file or directory)");
  CHECK_THAT(error_message([&] { (void)fnn::read_csv(directory.path()); }),
             Contains(directory.path().string() + ": is a directory"));
  CHECK(csv_error("") == "FILE: the file is empty, expected rows of comma-separated numbers");
  CHECK(csv_error("\r\n \n") ==
        "FILE: the file is empty, expected rows of comma-separated numbers");
}

TEST_CASE("ragged rows name the line and both field counts", "[csv]") {
  check_csv_errors({
      {"a,b,c\n1,2,3\n4,5\n", "FILE:3: expected 3 fields (as on line 1), found 2"},
      {"1,2\n3,4,5\n", "FILE:2: expected 2 fields (as on line 1), found 3"},
      {"1,2\n\n3,4\n",
       "FILE:2: expected a row of 2 fields, found a blank line (blank lines are allowed only at "
       "the end)"},
      {"\n1,2\n",
       "FILE:1: expected a row of comma-separated numbers, found a blank line (blank lines are "
       "allowed only at the end)"},
  });
}

TEST_CASE("a field that is not a number is quoted with its line and column", "[csv]") {
  check_csv_errors({
      {"1,2\n3,abc\n", "FILE:2: column 2: expected a number, found \"abc\""},
      {"x,y\r\n1,2\r\n3,4x\r\n", "FILE:3: column 2: expected a number, found \"4x\""},
      {"1,,2\n", "FILE:1: column 2: expected a number, found an empty field"},
      {"1,2,\n", "FILE:1: column 3: expected a number, found an empty field"},
      {"1,1e39\n",
       "FILE:1: column 2: expected a number within the float range (about -3.4e38 to 3.4e38), "
       "found \"1e39\""},
      {"a,\"b\n", "FILE:1: column 2: expected a closing quote (\") before the end of the line"},
      {"\"a\"b,c\n", "FILE:1: column 1: expected a comma after the closing quote, found 'b'"},
  });
}

TEST_CASE("NaN and infinity in a CSV file are refused", "[csv]") {
  check_csv_errors({
      {"1,2\nnan,3\n",
       "FILE:2: column 1: expected a finite number, found \"nan\" (NaN and infinity are not "
       "allowed)"},
      {"a,b\n1,-inf\n",
       "FILE:2: column 2: expected a finite number, found \"-inf\" (NaN and infinity are not "
       "allowed)"},
      {"1,Infinity\n",
       "FILE:1: column 2: expected a finite number, found \"Infinity\" (NaN and infinity are "
       "not allowed)"},
  });
}

TEST_CASE("a value too small for a float reads as 0", "[csv]") {
  const TemporaryDirectory directory;
  const fnn::CsvTable table = fnn::read_csv(write_text(directory, "1e-50,-1e-400\n"));
  CHECK(table.values(0, 0) == 0.0F);
  CHECK(table.values(0, 1) == 0.0F);
}

TEST_CASE("write_csv round trips every float bit-exactly", "[csv]") {
  std::mt19937 random(5);
  fnn::Matrix values(200, 5);
  for (float& x : values.values()) {
    do {
      x = std::bit_cast<float>(static_cast<std::uint32_t>(random()));
    } while (!std::isfinite(x));
  }
  values(0, 0) = 0.1F;
  values(0, 1) = -0.0F;
  values(0, 2) = std::numeric_limits<float>::max();
  values(0, 3) = std::numeric_limits<float>::denorm_min();
  values(0, 4) = 1.0F / 3.0F;
  const TemporaryDirectory directory;
  const std::filesystem::path file = directory.path() / "out.csv";
  const std::vector<std::string> header{"x", "a,b", " padded", "say \"hi\"", "e"};
  fnn::write_csv(file, values, header);
  const fnn::CsvTable table = fnn::read_csv(file);
  CHECK(table.header == header);
  REQUIRE(table.values.rows() == values.rows());
  REQUIRE(table.values.cols() == values.cols());
  for (std::size_t i = 0; i < values.values().size(); ++i) {
    INFO("value " << i << ": " << values.values()[i]);
    REQUIRE(std::bit_cast<std::uint32_t>(table.values.values()[i]) ==
            std::bit_cast<std::uint32_t>(values.values()[i]));
  }
  CHECK_THROWS_AS(fnn::write_csv(file, values, {"only one"}), fnn::SpecError);
}

TEST_CASE("write_csv replaces a file and leaves no temporary file behind", "[csv]") {
  const TemporaryDirectory directory;
  const std::filesystem::path file = write_text(directory, "old\n", "out.csv");
  fnn::write_csv(file, fnn::Matrix{{1, 2.5F}, {-3, 0}});
  CHECK(read_text(file) == "1,2.5\n-3,0\n");
  CHECK(entries(directory.path()) == 1);
}

TEST_CASE("a failed write_csv leaves the existing file untouched", "[csv]") {
  const TemporaryDirectory directory;
  const fnn::Matrix values(2000, 10);

  SECTION("the parent directory does not exist") {
    const std::filesystem::path file = directory.path() / "missing" / "out.csv";
    CHECK_THROWS_AS(fnn::write_csv(file, values), fnn::DataError);
    CHECK_THAT(error_message([&] { fnn::write_csv(file, values); }), Contains(file.string()));
    CHECK(entries(directory.path()) == 0);
  }

  SECTION("the disk fills up during the write") {
    const std::filesystem::path file = write_text(directory, "old\n", "out.csv");
    // A file-size limit makes writes fail with EFBIG, even for root, as a full disk would.
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const std::string message = error_message([&] { fnn::write_csv(file, values); });
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous_handler);
    CHECK_THAT(message, Contains(file.string()));
    CHECK(read_text(file) == "old\n");
    CHECK(entries(directory.path()) == 1);
  }

  SECTION("the directory is not writable") {
    if (::geteuid() == 0) {
      WARN("running as root, which may write anywhere: the read-only directory case is skipped");
      return;
    }
    const std::filesystem::path file = write_text(directory, "old\n", "out.csv");
    std::filesystem::permissions(directory.path(), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::remove);
    CHECK_THROWS_AS(fnn::write_csv(file, values), fnn::DataError);
    std::filesystem::permissions(directory.path(), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    CHECK(read_text(file) == "old\n");
    CHECK(entries(directory.path()) == 1);
  }
}

TEST_CASE("read_csv reads from a stream as from a file, naming the given name", "[csv]") {
  std::istringstream in("x,y\n1,2\n3,4\n");
  const fnn::CsvTable table = fnn::read_csv(in, "memory.csv");
  CHECK(table.header == std::vector<std::string>{"x", "y"});
  CHECK(all_values(table.values) == std::vector<float>{1, 2, 3, 4});

  std::istringstream ragged("1,2\n3\n");
  CHECK_THAT(error_message([&] { fnn::read_csv(ragged, "memory.csv"); }),
             Contains("memory.csv:2: expected 2 fields (as on line 1), found 1"));
  std::istringstream empty("");
  CHECK_THAT(error_message([&] { fnn::read_csv(empty, "memory.csv"); }),
             Contains("memory.csv: the file is empty"));
}
