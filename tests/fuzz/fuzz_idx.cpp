// libFuzzer target: fnn::read_idx on arbitrary bytes, plain and gzip-compressed. read_idx takes
// a path (zlib's gzopen reads the file), so the input is written to a scratch file. The first
// byte picks the mode: odd → the rest is gzip-compressed by the harness, so that the fuzzer
// explores IDX headers behind gzip too; even → the rest is written as is (which includes corrupt
// or truncated gzip streams when it starts with 1f 8b).
#include <zlib.h>

#include <fnn/idx.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::filesystem::path& file = fnn::fuzz::scratch_file(".idx");
  const std::string_view rest = fnn::fuzz::as_text(data + 1, size - 1);
  if ((data[0] & 1) != 0) {
    gzFile gz = ::gzopen(file.c_str(), "wb");
    if (gz == nullptr ||
        (!rest.empty() && ::gzwrite(gz, rest.data(), static_cast<unsigned>(rest.size())) <= 0) ||
        ::gzclose(gz) != Z_OK) {
      std::fprintf(stderr, "fuzz harness: cannot write %s\n", file.c_str());
      std::abort();
    }
  } else {
    fnn::fuzz::write_file(file, rest);
  }
  return fnn::fuzz::expect_parse_or_error([&] { (void)fnn::read_idx(file); });
}
