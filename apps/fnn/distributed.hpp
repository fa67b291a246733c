#pragma once
// fnn train as one process of an MPI job (mpirun or srun; docs/distributed.md): which rank this
// is, how its errors are named, and the start-up agreement between the ranks.
#include <cstddef>
#include <fnn/launcher.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace fnn::cli {

/// The job this process is part of; main opens it before anything starts threads.
struct Job {
  MpiModule& mpi;
  std::size_t rank = 0;
  std::size_t size = 1;
  std::string host;
  /// "rank r/N (host)", how this process's errors begin.
  std::string name() const;
};

/// The job of this process, or null when it runs alone.
const Job* current_job() noexcept;
void set_current_job(const Job* job) noexcept;

/// What every rank must agree on before training: (what, value) pairs.
using Fingerprint = std::vector<std::pair<std::string, std::string>>;

/// A checksum of `values`' bits (FNV-1a), for a fingerprint.
std::string checksum(std::span<const float> values);

/// Compares every rank's fingerprint with rank 0's; on a difference throws fnn::Error naming the
/// first rank and entry that differ, with both values (every rank throws the same).
void agree(const Job& job, const Fingerprint& fingerprint);

}  // namespace fnn::cli
