// libFuzzer target: the network-spec JSON parser (framework/src/network_spec_json.cpp, an
// internal function that model files and the CLI's saved models go through), compiled into the
// target since libfnn does not export it. Parsed specs are also written back and read again.
#include "network_spec_json.hpp"

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fnn::fuzz::expect_parse_or_error([&] {
    const fnn::NetworkSpec spec =
        fnn::detail::network_spec_from_json(std::string(fnn::fuzz::as_text(data, size)));
    const fnn::NetworkSpec again =
        fnn::detail::network_spec_from_json(fnn::detail::network_spec_to_json(spec));
    if (again.inputs != spec.inputs || again.layers.size() != spec.layers.size()) {
      std::fprintf(stderr, "FINDING: the spec does not survive writing and reading back\n");
      std::abort();
    }
  });
}
