// libFuzzer target: fnn::read_model_file_bytes (the whole of read_model_file after the file is
// read) on arbitrary bytes, then what `fnn predict` does with a model that loads: fnn::load_model
// (metadata, network from fnn's own plugins, parameters, scaler) and a prediction of one row. The CRC-32 check would
// stop almost every mutation early, so when the input is long enough to have one the harness
// also tries it with the checksum field recomputed, to reach the tensor and network-spec checks
// behind it.
#include <algorithm>
#include <boost/crc.hpp>
#include <fnn/model.hpp>
#include <fnn/model_file.hpp>
#include <fnn/network.hpp>
#include <fnn/registry.hpp>

#include "fuzz_support.hpp"

namespace {

constexpr std::string_view checksum_key = "\"checksum\":\"";

// The input with its 8 checksum digits replaced by the CRC-32 of the file (digits as "00000000"),
// as write_model_file writes it; empty when there is no checksum field to fix.
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

// fnn's plugins (fnn/plugins beside libfnn, built with the fuzz preset), loaded once. Without
// them every network would be refused as unknown and nothing past the spec would be fuzzed.
const fnn::Registry& plugins() {
  static const fnn::Registry registry = [] {
    fnn::Registry loaded = fnn::Registry::with_plugins();
    if (!loaded.contains(fnn::Kind::layer, "dense")) {
      std::fprintf(stderr, "fuzz harness: fnn's plugins were not found in %s\n",
                   fnn::Registry::default_plugin_directory().c_str());
      std::abort();
    }
    return loaded;
  }();
  return registry;
}

// Loads the model as `fnn predict` does (fnn::load_model: metadata, network, parameters, scaler)
// and predicts one row of zeros, scaled.
void load_and_predict(std::string_view bytes) {
  const fnn::LoadedModel model =
      fnn::load_model(fnn::read_model_file_bytes(bytes, "fuzz.fnn"), "fuzz.fnn", plugins());
  fnn::Matrix row(1, model.network.input_size());
  model.info.scaler.apply(row);
  (void)model.network.predict(row);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fnn::fuzz::as_text(data, size);
  fnn::fuzz::expect_parse_or_error([&] { load_and_predict(bytes); });
  const std::string fixed = with_valid_checksum(bytes);
  if (!fixed.empty()) fnn::fuzz::expect_parse_or_error([&] { load_and_predict(fixed); });
  return 0;
}
