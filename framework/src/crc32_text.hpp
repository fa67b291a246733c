#pragma once
// CRC-32 (Boost.CRC) and the eight lowercase hex digits in which fnn's files and messages show it:
// model files, data store blocks and shortened temporary names share them.
#include <boost/crc.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fnn::detail {

inline std::uint32_t crc32_of(const void* data, std::size_t size) {
  boost::crc_32_type crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

/// The CRC-32 of `bytes` with the 8 checksum digits at `digits` read as "00000000": how a file
/// that holds its own checksum (a model file, a data store's header) is checked.
inline std::uint32_t crc32_with_zeroed_digits(std::string_view bytes, std::size_t digits) {
  static constexpr std::string_view zeros = "00000000";
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), digits);
  crc.process_bytes(zeros.data(), zeros.size());
  const std::size_t rest = digits + zeros.size();
  crc.process_bytes(bytes.data() + rest, bytes.size() - rest);
  return crc.checksum();
}

inline std::string crc32_hex(std::uint32_t value) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string hex(8, '0');
  for (auto digit = hex.rbegin(); digit != hex.rend(); ++digit, value >>= 4) {
    *digit = digits[value & 0xFu];
  }
  return hex;
}

}  // namespace fnn::detail
