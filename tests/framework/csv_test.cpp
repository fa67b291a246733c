#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <clocale>
#include <csignal>
#include <cstdint>
#include <fnn/csv.hpp>
#include <fstream>
#include <iostream>
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

namespace {

// A stream of `size` bytes of '1' and then a line break, made as it is read, that counts how
// many bytes the reader took from it.
class EndlessLine : public std::streambuf {
 public:
  explicit EndlessLine(std::size_t size) : left_(size) {}
  std::size_t bytes_given() const { return given_; }

 protected:
  int_type underflow() override {
    if (left_ == 0 && ended_) return traits_type::eof();
    const std::size_t piece = std::min(left_, chunk_.size());
    std::fill_n(chunk_.begin(), piece, '1');
    std::size_t size = piece;
    if (piece == 0) {
      chunk_[0] = '\n';
      size = 1;
      ended_ = true;
    }
    left_ -= piece;
    given_ += size;
    setg(chunk_.data(), chunk_.data(), chunk_.data() + size);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  std::array<char, 4096> chunk_{};
  std::size_t left_;
  std::size_t given_ = 0;
  bool ended_ = false;
};

}  // namespace

TEST_CASE("a CSV line over the limit is refused with its line, before it is read whole", "[csv]") {
  EndlessLine line(4 * fnn::max_csv_line_bytes);
  std::istream in(&line);
  const std::string message = error_message([&] { (void)fnn::read_csv(in, "big.csv"); });
  REQUIRE(message.size() < 200);
  CHECK(message ==
        "big.csv:1: expected a line of at most 16777216 bytes (16 MiB), found a "
        "longer one: is this a CSV file?");
  CHECK(line.bytes_given() < 2 * fnn::max_csv_line_bytes);

  // A line of exactly the limit is read (its one field is then too long for a number).
  std::istringstream at_limit("1\n" + std::string(fnn::max_csv_line_bytes, '2') + "\n");
  CHECK_THAT(error_message([&] { (void)fnn::read_csv(at_limit, "limit.csv"); }),
             Contains("limit.csv:2: column 1: expected a field of at most 4096 bytes"));
}

TEST_CASE("a CSV field over the limit is refused, quoting only its start", "[csv]") {
  const std::string number(fnn::max_csv_field_bytes + 1, '4');
  const std::string start(60, '4');
  check_csv_errors({
      {("1,2\n3," + number + "\n").c_str(),
       ("FILE:2: column 2: expected a field of at most 4096 bytes, found \"" + start +
        "...\" (4097 bytes)")
           .c_str()},
      {("a," + std::string(5000, 'b') + "\n1,2\n").c_str(),
       ("FILE:1: column 2: expected a field of at most 4096 bytes, found \"" +
        std::string(60, 'b') + "...\" (5000 bytes)")
           .c_str()},
  });
  // A field of exactly the limit is a field like any other.
  CHECK(csv_error("1,2\n3, " + std::string(fnn::max_csv_field_bytes - 2, '5') + " \n") ==
        "FILE:2: column 2: expected a number within the float range (about -3.4e38 to 3.4e38), "
        "found \"" +
            std::string(60, '5') + "...\" (4094 bytes)");
}

TEST_CASE("bad CSV values are quoted short, with control bytes escaped", "[csv]") {
  check_csv_errors({
      {"1,2\n3,0\r\r\n", "FILE:2: column 2: expected a number, found \"0\\r\""},
      {"1,2\n3,\x01x\t\"y\n", "FILE:2: column 2: expected a number, found \"\\x01x\\t\\\"y\""},
      {"1,2\n3,\x1f\x8b\x08\n", "FILE:2: column 2: expected a number, found \"\\x1f\\x8b\\x08\""},
      {"1,2\n3,gr\xC3\xB6\xC3\x9F"
       "e\n",
       "FILE:2: column 2: expected a number, found \"gr\xC3\xB6\xC3\x9F"
       "e\""},
      {"\"a\"\r,c\n", "FILE:1: column 1: expected a comma after the closing quote, found '\\r'"},
      {("1,2\n3," + std::string(100, 'x') + "\n").c_str(),
       ("FILE:2: column 2: expected a number, found \"" + std::string(60, 'x') +
        "...\" (100 bytes)")
           .c_str()},
      {("1,2\n3,nan" + std::string(70, 'q') + "\n").c_str(),
       ("FILE:2: column 2: expected a number, found \"nan" + std::string(57, 'q') +
        "...\" (73 bytes)")
           .c_str()},
  });
}

TEST_CASE("column names in messages are escaped and the list is cut short", "[csv]") {
  std::istringstream control("a\rb,c\n1,2\n");
  const fnn::CsvTable table = fnn::read_csv(control, "names.csv");
  CHECK(error_message([&] { (void)fnn::resolve_columns(table, {"x\ty"}, "names.csv"); }) ==
        "names.csv: no column is named 'x\\ty'; the columns are: a\\rb, c");

  std::string header;
  std::string row;
  for (int c = 0; c < 100; ++c) {
    if (c != 0) {
      header += ',';
      row += ',';
    }
    header.append("c").append(std::to_string(c));
    row += '0';
  }
  std::istringstream wide(header + "\n" + row + "\n");
  const fnn::CsvTable wide_table = fnn::read_csv(wide, "wide.csv");
  CHECK(error_message([&] { (void)fnn::resolve_columns(wide_table, {"d"}, "wide.csv"); }) ==
        "wide.csv: no column is named 'd'; the columns are: c0, c1, c2, c3, c4, c5, c6, c7, c8, "
        "c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19 and 80 more");
}

TEST_CASE("the file name - reads CSV from standard input", "[csv]") {
  std::istringstream text("x,y\n1,2\n3,oops\n");
  std::streambuf* const saved = std::cin.rdbuf(text.rdbuf());
  const std::string message = error_message([&] { (void)fnn::read_csv("-"); });
  text.str("x,y\n1,2\n");
  std::cin.clear();  // the first read left it at the end
  const fnn::CsvTable table = fnn::read_csv("-");
  std::cin.rdbuf(saved);
  std::cin.clear();
  CHECK(message == "standard input:3: column 2: expected a number, found \"oops\"");
  CHECK(table.header == std::vector<std::string>{"x", "y"});
  CHECK(all_values(table.values) == std::vector<float>{1, 2});
}
