// fnn_comm_mpi: fnn::GradientExchange over MPI, a module that libfnn and the fnn tool never link
// (docs/distributed.md). It only copies bits: every rank's subtree sums reach every rank
// through MPI_Allgatherv, and the core finishes the tree in its fixed order, so MPI's choice of
// algorithm cannot change a result (MPI_Allreduce's would).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <fnn/error.hpp>
#include <fnn/export.hpp>
#include <fnn/gradient_exchange.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw fnn::Error(std::string("the gradient exchange failed in ") + call + ": " +
                   std::string(text, static_cast<std::size_t>(length)));
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
    // Counts and offsets per rank, known to all from the roots: P floats and one loss per root.
    float_counts_.assign(size_, 0);
    float_offsets_.assign(size_, 0);
    loss_counts_.assign(size_, 0);
    loss_offsets_.assign(size_, 0);
    std::size_t nodes = 0;
    for (std::size_t p = 0; p < size_; ++p) {
      loss_offsets_[p] = static_cast<int>(nodes);
      float_offsets_[p] = static_cast<int>(nodes * sums.parameters);
      loss_counts_[p] = static_cast<int>(roots[p].size());
      float_counts_[p] = static_cast<int>(roots[p].size() * sums.parameters);
      nodes += roots[p].size();
    }
    gradients_.resize(nodes * sums.parameters);
    losses_.resize(nodes);
    std::size_t node = static_cast<std::size_t>(loss_offsets_[rank_]);
    for (const fnn::ShardRange root : roots[rank_]) {
      const std::span<const float> mine = sums.gradient(root.begin);
      std::copy(mine.begin(), mine.end(), gradients_.begin() + static_cast<std::ptrdiff_t>(node * sums.parameters));
      losses_[node++] = sums.losses[root.begin];
    }
    MPI_Request requests[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    check(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, gradients_.data(),
                          float_counts_.data(), float_offsets_.data(), MPI_FLOAT, comm_,
                          &requests[0]),
          "MPI_Iallgatherv (gradients)");
    check(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, losses_.data(), loss_counts_.data(),
                          loss_offsets_.data(), MPI_DOUBLE, comm_, &requests[1]),
          "MPI_Iallgatherv (losses)");
    wait(requests);
    node = 0;
    for (std::size_t p = 0; p < size_; ++p) {
      for (const fnn::ShardRange root : roots[p]) {
        if (p != rank_) {
          const auto first = gradients_.begin() + static_cast<std::ptrdiff_t>(node * sums.parameters);
          std::copy(first, first + static_cast<std::ptrdiff_t>(sums.parameters),
                    sums.gradient(root.begin).begin());
          sums.losses[root.begin] = losses_[node];
        }
        ++node;
      }
    }
  }

  void broadcast(std::span<float> values) override {
    check_count(values.size(), "MPI_Bcast");
    check(MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_FLOAT, 0, comm_),
          "MPI_Bcast");
  }

  std::vector<std::string> gather(const std::string& text) override {
    check_count(text.size(), "MPI_Allgather");
    int length = static_cast<int>(text.size());
    std::vector<int> lengths(size_);
    check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    std::vector<int> offsets(size_);
    std::size_t total = 0;
    for (std::size_t p = 0; p < size_; ++p) {
      offsets[p] = static_cast<int>(total);
      total += static_cast<std::size_t>(lengths[p]);
      check_count(total, "MPI_Allgatherv");
    }
    std::string all(total, '\0');
    check(MPI_Allgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(),
                         offsets.data(), MPI_CHAR, comm_),
          "MPI_Allgatherv (start-up agreement)");
    std::vector<std::string> texts;
    for (std::size_t p = 0; p < size_; ++p) {
      texts.push_back(all.substr(static_cast<std::size_t>(offsets[p]),
                                 static_cast<std::size_t>(lengths[p])));
    }
    return texts;
  }

  void set_deadline(double seconds) override { deadline_ = seconds; }

 private:
  // Polls both requests until done, or throws when the deadline passes first (a stuck or lost
  // rank would otherwise hang every other one forever; the caller then aborts the job).
  void wait(MPI_Request (&requests)[2]) const {
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      int done = 0;
      check(MPI_Testall(2, requests, &done, MPI_STATUSES_IGNORE), "MPI_Testall");
      if (done) return;
      const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
      if (deadline_ > 0.0 && waited.count() > deadline_) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", deadline_);
        throw fnn::Error(std::string("the gradient exchange waited ") + seconds + " s for the other processes' shards: one of them is stuck or lost "
                         "(fnn train --exchange-timeout sets the deadline)");
      }
      std::this_thread::yield();
    }
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
  std::vector<float> gradients_;
  std::vector<double> losses_;
  double deadline_ = 0.0;  // seconds; 0: none
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

/// Ends every process of the job with `code` after an error on this one (the others may be
/// waiting in an exchange that would never complete).
FNN_PLUGIN_EXPORT void fnn_comm_mpi_abort(int code) noexcept { MPI_Abort(MPI_COMM_WORLD, code); }

/// Frees the exchange and finalises MPI.
FNN_PLUGIN_EXPORT void fnn_comm_mpi_close(fnn::GradientExchange* exchange) noexcept {
  delete exchange;
  MPI_Finalize();
}
