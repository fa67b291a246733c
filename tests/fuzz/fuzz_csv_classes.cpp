// libFuzzer target: `fnn train --train FILE --classes` up to the data set, through the code it
// uses (fnn/data_source.hpp): read the bytes as CSV, take the last
// column as class labels, count the classes (largest label + 1) and one-hot them. load_dataset
// takes a path, so the input is written to a scratch file.
#include <fnn/data_source.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path& file = fnn::fuzz::scratch_file(".csv");
  fnn::fuzz::write_file(file, fnn::fuzz::as_text(data, size));
  return fnn::fuzz::expect_parse_or_error([&] {
    fnn::DataLayout layout;
    (void)fnn::load_dataset({file, std::nullopt, "train-labels"}, layout, true);
  });
}
