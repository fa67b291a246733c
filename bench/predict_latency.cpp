// Prediction latency of the demo network (examples/fashion-mnist.ini: 784-256-128-10, sigmoid
// after every dense layer) with random weights, for bench/predict_compare.py:
//
//   fnn_bench_predict_latency [--threads T] [--rows 1,256] [--repeats N] [--seconds S]
//
// Times each Network::predict call (the Matrix-returning one a host app calls, and the one that
// writes into the caller's memory) after a warm-up, on a TBB arena of T threads entered once, as
// a host app would. One line per row count:
//   PREDICT framework=fnn threads=T rows=R median_us=... p10_us=... p90_us=... into_median_us=...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fnn/fnn.hpp>
#include <sstream>
#include <string>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
}

// Microseconds of each of `repeats` calls of `call` (or as many as fit in `seconds`, at least
// 50), after a tenth as many unmeasured ones (at most seconds / 3 of them).
template <class Call>
std::vector<double> time_calls(int repeats, double seconds, Call&& call) {
  const auto warm_up_end = Clock::now() + std::chrono::duration<double>(seconds / 3);
  for (int i = 0; i < repeats / 10 + 1 && Clock::now() < warm_up_end; ++i) call();
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(repeats));
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (micros.size() < static_cast<std::size_t>(repeats) &&
         (micros.size() < 50 || Clock::now() < deadline)) {
    const auto start = Clock::now();
    call();
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return micros;
}

[[noreturn]] void usage(const char* problem) {
  std::fprintf(stderr,
               "fnn_bench_predict_latency: %s\nusage: fnn_bench_predict_latency [--threads T] "
               "[--rows 1,256] [--repeats N] [--seconds S]\n",
               problem);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  std::vector<std::size_t> row_counts{1, 256};
  int repeats = 2000;
  double seconds = 3.0;  // per row count and call kind
  for (int i = 1; i < argc; ++i) {
    const std::string option = argv[i];
    if (i + 1 >= argc) usage(("option " + option + " needs a value").c_str());
    const std::string value = argv[++i];
    if (option == "--threads") {
      threads = std::atoi(value.c_str());
    } else if (option == "--repeats") {
      repeats = std::atoi(value.c_str());
    } else if (option == "--seconds") {
      seconds = std::atof(value.c_str());
    } else if (option == "--rows") {
      row_counts.clear();
      std::istringstream list(value);
      for (std::string item; std::getline(list, item, ',');) {
        row_counts.push_back(std::strtoul(item.c_str(), nullptr, 10));
      }
    } else {
      usage(("unknown option " + option).c_str());
    }
  }
  if (threads < 1 || repeats < 1 || row_counts.empty() ||
      std::ranges::find(row_counts, 0) != row_counts.end()) {
    usage("threads, repeats and rows must be positive");
  }

  const fnn::Registry registry = fnn::Registry::with_plugins();
  fnn::NetworkSpec spec{784};
  spec.add("dense", {{"units", "256"}}).add("sigmoid").add("dense", {{"units", "128"}});
  spec.add("sigmoid").add("dense", {{"units", "10"}}).add("sigmoid");
  fnn::Network network(registry, spec);
  fnn::Rng rng(1);
  network.initialize(*registry.make_initializer("glorot_uniform"), rng);

  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism,
                                        static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    for (const std::size_t rows : row_counts) {
      fnn::Matrix inputs(rows, 784);
      for (float& x : inputs.values()) x = rng.uniform(0.0F, 1.0F);
      fnn::Matrix outputs(rows, network.output_size());
      float sink = 0.0F;  // keeps every result alive
      const std::vector<double> returned =
          time_calls(repeats, seconds, [&] { sink += network.predict(inputs)(0, 0); });
      const std::vector<double> into = time_calls(repeats, seconds, [&] {
        network.predict(inputs, outputs);
        sink += outputs(0, 0);
      });
      std::printf(
          "PREDICT framework=fnn threads=%d rows=%zu median_us=%.2f p10_us=%.2f p90_us=%.2f "
          "into_median_us=%.2f repeats=%zu sink=%g\n",
          threads, rows, percentile(returned, 0.5), percentile(returned, 0.1),
          percentile(returned, 0.9), percentile(into, 0.5), returned.size(),
          static_cast<double>(sink));
    }
  });
}
