#pragma once
// fnn sweep across the ranks of a job (mpirun or srun; docs/distributed.md, "Sweeps across
// ranks"): rank 0 hands the trials out one at a time as ranks free up, runs its own share, and
// alone summarises; every rank runs the trials it is given as a one-process sweep would.
//
// The protocol, in fnn::JobMessages texts (a first line "KIND TRIAL", then a body):
//   0 -> r  "run T"       run trial T (rank 0 sends one for each free slot of r)
//   0 -> r  "stop SIG"    stop the running trials (forwarding signal SIG), start no more
//   0 -> r  "end"         every trial given to r is reported: leave the loop
//   r -> 0  "finished T\n<result_file text>", "failed T\n<why>", "stopped T"
//                         trial T's outcome; it frees r's slot, so it asks for the next trial
//   r -> 0  "stop SIG"    rank r was interrupted (SIG): rank 0 stops the whole sweep
//   0 <-> r "alive"       sent every deadline / 4: a rank that hears nothing from the other
//                         side for `deadline` (a stuck or stopped process) ends the sweep with
//                         an error, and the job with it, rather than wait forever
// MPI is called from the main thread only: each trial runs on a thread of its own (which waits
// for its fnn train child) while the main thread serves the messages, every 20 ms at most.
#include <chrono>
#include <cstddef>
#include <fnn/interrupt.hpp>
#include <fnn/launcher.hpp>
#include <fnn/sweep.hpp>
#include <optional>
#include <vector>

namespace fnn::cli {

/// Rank 0: runs `trials` on every rank of `messages`, `jobs` at a time on each, and returns their
/// outcomes as fnn::run_trials does (trials finished by an earlier run are not run again; nullopt
/// for those never started). Trials go out in order, each to a rank with a free slot (rank 0's
/// own first), so a rank that finishes early gets more. `events` are called here, on_start when
/// a trial is handed out. Once `stop` is requested (here, or on another rank) no trial is handed
/// out, the other ranks are asked to stop theirs, and the call returns when all have reported.
/// Ends by telling every other rank that the sweep has ended. fnn::Error for a message that
/// breaks the protocol, or naming a rank that sent nothing for `deadline`.
std::vector<std::optional<TrialOutcome>> coordinate_trials(
    JobMessages& messages, const std::vector<SweepTrial>& trials, std::size_t jobs,
    const TrialRunner& runner, StopRequest& stop, const SweepEvents& events,
    std::chrono::milliseconds deadline);

/// Every other rank: runs the trials rank 0 hands out with `runner` (each finished one's result
/// written to its result_file, as fnn::run_trials does) and reports their outcomes, until rank
/// 0 says the sweep has ended. A stop requested here (a signal) is passed on to rank 0.
/// fnn::Error when rank 0 sent nothing for `deadline`.
void serve_trials(JobMessages& messages, const std::vector<SweepTrial>& trials,
                  const TrialRunner& runner, StopRequest& stop,
                  std::chrono::milliseconds deadline);

}  // namespace fnn::cli
