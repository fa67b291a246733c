// What StoreSource::gather spends reading an epoch from a store (warm page cache), without the
// training around it: batches of a shuffled order, the inputs alone (one pread a row, what
// StoreSource read before its targets left memory), the inputs and one pread of targets a row,
// and StoreSource::gather itself (targets read in row order, close rows sharing a pread; a
// stat a batch; one-hot labels). Medians of 7 epochs each, interleaved.
//   fnn_bench_store_gather STORE [BATCH=64] [CLASSES=10]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fnn/data_store.hpp>
#include <fnn/sample_source.hpp>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

enum class Reads { inputs, inputs_and_targets, gather };

double epoch_seconds(const fnn::StoreSource& store, std::vector<std::size_t>& order,
                     std::size_t batch, Reads reads, std::mt19937_64& rng) {
  const fnn::DataStoreReader& reader = store.reader();
  fnn::Matrix inputs(batch, store.input_count());
  fnn::Matrix targets(batch, store.target_count());
  std::vector<float> stored(reader.info().target_count);
  std::shuffle(order.begin(), order.end(), rng);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t first = 0; first < order.size(); first += batch) {
    const std::size_t count = std::min(batch, order.size() - first);
    const std::span<const std::size_t> rows(order.data() + first, count);
    if (reads == Reads::gather) {
      store.gather(rows, inputs.view().row_block(0, count), targets.view().row_block(0, count));
      continue;
    }
    for (std::size_t r = 0; r < count; ++r) {
      reader.read_inputs_unchecked(rows[r], inputs.view().row(r));
      if (reads == Reads::inputs_and_targets) reader.read_targets_unchecked(rows[r], 1, stored);
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s STORE [BATCH=64] [CLASSES=10]\n", argv[0]);
    return 2;
  }
  const std::size_t batch = argc > 2 ? std::stoul(argv[2]) : 64;
  const fnn::StoreSource store(argv[1], argc > 3 ? std::stoul(argv[3]) : 10);
  std::vector<std::size_t> order(store.rows());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(1);
  const Reads kinds[] = {Reads::inputs, Reads::inputs_and_targets, Reads::gather};
  const char* names[] = {"inputs, a pread a row", "inputs and targets, a pread each",
                         "StoreSource::gather"};
  constexpr int epochs = 7;
  std::vector<double> seconds[3];
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (int kind = 0; kind < 3; ++kind) {
      seconds[kind].push_back(epoch_seconds(store, order, batch, kinds[kind], rng));
    }
  }
  std::printf("%zu rows, batches of %zu\n", store.rows(), batch);
  for (int kind = 0; kind < 3; ++kind) {
    std::sort(seconds[kind].begin(), seconds[kind].end());
    std::printf("%-34s median %.4f s/epoch (min %.4f, max %.4f)\n", names[kind],
                seconds[kind][epochs / 2], seconds[kind].front(), seconds[kind].back());
  }
}
