// fnn train --checkpoint-every: runs killed with SIGKILL at chosen points (also halfway through
// writing a checkpoint) leave either no checkpoint or a complete one, and resuming from it ends
// bit-identical to an unbroken run; a diverging run keeps its last good checkpoint.
//
// Kill points are deterministic: the environment variable FNN_TEST_STOP_WRITING (see
// framework/src/atomic_file.cpp) makes the fnn process stop itself (SIGSTOP) halfway through
// writing the temporary file of each checkpoint, or of each epoch's metrics (a point between
// checkpoints). The test counts those stops and, at the chosen one, either sends SIGKILL right
// there or continues the process and sends SIGKILL after a delay (during the rest of the write,
// the fsync or the rename, or later). Either way it is a real SIGKILL; no process cleans up.
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fnn/model_file.hpp>
#include <fnn/trainer.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::start_fnn;
using fnn::test::write_file;

namespace {

constexpr std::size_t epochs = 12;
constexpr std::size_t batches_per_epoch = 13;  // 100 samples in batches of 8: 12 × 8 + 4

struct Folder {
  fnn::test::TemporaryDirectory folder;
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  Folder() {
    // 100 samples, 4 inputs, a smooth target in (0, 1).
    std::string csv = "a,b,c,d,y\n";
    for (int r = 0; r < 100; ++r) {
      const double a = (r * 37 % 17) / 8.0 - 1.0;
      const double b = (r * 11 % 13) / 6.0 - 1.0;
      const double c = (r * 7 % 5) / 2.0 - 1.0;
      const double d = (r % 10) / 4.5 - 1.0;
      const double y = 0.5 + 0.4 * std::sin(a + b * c - d);
      csv += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(c) + "," +
             std::to_string(d) + "," + std::to_string(y) + "\n";
    }
    write_file(path("data.csv"), csv);
  }
};

// Dropout makes every batch's seed matter, momentum gives the optimizer a state.
std::vector<std::string> fresh(const Folder& f, std::size_t epoch_count = epochs) {
  return {
      "train", "--train",     f.path("data.csv"),          "--hidden",        "8",   "--dropout",
      "0.25",  "--optimizer", "sgd:momentum=0.9",          "--learning-rate", "0.5", "--batch-size",
      "8",     "--epochs",    std::to_string(epoch_count), "--seed",          "7",   "--progress",
      "plain"};
}

std::vector<std::string> resumed(const Folder& f, const std::string& checkpoint) {
  return {"train",
          "--resume",
          checkpoint,
          "--train",
          f.path("data.csv"),
          "--epochs",
          std::to_string(epochs),
          "--progress",
          "plain"};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A model file's tensor, as raw bytes, for bit-for-bit comparison.
std::string tensor_bytes(const fnn::ModelFile& model, const std::string& name) {
  const auto found = model.tensors.find(name);
  if (found == model.tensors.end()) return "";
  return {reinterpret_cast<const char*>(found->second.data()),
          found->second.size() * sizeof(float)};
}

// Where a checkpoint stands, in batches since the start (or epochs, for epoch checkpoints).
std::size_t batches_into_run(const fnn::ModelFile& model) {
  const auto number = [&](const std::string& key) -> std::size_t {
    const auto found = model.metadata.find(key);
    return found == model.metadata.end() ? 0 : std::stoul(found->second);
  };
  return number("epochs_done") * batches_per_epoch + number("batches_done");
}

std::vector<std::string> temporaries(const Folder& f) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(f.folder.path())) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) names.push_back(name);
  }
  return names;
}

// Everything in the folder is expected: the data, models, checkpoints and (named) temporaries.
void check_no_strays(const Folder& f) {
  for (const auto& entry : std::filesystem::directory_iterator(f.folder.path())) {
    const std::string name = entry.path().filename().string();
    INFO("unexpected file " << name);
    CHECK((name == "data.csv" || name == "reference.fnn" || name == "final.fnn" ||
           name == "run.ckpt" || name == "metrics.csv" || name.starts_with(".run.ckpt.tmp-") ||
           name.starts_with(".metrics.csv.tmp-")));
  }
}

enum class Kill { mid_write, after_write };

struct KillPoint {
  const char* stop_at;  // whose writes stop the process: the checkpoint or the metrics file
  int stop;             // at the segment's n-th write of that file (1-based)
  Kill kind;            // kill there, halfway through the temporary file, or continue, then kill
  int delay_us;         // after_write: how long to let it run first
};

struct Chain {
  std::string every;  // --checkpoint-every
  std::size_t step;   // how far apart checkpoints are, in batches
  std::vector<KillPoint> kills;
};

// The last "epoch N/12" line a run printed: the epoch whose metrics it was writing.
std::size_t last_epoch_logged(const std::string& out) {
  const std::size_t at = out.rfind("epoch ");
  return at == std::string::npos ? 0 : std::stoul(out.substr(at + 6));
}

// Trains with checkpoints, killed at each of `chain.kills` in turn and resumed from the checkpoint
// (or started afresh while there is none), then to the end; the result must equal reference.fnn.
void run_chain(const Folder& f, const Chain& chain) {
  const std::string checkpoint = f.path("run.ckpt");
  const std::vector<std::string> checkpointing{
      "--checkpoint-every", chain.every, "--checkpoint",       checkpoint, "--save",
      f.path("final.fnn"),  "--metrics", f.path("metrics.csv")};
  std::optional<std::size_t> position;  // of the checkpoint on disk, batches into the run
  int kills = 0;
  for (const KillPoint& point : chain.kills) {
    INFO("kill point " << kills + 1 << ": " << point.stop_at << " write " << point.stop << ", "
                       << (point.kind == Kill::mid_write ? "mid-write" : "after the write") << ", "
                       << point.delay_us << " us");
    const bool at_checkpoint = std::string(point.stop_at) == "run.ckpt";
    const std::optional<std::size_t> started_at = position;
    const fnn::test::ScopedEnvironment stop_hook("FNN_TEST_STOP_WRITING", point.stop_at);
    const auto child = start_fnn(with(position ? resumed(f, checkpoint) : fresh(f), checkpointing));
    const pid_t pid = child->pid();
    bool killed = false;
    for (int stop = 1; !killed; ++stop) {
      if (!child->wait_until_stopped()) break;  // it ended before this kill point
      if (stop < point.stop) {
        child->resume();
      } else if (point.kind == Kill::mid_write) {
        killed = child->kill();
      } else {
        child->resume();
        std::this_thread::sleep_for(std::chrono::microseconds(point.delay_us));
        killed = child->kill();  // running, stopped at a later write, or already ended
      }
    }
    const std::string out = child->output().out;
    INFO(out << child->output().err);
    if (!killed) continue;
    ++kills;

    // Never half-written: the checkpoint is absent or loads completely.
    check_no_strays(f);
    if (std::filesystem::exists(checkpoint)) {
      fnn::ModelFile model;
      REQUIRE_NOTHROW(model = fnn::read_model_file(checkpoint));
      CHECK(fnn::all_finite(model.tensors.at("parameters")));
      const std::size_t now = batches_into_run(model);
      if (position) CHECK(now >= *position);
      position = now;
    } else {
      CHECK(!position);
    }
    const std::vector<std::string> left = temporaries(f);
    if (point.kind == Kill::after_write) {
      CHECK(left.size() <= 2);  // at most one per file: this run's, or an earlier one's
      continue;
    }
    // Killed halfway through a write: only this process's temporary is there (a resumed run has
    // cleaned up its predecessors'), and the checkpoint is the last one completed before.
    if (at_checkpoint) {
      REQUIRE(left.size() == 1);
      CHECK_THAT(left[0],
                 Contains(std::string(point.stop_at) + ".tmp-") &&
                     Contains(std::string("-").append(std::to_string(pid)).append("-")));
    } else {  // metrics rows are appended in place: half a row is there, for the resumed run to cut
      CHECK(left.empty());
      CHECK(read_file(f.path("metrics.csv")).back() != '\n');
    }
    const std::size_t expected =
        at_checkpoint ? started_at.value_or(0) + (point.stop - 1) * chain.step
                      : last_epoch_logged(out) * batches_per_epoch / chain.step * chain.step;
    CHECK(position.value_or(0) == expected);
  }
  CHECK(kills >= static_cast<int>(chain.kills.size()) - 2);  // delays may outlast a short run

  // To the end, then compare with the unbroken run.
  const auto finished = run_fnn(with(position ? resumed(f, checkpoint) : fresh(f), checkpointing));
  INFO(finished.out << finished.err);
  REQUIRE(finished.exit_code == 0);
  CHECK_THAT(finished.out, Contains("epoch 12/12") && Contains("saved"));
  if (position && *position % batches_per_epoch != 0) {
    CHECK_THAT(finished.out, Contains("after batch " +
                                      std::to_string(*position % batches_per_epoch) + " of epoch"));
  }
  CHECK(temporaries(f).empty());
  check_no_strays(f);
  // The metrics file: its header once, then epochs 1 to 12 once each, whatever was cut and resumed.
  std::istringstream metrics(read_file(f.path("metrics.csv")));
  std::string row;
  REQUIRE(std::getline(metrics, row));
  CHECK(row ==
        "epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,best_epoch,train_accuracy");
  std::size_t rows = 0;
  while (std::getline(metrics, row)) CHECK_THAT(row, StartsWith(std::to_string(++rows) + ","));
  CHECK(rows == epochs);
  const fnn::ModelFile reference = fnn::read_model_file(f.path("reference.fnn"));
  const fnn::ModelFile result = fnn::read_model_file(f.path("final.fnn"));
  CHECK(tensor_bytes(result, "parameters") == tensor_bytes(reference, "parameters"));
  CHECK(tensor_bytes(result, "optimizer_state") == tensor_bytes(reference, "optimizer_state"));
  CHECK(result.metadata == reference.metadata);
  CHECK(!tensor_bytes(result, "optimizer_state").empty());
}

void train_reference(const Folder& f) {
  const auto reference = run_fnn(with(fresh(f), {"--save", f.path("reference.fnn")}));
  INFO(reference.err);
  REQUIRE(reference.exit_code == 0);
}

}  // namespace

TEST_CASE("killed with SIGKILL at epoch checkpoints and between them, resumed, bit-identical",
          "[cli][checkpoint]") {
  const Folder f;
  train_reference(f);
  run_chain(f, {"2",
                2 * batches_per_epoch,
                {{"run.ckpt", 2, Kill::mid_write, 0},     // writing epoch 4's: epoch 2's is kept
                 {"metrics.csv", 3, Kill::mid_write, 0},  // resumed, in epoch 5's metrics
                 {"run.ckpt", 1, Kill::mid_write, 0},     // writing epoch 6's: epoch 4's stays
                 {"run.ckpt", 1, Kill::after_write, 0},   // as the write finishes (or before)
                 {"metrics.csv", 1, Kill::after_write, 3000}}});
}

TEST_CASE("killed with SIGKILL at batch checkpoints inside epochs, resumed, bit-identical",
          "[cli][checkpoint]") {
  const Folder f;
  train_reference(f);
  run_chain(f, {"5batches",
                5,
                {{"run.ckpt", 3, Kill::mid_write, 0},     // batch 15's half-written: 10 is kept
                 {"metrics.csv", 2, Kill::mid_write, 0},  // resumed at batch 10 of epoch 1
                 {"run.ckpt", 2, Kill::mid_write, 0},
                 {"run.ckpt", 4, Kill::after_write, 0},
                 {"metrics.csv", 2, Kill::after_write, 2000},
                 {"run.ckpt", 5, Kill::mid_write, 0}}});
}

TEST_CASE("killed with SIGKILL at an unplanned moment, without the stop hook",
          "[cli][checkpoint]") {
  const Folder f;
  train_reference(f);
  const std::string checkpoint = f.path("run.ckpt");
  const std::vector<std::string> checkpointing{"--checkpoint-every", "1batch", "--checkpoint",
                                               checkpoint,           "--save", f.path("final.fnn")};
  {
    const auto child = start_fnn(with(fresh(f), checkpointing));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(checkpoint) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    child->kill();
  }
  REQUIRE(std::filesystem::exists(checkpoint));
  REQUIRE_NOTHROW(fnn::read_model_file(checkpoint));
  CHECK(temporaries(f).size() <= 1);
  const auto finished = run_fnn(with(resumed(f, checkpoint), checkpointing));
  INFO(finished.err);
  REQUIRE(finished.exit_code == 0);
  CHECK(temporaries(f).empty());
  CHECK(tensor_bytes(fnn::read_model_file(f.path("final.fnn")), "parameters") ==
        tensor_bytes(fnn::read_model_file(f.path("reference.fnn")), "parameters"));
}

TEST_CASE("a diverging run stops with exit 1 naming epoch and batch and keeps its last checkpoint",
          "[cli][checkpoint][faults]") {
  const Folder f;
  // Linear output, and the learning rate times 1e12 from epoch 3 on: it blows up in epoch 3.
  const std::vector<std::string> diverging{"--output-activation", "none", "--schedule",
                                           "step:2:1e12"};
  const std::string every = GENERATE(as<std::string>{}, "1", "3batches");
  INFO("--checkpoint-every " << every);
  const auto diverged =
      run_fnn(with(fresh(f), with(diverging, {"--checkpoint-every", every, "--checkpoint",
                                              f.path("run.ckpt"), "--save", f.path("final.fnn")})));
  CHECK(diverged.exit_code == 1);
  CHECK_THAT(diverged.err, Contains("training diverged in epoch 3, batch ") &&
                               Contains("the learning rate is likely too high") &&
                               Contains("the last checkpoint, " + f.path("run.ckpt")) &&
                               Contains("is kept"));
  CHECK(!std::filesystem::exists(f.path("final.fnn")));
  CHECK(temporaries(f).empty());

  // The checkpoint is a complete model from before the divergence.
  const fnn::ModelFile kept = fnn::read_model_file(f.path("run.ckpt"));
  CHECK(fnn::all_finite(kept.tensors.at("parameters")));
  CHECK(fnn::all_finite(kept.tensors.at("optimizer_state")));
  const std::size_t position = batches_into_run(kept);
  CHECK(position >= 2 * batches_per_epoch);
  CHECK(position < 3 * batches_per_epoch);
  if (every == "1") {
    // Bit-identical to a run that stopped after epoch 2.
    REQUIRE(run_fnn(with(fresh(f, 2), with(diverging, {"--save", f.path("two.fnn")}))).exit_code ==
            0);
    CHECK(tensor_bytes(kept, "parameters") ==
          tensor_bytes(fnn::read_model_file(f.path("two.fnn")), "parameters"));
  }
  // eval reads it, and it resumes with a sane schedule.
  const auto evaluated =
      run_fnn({"eval", "--model", f.path("run.ckpt"), "--test", f.path("data.csv")});
  CHECK(evaluated.exit_code == 0);
  const auto recovered = run_fnn(with(resumed(f, f.path("run.ckpt")), {"--schedule", "constant"}));
  INFO(recovered.err);
  CHECK(recovered.exit_code == 0);
  CHECK_THAT(recovered.out, Contains("epoch 12/12"));
}

TEST_CASE("bad --checkpoint-every values and missing checkpoint files are usage errors",
          "[cli][checkpoint]") {
  const Folder f;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases{
      {{"--checkpoint-every", "0"}, "--checkpoint-every '0'"},
      {{"--checkpoint-every", "3weeks", "--save", "m.fnn"}, "--checkpoint-every '3weeks'"},
      {{"--checkpoint-every", "batches", "--save", "m.fnn"}, "expected N epochs or N batches"},
      {{"--checkpoint-every", "-2", "--save", "m.fnn"}, "--checkpoint-every '-2'"},
      {{"--checkpoint-every", "3"}, "--checkpoint-every needs --checkpoint FILE, or --save FILE"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    const auto result = run_fnn(with({"train", "--train", f.path("data.csv")}, c.args));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(c.message));
  }
}

TEST_CASE(
    "the checkpoint defaults to the --save file plus .checkpoint, and a mid-epoch one "
    "keeps its batch size",
    "[cli][checkpoint]") {
  const Folder f;
  const auto trained =
      run_fnn(with(fresh(f, 2), {"--checkpoint-every", "20batches", "--save", f.path("m.fnn")}));
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.out,
             Contains("checkpoints every 20 batches to " + f.path("m.fnn.checkpoint")));
  const fnn::ModelFile checkpoint = fnn::read_model_file(f.path("m.fnn.checkpoint"));
  CHECK(checkpoint.metadata.at("epochs_done") == "1");  // batch 20 = batch 7 of epoch 2
  CHECK(checkpoint.metadata.at("batches_done") == "7");
  CHECK(!fnn::read_model_file(f.path("m.fnn")).metadata.contains("batches_done"));
  const auto other_batch =
      run_fnn(with(resumed(f, f.path("m.fnn.checkpoint")), {"--batch-size", "16"}));
  CHECK(other_batch.exit_code == 2);
  CHECK_THAT(other_batch.err, Contains("inside an epoch") && Contains("batch size, 8"));
}

namespace {

// Waits until the child has printed `text` on stdout (or ended); true if it did.
bool wait_for_output(fnn::test::ChildProcess& child, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (child.output().out.find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// The command an interrupted run printed after "continue with:", split into words (the test's
// paths need no shell quoting, which the check on quotes makes sure of).
std::vector<std::string> printed_command(const std::string& err) {
  const std::string marker = "continue with:\n  ";
  const std::size_t at = err.find(marker);
  if (at == std::string::npos) return {};
  const std::string line = err.substr(at + marker.size(), err.find('\n', at + marker.size()) -
                                                              at - marker.size());
  CHECK(line.find('\'') == std::string::npos);
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace

TEST_CASE("SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 stop a run after its batch with a "
          "checkpoint; the printed command resumes it bit-identical",
          "[cli][checkpoint][interrupt]") {
  const Folder f;
  train_reference(f);
  // SIGUSR1 and SIGUSR2: what mpirun forwards to its ranks, and Slurm's --signal sends.
  const auto [signal, name] = GENERATE(table<int, std::string>({{SIGINT, "SIGINT"},
                                                                 {SIGTERM, "SIGTERM"},
                                                                 {SIGHUP, "SIGHUP"},
                                                                 {SIGUSR1, "SIGUSR1"},
                                                                 {SIGUSR2, "SIGUSR2"}}));
  INFO("signal " << name);
  const std::string checkpoint = f.path("run.ckpt");
  const std::vector<std::string> checkpointing{
      "--checkpoint-every", "5batches", "--checkpoint", checkpoint, "--save",
      f.path("final.fnn"),  "--metrics", f.path("metrics.csv")};
  std::vector<std::string> command;
  {
    // The process stops itself while writing its second checkpoint (after batch 10 of epoch 1);
    // the signal arrives there, so the run stops as that batch ends.
    const fnn::test::ScopedEnvironment stop_hook("FNN_TEST_STOP_WRITING", "run.ckpt");
    const auto child = start_fnn(with(fresh(f), checkpointing));
    REQUIRE(child->wait_until_stopped());
    child->resume();
    REQUIRE(child->wait_until_stopped());
    REQUIRE(::kill(child->pid(), signal) == 0);
    child->resume();
    const auto result = child->wait();  // continued through the interrupt's own checkpoint
    INFO(result.out << result.err);
    CHECK(result.exit_code == 128 + signal);
    CHECK_THAT(result.err,
               Contains("interrupted: stopping after this batch and saving a checkpoint") &&
                   Contains("fnn: " + name + ": training stopped after batch 10 of epoch 1") &&
                   Contains("saved the checkpoint " + checkpoint));
    CHECK(!std::filesystem::exists(f.path("final.fnn")));
    CHECK(batches_into_run(fnn::read_model_file(checkpoint)) == 10);
    command = printed_command(result.err);
  }
  REQUIRE(command.size() > 3);
  CHECK(command[0] == FNN_CLI_PATH);
  CHECK(command[1] == "train");
  CHECK(command[2] == "--resume");
  CHECK(command[3] == checkpoint);
  const auto resumed_run = fnn::test::run_process(
      command[0], std::vector<std::string>(command.begin() + 1, command.end()));
  INFO(resumed_run.out << resumed_run.err);
  REQUIRE(resumed_run.exit_code == 0);
  CHECK(temporaries(f).empty());
  const fnn::ModelFile reference = fnn::read_model_file(f.path("reference.fnn"));
  const fnn::ModelFile result = fnn::read_model_file(f.path("final.fnn"));
  CHECK(tensor_bytes(result, "parameters") == tensor_bytes(reference, "parameters"));
  CHECK(tensor_bytes(result, "optimizer_state") == tensor_bytes(reference, "optimizer_state"));
  CHECK(result.metadata == reference.metadata);
}

TEST_CASE("a second interrupt ends the run at once; without --save or --checkpoint an "
          "interrupted run says that nothing was saved",
          "[cli][checkpoint][interrupt]") {
  const Folder f;
  SECTION("a second SIGINT, while the interrupt's checkpoint is being written") {
    // --checkpoint alone: only an interrupt writes there.
    const fnn::test::ScopedEnvironment stop_hook("FNN_TEST_STOP_WRITING", "run.ckpt");
    const auto child =
        start_fnn(with(fresh(f, 1000000), {"--checkpoint", f.path("run.ckpt")}));
    REQUIRE(wait_for_output(*child, "epoch 1/"));
    REQUIRE(::kill(child->pid(), SIGINT) == 0);
    REQUIRE(child->wait_until_stopped());  // halfway through the checkpoint
    REQUIRE(::kill(child->pid(), SIGINT) == 0);
    child->resume();
    const auto result = child->wait(std::chrono::seconds(10));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 130);
    CHECK_THAT(result.err, Contains("interrupt again to quit at once"));
    CHECK(!std::filesystem::exists(f.path("run.ckpt")));  // never half-written
  }
  SECTION("SIGTERM with nowhere to save") {
    const auto child = start_fnn(fresh(f, 1000000));
    REQUIRE(wait_for_output(*child, "epoch 1/"));
    REQUIRE(::kill(child->pid(), SIGTERM) == 0);
    const auto result = child->wait(std::chrono::seconds(10));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 143);
    CHECK_THAT(result.err, Contains("fnn: SIGTERM: training stopped after ") &&
                               Contains("nothing was saved: give --save FILE or --checkpoint "
                                        "FILE"));
  }
}

TEST_CASE("a signal ignored when fnn started (nohup, a script's background job) stays ignored",
          "[cli][checkpoint][interrupt]") {
  const Folder f;
  // sh's `trap "" INT` ignores SIGINT, and exec keeps that for fnn, with sh's process id.
  std::string command = "trap '' INT; exec '" + std::string(FNN_CLI_PATH) + "'";
  for (const std::string& word : fresh(f, 1000000)) command += " '" + word + "'";
  command += " --checkpoint '" + f.path("run.ckpt") + "'";
  fnn::test::ChildProcess child("/bin/sh", {"-c", command});
  REQUIRE(wait_for_output(child, "epoch 1/"));
  REQUIRE(::kill(child.pid(), SIGINT) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(child.output().err.find("interrupted") == std::string::npos);
  REQUIRE(::kill(child.pid(), SIGTERM) == 0);  // not ignored: stops the run as usual
  const auto result = child.wait(std::chrono::seconds(10));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 143);
  CHECK_THAT(result.err, Contains("SIGTERM: training stopped after"));
  CHECK(std::filesystem::exists(f.path("run.ckpt")));
}
