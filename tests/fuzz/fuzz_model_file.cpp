// libFuzzer target: fnn::load_model_bytes (the whole of load_model after the file is read) on
// arbitrary bytes. The CRC-32 check would stop almost every mutation early, so when the input
// is long enough to have one the harness also tries it with the checksum field recomputed, to
// reach the tensor and network-spec checks behind it.
#include <boost/crc.hpp>
#include <fnn/model_file.hpp>

#include "fuzz_support.hpp"

namespace {

constexpr std::string_view checksum_key = "\"checksum\":\"";

// The input with its 8 checksum digits replaced by the CRC-32 of the file (digits as "00000000"),
// as save_model writes it; empty when there is no checksum field to fix.
std::string with_valid_checksum(std::string_view bytes) {
  const std::size_t key = bytes.find(checksum_key);
  if (key == std::string_view::npos || bytes.size() - key - checksum_key.size() < 8) return {};
  const std::size_t at = key + checksum_key.size();
  std::string fixed(bytes);
  fixed.replace(at, 8, "00000000");
  boost::crc_32_type crc;
  crc.process_bytes(fixed.data(), fixed.size());
  static constexpr char digits[] = "0123456789abcdef";
  std::uint32_t value = crc.checksum();
  for (std::size_t i = 8; i-- > 0; value >>= 4) fixed[at + i] = digits[value & 0xF];
  return fixed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fnn::fuzz::as_text(data, size);
  fnn::fuzz::expect_parse_or_error([&] { (void)fnn::load_model_bytes(bytes, "fuzz.fnn"); });
  const std::string fixed = with_valid_checksum(bytes);
  if (!fixed.empty()) {
    fnn::fuzz::expect_parse_or_error([&] { (void)fnn::load_model_bytes(fixed, "fuzz.fnn"); });
  }
  return 0;
}
