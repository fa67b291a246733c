#pragma once
// fnn train as one process of an MPI job (mpirun or srun; docs/distributed.md): which rank this
// is, how its errors are named, and the start-up agreement between the ranks.
#include <cstddef>
#include <filesystem>
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

/// For a command whose ranks all reached its end together: an agreed stop of fnn train (every
/// rank stopped after the same batch, rank 0 wrote the checkpoint), or fnn sweep once rank 0 has
/// told the others that the sweep ended. Its non-zero status then ends the job through
/// MPI_Finalize and the exit status, not MPI_Abort, which could end rank 0 while it writes and
/// whose report would bury the command's own.
void mark_ended_together() noexcept;
bool ended_together() noexcept;

/// What every rank must agree on before training: (what, value) pairs.
using Fingerprint = std::vector<std::pair<std::string, std::string>>;

/// A checksum of `values`' bits (FNV-1a), for a fingerprint.
std::string checksum(std::span<const float> values);

/// The entries for the plugin files a rank loaded: "plugins" (their file names) and one
/// "plugin NAME" (size and CRC-32) for each, so that ranks with another build of a plugin are
/// refused. The directories are left out: they may differ between hosts, the contents may not.
Fingerprint plugin_fingerprint(std::vector<std::filesystem::path> files);

/// What picks glibc's libm variants on this CPU (its ifuncs: exp, log, pow, sin, ... built with
/// FMA where the CPU has FMA and AVX2), for a fingerprint: those variants may round a last bit
/// differently, so ranks on CPUs that differ there could differ in their activations' bits.
std::string math_library_variant();

/// Compares every rank's fingerprint with rank 0's; on a difference throws fnn::Error naming the
/// first rank and entry that differ, with both values (every rank throws the same).
void agree(const Job& job, const Fingerprint& fingerprint);

/// For the tests of the start-up deadline only: with FNN_TEST_STALL_BEFORE=STEP:RANK in the
/// environment, rank RANK sleeps 30 s before STEP ("agreement" or "parameters"), as a rank that
/// is stuck or late would.
void stall_for_test(const Job& job, const std::string& step);

}  // namespace fnn::cli
