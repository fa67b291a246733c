#pragma once
// Shared by the libFuzzer targets (docs/fuzzing.md): the contract each checks is that every input
// either parses or throws an fnn::Error. Any other exception escapes LLVMFuzzerTestOneInput and
// aborts the run, which libFuzzer reports as a crash; ASan/UBSan report memory errors, leaks and
// undefined behaviour; -timeout and -rss_limit_mb/-malloc_limit_mb catch hangs and huge allocations.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <fnn/error.hpp>

namespace fnn::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A per-process scratch file for readers that take only a path; removed at exit.
inline const std::filesystem::path& scratch_file(const char* extension) {
  static const std::filesystem::path path = [&] {
    std::error_code error;
    std::filesystem::path directory = std::filesystem::temp_directory_path(error);
    if (error) directory = "/tmp";
    return directory / ("fnn-fuzz-" + std::to_string(::getpid()) + extension);
  }();
  static const bool cleanup_registered = [] {
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    });
    return true;
  }();
  (void)cleanup_registered;
  return path;
}

inline void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", file.c_str());
    std::abort();
  }
}

// Runs `parse`; an fnn::Error is an accepted outcome, anything else aborts with its message.
template <class Parse>
int expect_parse_or_error(Parse&& parse) {
  try {
    parse();
  } catch (const fnn::Error&) {
    // A refused input, as documented: fine.
  } catch (const std::exception& error) {
    std::fprintf(stderr, "FINDING: a non-fnn::Error exception escaped the reader: %s\n",
                 error.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "FINDING: a non-std::exception escaped the reader\n");
    std::abort();
  }
  return 0;
}

}  // namespace fnn::fuzz
