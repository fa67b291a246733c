// libFuzzer target: fnn::read_data_store_bytes (the whole of DataStoreReader: header, metadata,
// shapes, lengths, every block's CRC-32) on arbitrary bytes. The seeds are small stores written
// by fnn convert, so that mutations reach the metadata and the blocks behind a valid length.
#include <fnn/data_store.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fnn::fuzz::expect_parse_or_error([&] {
    fnn::Dataset values;
    (void)fnn::read_data_store_bytes(fnn::fuzz::as_text(data, size), "fuzz.fnnd", &values);
  });
}
