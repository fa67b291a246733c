// fnn_comm_mpi: fnn::GradientExchange over MPI, a module that libfnn and the fnn tool never link
// (docs/distributed.md). MPI only copies bits; every sum is the core's fixed tree
// (fnn::combine_shards), so MPI's choice of algorithm cannot change a result (MPI_Allreduce's
// would). Two ways to the batch's sums, the same bits:
// - all-gather: every rank's subtree sums reach every rank (MPI_Iallgatherv), and every rank
//   finishes the whole tree: one round, each rank receives (N-1)·P floats and adds N·P;
// - reduce-scatter: rank q receives segment q of the parameters from every rank's subtree sums
//   (MPI_Ialltoallv), finishes the tree on that segment, and the segments are gathered
//   (MPI_Iallgatherv): two rounds, each rank receives 2·(N-1)/N·P floats and adds P.
// The first is chosen for 2 ranks, the second from 3 (FNN_MPI_EXCHANGE=allgather or
// reduce-scatter overrides, for benchmarks and tests).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fnn/error.hpp>
#include <fnn/export.hpp>
#include <fnn/gradient_exchange.hpp>
#include <fnn/launcher.hpp>
#include <fnn/sizes.hpp>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "mpi_status.hpp"

namespace {

void check(int status, const char* call) {
  fnn::comm::check_mpi(status, call, "the gradient exchange");
}

class MpiExchange final : public fnn::GradientExchange {
 public:
  MpiExchange() {
    int rank = 0;
    int size = 1;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);  // errors become fnn::Error
    MPI_Comm_rank(comm_, &rank);
    MPI_Comm_size(comm_, &size);
    rank_ = static_cast<std::size_t>(rank);
    size_ = static_cast<std::size_t>(size);
  }
  ~MpiExchange() override { MPI_Comm_free(&comm_); }
  MpiExchange(const MpiExchange&) = delete;
  MpiExchange& operator=(const MpiExchange&) = delete;

  std::size_t participants() const noexcept override { return size_; }
  std::size_t participant() const noexcept override { return rank_; }

  void share(std::span<const std::vector<fnn::ShardRange>> roots,
             const fnn::ShardSums& sums) override {
    share_sums(roots, sums, {});
  }

  void share_with_stops(std::span<const std::vector<fnn::ShardRange>> roots,
                        const fnn::ShardSums& sums, std::span<int> stops) override {
    share_sums(roots, sums, stops);
  }

  void share_and_combine(std::span<const std::vector<fnn::ShardRange>> roots,
                         const fnn::ShardSums& sums, std::span<int> stops) override {
    fnn::all_roots(roots, all_roots_);
    if (reduce_scatter()) {
      reduce_scatter_sums(roots, sums, stops);
    } else {
      share_sums(roots, sums, stops);
      fnn::combine_shards(sums, {0, sums.losses.size()}, all_roots_);
    }
  }

  // share, and with `stops` not empty, each rank's word on stopping as one more double after its
  // losses: the same messages, no round trip of its own.
  void share_sums(std::span<const std::vector<fnn::ShardRange>> roots, const fnn::ShardSums& sums,
                  std::span<int> stops) {
    // Counts and offsets per rank, known to all from the roots: P floats per root.
    float_counts_.assign(size_, 0);
    float_offsets_.assign(size_, 0);
    std::size_t nodes = 0;
    for (std::size_t p = 0; p < size_; ++p) {
      float_offsets_[p] = to_int(nodes * sums.parameters, "MPI_Iallgatherv");
      float_counts_[p] = to_int(roots[p].size() * sums.parameters, "MPI_Iallgatherv");
      nodes += roots[p].size();
    }
    gradients_.resize(nodes * sums.parameters);
    auto to = gradients_.begin() + float_offsets_[rank_];
    for (const fnn::ShardRange root : roots[rank_]) {
      const std::span<const float> mine = sums.gradient(root.begin);
      to = std::copy(mine.begin(), mine.end(), to);
    }
    MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    check(
        MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, gradients_.data(), float_counts_.data(),
                        float_offsets_.data(), MPI_FLOAT, comm_, &requests[0]),
        "MPI_Iallgatherv (gradients)");
    start_losses(roots, sums, stops, requests[1]);
    wait_for_shards(requests);
    auto from = gradients_.cbegin();
    for (std::size_t p = 0; p < size_; ++p) {
      for (const fnn::ShardRange root : roots[p]) {
        const std::span<float> slot = sums.gradient(root.begin);
        if (p != rank_)
          std::copy(from, from + static_cast<std::ptrdiff_t>(slot.size()), slot.begin());
        from += static_cast<std::ptrdiff_t>(slot.size());
      }
    }
    finish_losses(roots, sums, stops);
  }

  // Rank q's segment of the parameters: [q·P/N, (q+1)·P/N), cut as shards are.
  fnn::ShardRange segment(std::size_t parameters, std::size_t rank) const {
    return fnn::shard_rows(parameters, size_, rank);
  }

  // share_and_combine by reduce-scatter (see the top of the file). Memory: every shard's slot
  // for one segment (S·P/N floats; the trainer's own sums are S·P).
  void reduce_scatter_sums(std::span<const std::vector<fnn::ShardRange>> roots,
                           const fnn::ShardSums& sums, std::span<int> stops) {
    const std::size_t shards = sums.losses.size();
    const fnn::ShardRange mine = segment(sums.parameters, rank_);
    send_counts_.assign(size_, 0);
    send_offsets_.assign(size_, 0);
    float_counts_.assign(size_, 0);  // what each rank sends here
    float_offsets_.assign(size_, 0);
    std::size_t sent = 0;
    std::size_t received = 0;
    for (std::size_t q = 0; q < size_; ++q) {
      send_offsets_[q] = to_int(sent, "MPI_Ialltoallv");
      send_counts_[q] =
          to_int(roots[rank_].size() * segment(sums.parameters, q).size(), "MPI_Ialltoallv");
      sent += static_cast<std::size_t>(send_counts_[q]);
      float_offsets_[q] = to_int(received, "MPI_Ialltoallv");
      float_counts_[q] = to_int(roots[q].size() * mine.size(), "MPI_Ialltoallv");
      received += static_cast<std::size_t>(float_counts_[q]);
    }
    sending_.resize(sent);
    gradients_.resize(received);
    auto to = sending_.begin();
    for (std::size_t q = 0; q < size_; ++q) {
      const fnn::ShardRange part = segment(sums.parameters, q);
      for (const fnn::ShardRange root : roots[rank_]) {
        const std::span<const float> of_root =
            sums.gradient(root.begin).subspan(part.begin, part.size());
        to = std::copy(of_root.begin(), of_root.end(), to);
      }
    }
    MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    check(MPI_Ialltoallv(sending_.data(), send_counts_.data(), send_offsets_.data(), MPI_FLOAT,
                         gradients_.data(), float_counts_.data(), float_offsets_.data(), MPI_FLOAT,
                         comm_, &requests[0]),
          "MPI_Ialltoallv (gradient segments)");
    start_losses(roots, sums, stops, requests[1]);
    wait_for_shards(requests);
    finish_losses(roots, sums, stops);

    // This segment of every root, in its shard's slot; the tree over them (the losses too).
    segment_sums_.resize(fnn::checked_multiply(shards, mine.size(), "the exchange's segment"));
    const fnn::ShardSums part{segment_sums_, sums.losses, mine.size()};
    auto from = gradients_.cbegin();
    for (std::size_t p = 0; p < size_; ++p) {
      for (const fnn::ShardRange root : roots[p]) {
        const std::span<float> slot = part.gradient(root.begin);
        std::copy(from, from + static_cast<std::ptrdiff_t>(slot.size()), slot.begin());
        from += static_cast<std::ptrdiff_t>(slot.size());
      }
    }
    fnn::combine_shards(part, {0, shards}, all_roots_);

    // Every rank's combined segment into shard 0's slot.
    const std::span<float> batch = sums.gradient(0);
    std::ranges::copy(part.gradient(0), batch.begin() + static_cast<std::ptrdiff_t>(mine.begin));
    for (std::size_t q = 0; q < size_; ++q) {
      const fnn::ShardRange part_of_q = segment(sums.parameters, q);
      send_offsets_[q] = to_int(part_of_q.begin, "MPI_Iallgatherv");
      send_counts_[q] = to_int(part_of_q.size(), "MPI_Iallgatherv");
    }
    MPI_Request gathered = MPI_REQUEST_NULL;
    check(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, batch.data(), send_counts_.data(),
                          send_offsets_.data(), MPI_FLOAT, comm_, &gathered),
          "MPI_Iallgatherv (combined segments)");
    if (!finished({&gathered, 1})) {
      throw fnn::Error(late("the gradient exchange",
                            "the other processes' combined segments: "
                            "one of them is stuck or lost"));
    }
  }

  // Starts gathering every rank's root losses and, with `stops` not empty, its word on stopping
  // as one more double after them: the same message, no round trip of its own.
  void start_losses(std::span<const std::vector<fnn::ShardRange>> roots, const fnn::ShardSums& sums,
                    std::span<const int> stops, MPI_Request& request) {
    const std::size_t words = stops.empty() ? 0 : 1;  // per rank, after its losses
    loss_counts_.assign(size_, 0);
    loss_offsets_.assign(size_, 0);
    std::size_t values = 0;
    for (std::size_t p = 0; p < size_; ++p) {
      loss_offsets_[p] = to_int(values, "MPI_Iallgatherv");
      loss_counts_[p] = to_int(roots[p].size() + words, "MPI_Iallgatherv");
      values += roots[p].size() + words;
    }
    losses_.resize(values);
    auto to = losses_.begin() + loss_offsets_[rank_];
    for (const fnn::ShardRange root : roots[rank_]) *to++ = sums.losses[root.begin];
    if (words > 0) *to = stops[rank_];
    check(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, losses_.data(), loss_counts_.data(),
                          loss_offsets_.data(), MPI_DOUBLE, comm_, &request),
          "MPI_Iallgatherv (losses)");
  }

  // The gathered losses into their roots' slots, and every rank's word on stopping.
  void finish_losses(std::span<const std::vector<fnn::ShardRange>> roots,
                     const fnn::ShardSums& sums, std::span<int> stops) const {
    auto from = losses_.cbegin();
    for (std::size_t p = 0; p < size_; ++p) {
      for (const fnn::ShardRange root : roots[p]) sums.losses[root.begin] = *from++;
      if (!stops.empty()) stops[p] = static_cast<int>(*from++);
    }
  }

  void wait_for_shards(std::span<MPI_Request> requests) const {
    if (!finished(requests)) {
      throw fnn::Error(late("the gradient exchange",
                            "the other processes' shards: one of them "
                            "is stuck or lost"));
    }
  }

  // FNN_MPI_EXCHANGE, else reduce-scatter from 3 ranks on.
  bool reduce_scatter() const {
    const char* chosen = std::getenv("FNN_MPI_EXCHANGE");
    if (chosen == nullptr || *chosen == '\0') return size_ >= 3;
    if (std::strcmp(chosen, "reduce-scatter") == 0) return true;
    if (std::strcmp(chosen, "allgather") == 0) return false;
    throw fnn::Error(std::string("FNN_MPI_EXCHANGE is '") + chosen +
                     "', expected allgather or reduce-scatter (or nothing: chosen by the rank "
                     "count)");
  }

  void broadcast(std::span<float> values) override {
    const char* step = "the broadcast of the initial parameters";
    check_count(values.size(), "MPI_Ibcast");
    arrive(initial_parameters_tag, step);
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Ibcast(values.data(), static_cast<int>(values.size()), MPI_FLOAT, 0, comm_, &request),
          "MPI_Ibcast");
    if (!finished({&request, 1})) {
      throw fnn::Error(late(step, "rank 0's parameters: a rank is stuck or lost"));
    }
  }

  std::vector<std::string> gather(const std::string& text) override {
    const char* step = "the start-up agreement";
    const char* others = "the other processes' fingerprints: one of them is stuck or lost";
    check_count(text.size(), "MPI_Iallgather");
    arrive(agreement_tag, step);
    int length = static_cast<int>(text.size());
    std::vector<int> lengths(size_);
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm_, &request),
          "MPI_Iallgather");
    if (!finished({&request, 1})) {
      throw fnn::Error(late(step, others));
    }
    std::vector<int> offsets(size_);
    std::size_t total = 0;
    for (std::size_t p = 0; p < size_; ++p) {
      offsets[p] = static_cast<int>(total);
      total += static_cast<std::size_t>(lengths[p]);
      check_count(total, "MPI_Iallgatherv");
    }
    std::string all(total, '\0');
    check(MPI_Iallgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(),
                          MPI_CHAR, comm_, &request),
          "MPI_Iallgatherv (start-up agreement)");
    if (!finished({&request, 1})) {
      throw fnn::Error(late(step, others));
    }
    std::vector<std::string> texts;
    for (std::size_t p = 0; p < size_; ++p) {
      texts.push_back(
          all.substr(static_cast<std::size_t>(offsets[p]), static_cast<std::size_t>(lengths[p])));
    }
    return texts;
  }

  void set_deadline(double seconds) override { deadline_ = seconds; }

 private:
  // Polls `requests` until all are done (true), or until the deadline passes first (false): a
  // stuck or lost rank would otherwise hang every other one forever; the caller then throws and
  // the job is aborted.
  bool finished(std::span<MPI_Request> requests) const {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      int done = 0;
      check(MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done,
                        MPI_STATUSES_IGNORE),
            "MPI_Testall");
      if (done) return true;
      const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
      if (deadline_ > 0.0 && waited.count() > deadline_) return false;
      std::this_thread::yield();
    }
  }

  // "STEP waited S s for WHAT (fnn train --exchange-timeout sets the deadline)".
  std::string late(const std::string& step, const std::string& what) const {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", deadline_);
    return step + " waited " + seconds + " s for " + what +
           " (fnn train --exchange-timeout sets the deadline)";
  }

  // Every rank tells every other one it has reached `step` (an empty message with `tag`) and
  // waits for theirs to the deadline. A collective cannot say whom it waits for; this names the
  // ranks that never came.
  void arrive(int tag, const char* step) const {
    std::vector<MPI_Request> requests;  // receives, from rank order without this one, then sends
    std::vector<std::size_t> senders;
    for (std::size_t p = 0; p < size_; ++p) {
      if (p == rank_) continue;
      senders.push_back(p);
      requests.emplace_back(MPI_REQUEST_NULL);
      check(MPI_Irecv(nullptr, 0, MPI_BYTE, static_cast<int>(p), tag, comm_, &requests.back()),
            "MPI_Irecv (arrival)");
    }
    for (const std::size_t p : senders) {
      requests.emplace_back(MPI_REQUEST_NULL);
      check(MPI_Isend(nullptr, 0, MPI_BYTE, static_cast<int>(p), tag, comm_, &requests.back()),
            "MPI_Isend (arrival)");
    }
    if (finished(requests)) return;
    std::string missing;
    for (std::size_t i = 0; i < senders.size(); ++i) {
      int arrived = 0;
      check(MPI_Test(&requests[i], &arrived, MPI_STATUS_IGNORE), "MPI_Test");
      if (!arrived) missing.append(missing.empty() ? "" : ", ").append(std::to_string(senders[i]));
    }
    if (missing.empty()) {
      throw fnn::Error(late(step, "the other processes: one of them is stuck or lost"));
    }
    const bool one = missing.find(',') == std::string::npos;
    throw fnn::Error(late(step, std::string(one ? "rank " : "ranks ") + missing +
                                    ", which never came: " + (one ? "it is" : "they are") +
                                    " stuck or lost"));
  }

  static int to_int(std::size_t count, const char* call) {
    check_count(count, call);
    return static_cast<int>(count);
  }

  static void check_count(std::size_t count, const char* call) {
    if (count > static_cast<std::size_t>(INT_MAX)) {
      throw fnn::Error(std::string("the exchange cannot pass ") + std::to_string(count) +
                       " values in one " + call + " (at most INT_MAX)");
    }
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  std::size_t rank_ = 0;
  std::size_t size_ = 1;
  std::vector<int> float_counts_, float_offsets_, loss_counts_, loss_offsets_;
  std::vector<int> send_counts_, send_offsets_;
  std::vector<float> gradients_;     // received: roots' sums (all-gather) or segments
  std::vector<float> sending_;       // reduce-scatter: this rank's roots, segment by segment
  std::vector<float> segment_sums_;  // reduce-scatter: every shard's slot of this segment
  std::vector<fnn::ShardRange> all_roots_;
  std::vector<double> losses_;
  double deadline_ = 0.0;  // seconds; 0: none
  static constexpr int agreement_tag = 1;
  static constexpr int initial_parameters_tag = 2;
};

}  // namespace

/// Initialises MPI (funneled: only the thread that trains calls it), before any TBB thread
/// starts, and returns the exchange over MPI_COMM_WORLD; null when MPI cannot start.
FNN_PLUGIN_EXPORT fnn::GradientExchange* fnn_comm_mpi_open(int* argc, char*** argv) noexcept {
  try {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return nullptr;
    return new MpiExchange();
  } catch (...) {
    return nullptr;
  }
}

/// The GradientExchange and JobMessages this module was built with (fnn::mpi_module_interface).
FNN_PLUGIN_EXPORT int fnn_comm_mpi_interface() noexcept { return fnn::mpi_module_interface; }

/// Ends every process of the job with `code` after an error on this one (the others may be
/// waiting in an exchange that would never complete).
FNN_PLUGIN_EXPORT void fnn_comm_mpi_abort(int code) noexcept {
  MPI_Abort(MPI_COMM_WORLD, code);
}

/// Frees the exchange and finalises MPI.
FNN_PLUGIN_EXPORT void fnn_comm_mpi_close(fnn::GradientExchange* exchange) noexcept {
  delete exchange;
  MPI_Finalize();
}
