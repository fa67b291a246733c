// What one training step's gradient reduction costs across ranks: the MPI module's exchange
// (fnn_comm_mpi: every rank's subtree sums gathered with MPI_Iallgatherv, then the fixed tree
// added on every rank, docs/distributed.md) against one MPI_Allreduce of the same gradient, whose
// bits depend on Open MPI's algorithm choice. The gradient is the Fashion-MNIST MLP's
// (784-256-128-10: 235,146 floats), one shard per rank. Each repetition starts after a barrier
// and counts the slowest rank's time (a step waits for the last rank). Rank 0 prints, in
// microseconds, the median and the 10th and 90th percentiles of
//   share      the module's exchange alone (GradientExchange::share)
//   step       share, then combine_shards: what the trainer does per batch instead of a reduction
//   allreduce  MPI_Allreduce(MPI_SUM) of the gradient, in place
//
//   mpirun -np N fnn_bench_mpi_exchange [repetitions=500] [parameters=235146]
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fnn/gradient_exchange.hpp>
#include <fnn/launcher.hpp>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// The slowest rank's seconds since `start`, on every rank.
double slowest_since(Clock::time_point start) {
  double mine = std::chrono::duration<double>(Clock::now() - start).count();
  double slowest = 0.0;
  MPI_Allreduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return slowest;
}

void print(const char* what, std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  const auto at = [&seconds](double share) {
    return seconds[static_cast<std::size_t>(share * static_cast<double>(seconds.size() - 1))] * 1e6;
  };
  std::printf("%-10s %10.1f %10.1f %10.1f\n", what, at(0.5), at(0.1), at(0.9));
}

}  // namespace

int main(int argc, char** argv) try {
  fnn::MpiModule mpi(&argc, &argv);  // MPI_Init_thread, through the module fnn train loads
  fnn::GradientExchange& exchange = mpi.exchange();
  const int repetitions = argc > 1 ? std::atoi(argv[1]) : 500;
  const std::size_t parameters = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 235146;
  if (repetitions < 1 || parameters < 1 || parameters > 100'000'000) {
    std::fprintf(stderr, "usage: fnn_bench_mpi_exchange [repetitions >= 1] [parameters 1..1e8]\n");
    return 2;
  }
  const std::size_t ranks = exchange.participants();
  const std::size_t rank = exchange.participant();
  const std::size_t shards = ranks;

  std::vector<std::vector<fnn::ShardRange>> roots;
  std::vector<fnn::ShardRange> all_roots;
  for (std::size_t p = 0; p < ranks; ++p) {
    roots.push_back(fnn::subtree_roots(shards, fnn::participant_shards(shards, ranks, p)));
    all_roots.insert(all_roots.end(), roots.back().begin(), roots.back().end());
  }
  std::vector<float> own(parameters);
  for (std::size_t i = 0; i < parameters; ++i) {
    own[i] = static_cast<float>((i * 7 + rank * 13) % 1000) * 1e-6F - 5e-4F;
  }
  std::vector<float> gradients(shards * parameters);
  std::vector<double> losses(shards);
  const fnn::ShardSums sums{gradients, losses, parameters};
  std::vector<float> reduced(parameters);

  std::vector<double> share_s;
  std::vector<double> step_s;
  std::vector<double> allreduce_s;
  const int warm_up = std::max(1, repetitions / 10);
  for (int r = 0; r < warm_up + repetitions; ++r) {
    // This rank's shard as backpropagation would leave it (not timed).
    std::copy(own.begin(), own.end(), sums.gradient(rank).begin());
    losses[rank] = 1.0;
    MPI_Barrier(MPI_COMM_WORLD);
    const Clock::time_point start = Clock::now();
    exchange.share(roots, sums);
    const double share = slowest_since(start);
    const Clock::time_point combine_start = Clock::now();
    fnn::combine_shards(sums, {0, shards}, all_roots);
    const double step = share + slowest_since(combine_start);

    std::copy(own.begin(), own.end(), reduced.begin());
    MPI_Barrier(MPI_COMM_WORLD);
    const Clock::time_point allreduce_start = Clock::now();
    MPI_Allreduce(MPI_IN_PLACE, reduced.data(), static_cast<int>(parameters), MPI_FLOAT, MPI_SUM,
                  MPI_COMM_WORLD);
    const double allreduce = slowest_since(allreduce_start);
    if (r >= warm_up) {
      share_s.push_back(share);
      step_s.push_back(step);
      allreduce_s.push_back(allreduce);
    }
  }
  if (rank == 0) {
    std::printf("ranks=%zu parameters=%zu repetitions=%d (after %d warm-up)\n", ranks, parameters,
                repetitions, warm_up);
    std::printf("%-10s %10s %10s %10s\n", "us", "median", "p10", "p90");
    print("share", share_s);
    print("step", step_s);
    print("allreduce", allreduce_s);
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "fnn_bench_mpi_exchange: %s\n", error.what());
  return 1;
}
