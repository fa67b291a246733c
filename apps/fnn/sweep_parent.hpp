#pragma once
// A trial of fnn sweep outlives no sweep: when the process that started it dies without passing a
// stop on (SIGKILL; under mpirun, a rank that dies), the trial stops at its next batch with a
// checkpoint instead of running on, unrecorded, as an orphan.

namespace fnn::cli {

/// The environment entry a sweep gives its trials: "FNN_SWEEP_PARENT=PID", the sweep's process.
const char* sweep_parent_entry();

/// In a trial of a sweep (FNN_SWEEP_PARENT set): asks the kernel for SIGTERM when the sweep's
/// thread that started this process ends (PR_SET_PDEATHSIG), and sends it at once when the sweep
/// is already gone. Call it once the InterruptHandler is installed, which makes it a stop.
void stop_with_the_sweep();

}  // namespace fnn::cli
