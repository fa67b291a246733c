// libFuzzer target: fnn::read_csv on arbitrary text (in memory, through its istream overload).
#include <fnn/csv.hpp>
#include <sstream>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fnn::fuzz::expect_parse_or_error([&] {
    std::istringstream in{std::string(fnn::fuzz::as_text(data, size))};
    const fnn::CsvTable table = fnn::read_csv(in, "fuzz.csv");
    // What the CLI does next with a table: resolve the default target column, split.
    const auto targets = fnn::resolve_columns(table, {}, "fuzz.csv");
    (void)fnn::split_columns(table, targets);
  });
}
