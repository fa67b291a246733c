// What one training step's gradient reduction costs across ranks: the MPI module's exchange
// (fnn_comm_mpi, docs/distributed.md), both of its ways, against one MPI_Allreduce of the same
// gradient, whose bits depend on Open MPI's algorithm choice. The gradient is the Fashion-MNIST
// MLP's (784-256-128-10: 235,146 floats), one shard per rank. Each repetition starts after a
// barrier and counts the slowest rank's time (a step waits for the last rank). Rank 0 prints, in
// microseconds, the median and the 10th and 90th percentiles of
//   allgather       GradientExchange::share_and_combine, all-gather (every rank's subtree sums
//                   to every rank, the whole fixed tree added on each): what fnn uses at 2 ranks
//   reduce-scatter  the same by reduce-scatter (each rank adds the tree on its segment of the
//                   parameters, the segments gathered): what fnn uses from 3 ranks
//   allreduce       MPI_Allreduce(MPI_SUM) of the gradient, in place
// The two ways give the same bits; FNN_MPI_EXCHANGE picks one, set here per repetition.
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
  std::printf("%-15s %10.1f %10.1f %10.1f\n", what, at(0.5), at(0.1), at(0.9));
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
  for (std::size_t p = 0; p < ranks; ++p) {
    roots.push_back(fnn::subtree_roots(shards, fnn::participant_shards(shards, ranks, p)));
  }
  std::vector<float> own(parameters);
  for (std::size_t i = 0; i < parameters; ++i) {
    own[i] = static_cast<float>((i * 7 + rank * 13) % 1000) * 1e-6F - 5e-4F;
  }
  std::vector<float> gradients(shards * parameters);
  std::vector<double> losses(shards);
  const fnn::ShardSums sums{gradients, losses, parameters};
  std::vector<float> reduced(parameters);

  // The module's step by way `way` (FNN_MPI_EXCHANGE), the slowest rank's seconds.
  const auto step = [&](const char* way) {
    ::setenv("FNN_MPI_EXCHANGE", way, 1);
    std::copy(own.begin(), own.end(), sums.gradient(rank).begin());  // as backpropagation left it
    losses[rank] = 1.0;
    MPI_Barrier(MPI_COMM_WORLD);
    const Clock::time_point start = Clock::now();
    exchange.share_and_combine(roots, sums, {});
    return slowest_since(start);
  };
  std::vector<float> first_way(parameters);
  std::vector<double> allgather_s;
  std::vector<double> reduce_scatter_s;
  std::vector<double> allreduce_s;
  const int warm_up = std::max(1, repetitions / 10);
  for (int r = 0; r < warm_up + repetitions; ++r) {
    const double allgather = step("allgather");
    std::copy_n(sums.gradient(0).begin(), parameters, first_way.begin());
    const double reduce_scatter = step("reduce-scatter");
    if (!std::equal(first_way.begin(), first_way.end(), sums.gradient(0).begin())) {
      std::fprintf(stderr, "fnn_bench_mpi_exchange: the two ways gave other bits\n");
      return 1;
    }

    std::copy(own.begin(), own.end(), reduced.begin());
    MPI_Barrier(MPI_COMM_WORLD);
    const Clock::time_point allreduce_start = Clock::now();
    MPI_Allreduce(MPI_IN_PLACE, reduced.data(), static_cast<int>(parameters), MPI_FLOAT, MPI_SUM,
                  MPI_COMM_WORLD);
    const double allreduce = slowest_since(allreduce_start);
    if (r >= warm_up) {
      allgather_s.push_back(allgather);
      reduce_scatter_s.push_back(reduce_scatter);
      allreduce_s.push_back(allreduce);
    }
  }
  if (rank == 0) {
    std::printf("ranks=%zu parameters=%zu repetitions=%d (after %d warm-up)\n", ranks, parameters,
                repetitions, warm_up);
    std::printf("%-15s %10s %10s %10s\n", "us", "median", "p10", "p90");
    print("allgather", allgather_s);
    print("reduce-scatter", reduce_scatter_s);
    print("allreduce", allreduce_s);
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "fnn_bench_mpi_exchange: %s\n", error.what());
  return 1;
}
