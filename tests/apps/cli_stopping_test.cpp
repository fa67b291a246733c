// fnn train --early-stopping, --monitor, --min-delta, --start-from-epoch, --schedule plateau and
// --validation: the saved model is the best epoch's whatever ends the run (checked bit for bit
// against a run of that many epochs), a run resumed inside a patience window from an epoch or a
// batch checkpoint ends as an unbroken one, and every misuse is a usage error.
#include <signal.h>

#include <cmath>
#include <fnn/model_file.hpp>
#include <regex>
#include <sstream>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::start_fnn;
using fnn::test::write_file;

using fnn::test::tensor_bytes;

namespace {

struct Folder {
  fnn::test::TemporaryDirectory folder;
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  Folder() {
    // 60 rows, 3 inputs, class 1 when they sum above 0, every fifth label flipped: the
    // validation loss falls, then rises as the network learns the flips.
    std::string csv = "a,b,c,label\n";
    std::string values = "a,b,c,y\n";
    for (int r = 0; r < 60; ++r) {
      const double a = (r * 37 % 17) / 8.0 - 1.0;
      const double b = (r * 11 % 13) / 6.0 - 1.0;
      const double c = (r * 7 % 5) / 2.0 - 1.0;
      const bool label = (a + b + c > 0) != (r % 5 == 0);
      const std::string inputs =
          std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(c) + ",";
      csv += inputs + (label ? "1\n" : "0\n");
      values += inputs + std::to_string(0.5 + 0.4 * std::sin(a - b * c)) + "\n";
    }
    write_file(path("data.csv"), csv);
    write_file(path("values.csv"), values);
  }
};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A run that overfits: the best validation epoch lies well inside it.
std::vector<std::string> base(const Folder& f, std::size_t epochs) {
  return {"train",
          "--train",
          f.path("data.csv"),
          "--classes",
          "--hidden",
          "24",
          "--activation",
          "tanh",
          "--output-activation",
          "softmax",
          "--loss",
          "cross_entropy",
          "--optimizer",
          "sgd:momentum=0.9",
          "--learning-rate",
          "0.1",
          "--batch-size",
          "5",
          "--seed",
          "3",
          "--validation-split",
          "0.3",
          "--epochs",
          std::to_string(epochs),
          "--progress",
          "plain"};
}


std::string metadata(const std::string& file, const std::string& key) {
  const fnn::ModelFile model = fnn::read_model_file(file);
  const auto found = model.metadata.find(key);
  return found == model.metadata.end() ? "" : found->second;
}

// The parameters of the same run trained for `epochs` epochs without early stopping.
std::string plain_parameters(const Folder& f, std::size_t epochs) {
  const std::string file = f.path("plain-" + std::to_string(epochs) + ".fnn");
  const auto result = run_fnn(with(base(f, epochs), {"--save", file}));
  REQUIRE(result.exit_code == 0);
  return tensor_bytes(file, "parameters");
}

// A CSV file's column by header name, one string per row.
std::vector<std::string> column(const std::string& file, const std::string& name) {
  std::istringstream lines(read_file(file));
  std::string line;
  std::getline(lines, line);
  std::vector<std::string> header;
  std::string field;
  for (std::istringstream fields(line); std::getline(fields, field, ',');) header.push_back(field);
  const auto at = std::find(header.begin(), header.end(), name) - header.begin();
  std::vector<std::string> values;
  while (std::getline(lines, line)) {
    std::vector<std::string> row;
    std::istringstream fields(line);
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::getline(fields, field, ',');
      row.push_back(fields ? field : "");
    }
    values.push_back(row[static_cast<std::size_t>(at)]);
  }
  return values;
}

// The metrics file without its seconds column, which differs between runs.
std::string without_seconds(const std::string& file) {
  std::string kept;
  std::size_t col = 0;
  for (const char c : read_file(file)) {
    if (col != 4) kept += c;
    col = c == '\n' ? 0 : col + (c == ',' ? 1 : 0);
  }
  return kept;
}

struct Stopped {
  std::size_t stopped = 0;
  std::size_t best = 0;
};

Stopped parse_stop_line(const std::string& out) {
  const std::regex line(
      "early stopping at epoch ([0-9]+): val_loss has not improved on [0-9.e-]+ "
      "\\(epoch ([0-9]+)\\) for 4 epochs; restored the weights of epoch \\2");
  std::smatch match;
  if (!std::regex_search(out, match, line)) return {};
  return {std::stoul(match[1]), std::stoul(match[2])};
}

}  // namespace

TEST_CASE(
    "fnn train --early-stopping stops when patience runs out and saves the best epoch's "
    "weights",
    "[cli][stopping]") {
  const Folder f;
  const auto result =
      run_fnn(with(base(f, 300), {"--early-stopping", "4", "--save", f.path("best.fnn"),
                                  "--metrics", f.path("metrics.csv")}));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const Stopped stop = parse_stop_line(result.out);
  REQUIRE(stop.stopped > 0);
  REQUIRE(stop.best > 1);
  CHECK(stop.stopped == stop.best + 4);
  CHECK_THAT(result.out, Contains("done: " + std::to_string(stop.stopped) + " epochs"));
  CHECK(tensor_bytes(f.path("best.fnn"), "parameters") == plain_parameters(f, stop.best));
  CHECK(tensor_bytes(f.path("best.fnn"), "latest_parameters") == plain_parameters(f, stop.stopped));
  CHECK(metadata(f.path("best.fnn"), "best_epoch") == std::to_string(stop.best));
  CHECK(metadata(f.path("best.fnn"), "stopped_epoch") == std::to_string(stop.stopped));
  // The metrics file: the best epoch so far in every row, and the rate each epoch trained at.
  const std::vector<std::string> best = column(f.path("metrics.csv"), "best_epoch");
  REQUIRE(best.size() == stop.stopped);
  CHECK(best.front() == "1");
  CHECK(best.back() == std::to_string(stop.best));
  CHECK(column(f.path("metrics.csv"), "learning_rate").back() == "0.1");
  // fnn inspect shows both epochs; resuming is refused: there is nothing to continue.
  const auto inspected = run_fnn({"inspect", f.path("best.fnn")});
  CHECK_THAT(inspected.out, Contains("best epoch: " + std::to_string(stop.best)) &&
                                Contains("stopped epoch: " + std::to_string(stop.stopped)));
  const auto resumed =
      run_fnn({"train", "--resume", f.path("best.fnn"), "--train", f.path("data.csv"),
               "--validation-split", "0.3", "--epochs", "400"});
  CHECK(resumed.exit_code == 2);
  CHECK_THAT(resumed.err, Contains("early stopping ended the run"));
}

TEST_CASE(
    "fnn train --early-stopping restores the best weights when the epochs run out, and "
    "--resume continues the run exactly",
    "[cli][stopping]") {
  const Folder f;
  const auto result =
      run_fnn(with(base(f, 14), {"--early-stopping", "100", "--save", f.path("model.fnn")}));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const std::smatch found = [&] {
    std::smatch match;
    std::regex_search(result.out, match,
                      std::regex("best val_loss [0-9.e-]+ in epoch ([0-9]+); restored the "
                                 "weights of epoch \\1"));
    return match;
  }();
  REQUIRE_FALSE(found.empty());
  const std::size_t best = std::stoul(found[1]);
  REQUIRE(best < 14);
  CHECK(tensor_bytes(f.path("model.fnn"), "parameters") == plain_parameters(f, best));
  CHECK(metadata(f.path("model.fnn"), "stopped_epoch").empty());

  // Continued to 30 epochs: the same model as 30 in one go.
  REQUIRE(run_fnn(with(base(f, 30), {"--early-stopping", "100", "--save", f.path("whole.fnn")}))
              .exit_code == 0);
  const auto continued =
      run_fnn({"train", "--resume", f.path("model.fnn"), "--train", f.path("data.csv"),
               "--validation-split", "0.3", "--epochs", "30", "--save", f.path("continued.fnn")});
  INFO(continued.out << continued.err);
  REQUIRE(continued.exit_code == 0);
  for (const char* tensor : {"parameters", "latest_parameters", "optimizer_state"}) {
    INFO(tensor);
    CHECK(tensor_bytes(f.path("continued.fnn"), tensor) ==
          tensor_bytes(f.path("whole.fnn"), tensor));
  }
  CHECK(fnn::read_model_file(f.path("continued.fnn")).metadata ==
        fnn::read_model_file(f.path("whole.fnn")).metadata);
}

TEST_CASE(
    "fnn train --early-stopping interrupted by SIGINT writes the latest checkpoint and the "
    "best model so far",
    "[cli][stopping][interrupt]") {
  const Folder f;
  const std::size_t at = 12;  // interrupted as epoch 12's metrics row is written
  std::string err;
  {
    const fnn::test::ScopedEnvironment stop_hook("FNN_TEST_STOP_WRITING", "metrics.csv");
    const auto child =
        start_fnn(with(base(f, 300), {"--early-stopping", "100", "--save", f.path("best.fnn"),
                                      "--metrics", f.path("metrics.csv")}));
    for (std::size_t write = 0; write < at; ++write) {  // the header, rows 1..at-1
      REQUIRE(child->wait_until_stopped());
      child->resume();
    }
    REQUIRE(child->wait_until_stopped());
    REQUIRE(::kill(child->pid(), SIGINT) == 0);
    child->resume();
    const auto result = child->wait();
    INFO(result.out << result.err);
    CHECK(result.exit_code == 128 + SIGINT);
    err = result.err;
  }
  // The signal may be handled on another thread (a TBB worker) a little later, so the run stops
  // after epoch 12 or some batches on; the checkpoint says where, the metrics file its best epoch.
  const std::string checkpoint = f.path("best.fnn.checkpoint");
  const std::size_t done = std::stoul(metadata(checkpoint, "epochs_done"));
  REQUIRE(done >= at);
  const std::size_t best = std::stoul(column(f.path("metrics.csv"), "best_epoch").at(done - 1));
  INFO(err << "best epoch " << best << " of " << done);
  REQUIRE(best < done);
  CHECK_THAT(err, Contains("saved the best model so far (epoch " + std::to_string(best) + ") to " +
                           f.path("best.fnn")) &&
                      Contains("training stopped after "));
  CHECK(tensor_bytes(f.path("best.fnn"), "parameters") == plain_parameters(f, best));
  if (metadata(checkpoint, "batches_done").empty()) {
    CHECK(tensor_bytes(checkpoint, "parameters") == plain_parameters(f, done));
  } else {
    CHECK(tensor_bytes(checkpoint, "parameters") != plain_parameters(f, best));
  }
  CHECK(tensor_bytes(checkpoint, "best_parameters") == plain_parameters(f, best));
}

TEST_CASE(
    "fnn train --resume inside a patience window, from an epoch or a batch checkpoint, "
    "ends bit for bit as an unbroken run",
    "[cli][stopping][checkpoint]") {
  const Folder f;
  const std::vector<std::string> stopping{"--early-stopping",   "4", "--min-delta", "0.001",
                                          "--start-from-epoch", "2"};
  const auto unbroken =
      run_fnn(with(with(base(f, 300), stopping),
                   {"--save", f.path("unbroken.fnn"), "--metrics", f.path("unbroken.csv")}));
  REQUIRE(unbroken.exit_code == 0);
  const Stopped stop = parse_stop_line(unbroken.out);
  REQUIRE(stop.stopped == stop.best + 4);

  const std::string every = GENERATE("1", "4batches");
  INFO("--checkpoint-every " << every);
  const std::string checkpoint = f.path("run.ckpt");
  const std::vector<std::string> outputs{
      "--checkpoint-every",  every,       "--checkpoint",       checkpoint, "--save",
      f.path("resumed.fnn"), "--metrics", f.path("metrics.csv")};
  {
    // Killed (SIGKILL) as the row of epoch best + 2 is half written: the last checkpoint is
    // after epoch best + 1, or a batch of epoch best + 2, inside the patience window.
    const fnn::test::ScopedEnvironment stop_hook("FNN_TEST_STOP_WRITING", "metrics.csv");
    const auto child = start_fnn(with(with(base(f, 300), stopping), outputs));
    for (std::size_t write = 0; write < stop.best + 2; ++write) {  // the header, rows ..best+1
      REQUIRE(child->wait_until_stopped());
      child->resume();
    }
    REQUIRE(child->wait_until_stopped());
    REQUIRE(child->kill());
  }
  const std::string wait = metadata(checkpoint, "wait");
  CHECK(wait == "1");
  const auto resumed =
      run_fnn(with({"train", "--resume", checkpoint, "--train", f.path("data.csv"),
                    "--validation-split", "0.3", "--epochs", "300", "--progress", "plain"},
                   {"--save", f.path("resumed.fnn"), "--metrics", f.path("metrics.csv")}));
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(parse_stop_line(resumed.out).stopped == stop.stopped);
  for (const char* tensor : {"parameters", "latest_parameters", "optimizer_state"}) {
    INFO(tensor);
    CHECK(tensor_bytes(f.path("resumed.fnn"), tensor) ==
          tensor_bytes(f.path("unbroken.fnn"), tensor));
  }
  CHECK(fnn::read_model_file(f.path("resumed.fnn")).metadata ==
        fnn::read_model_file(f.path("unbroken.fnn")).metadata);
  CHECK(without_seconds(f.path("metrics.csv")) == without_seconds(f.path("unbroken.csv")));
}

TEST_CASE("fnn train --schedule plateau lowers the rate and resumes exactly",
          "[cli][stopping][schedule]") {
  const Folder f;
  const std::vector<std::string> plateau{"--schedule", "plateau:2:0.5", "--monitor",
                                         "loss",       "--min-delta",   "0.01"};
  REQUIRE(run_fnn(with(with(base(f, 30), plateau),
                       {"--save", f.path("whole.fnn"), "--metrics", f.path("whole.csv")}))
              .exit_code == 0);
  const std::vector<std::string> rates = column(f.path("whole.csv"), "learning_rate");
  REQUIRE(rates.size() == 30);
  CHECK(rates.front() == "0.1");
  CHECK(std::count(rates.begin(), rates.end(), "0.05") > 0);
  CHECK(column(f.path("whole.csv"), "best_epoch").front() == "1");
  // Stopped after epoch 15 by --epochs, continued to 30: the same model.
  REQUIRE(run_fnn(with(with(base(f, 15), plateau), {"--save", f.path("half.fnn")})).exit_code == 0);
  const auto continued =
      run_fnn({"train", "--resume", f.path("half.fnn"), "--train", f.path("data.csv"),
               "--validation-split", "0.3", "--epochs", "30", "--save", f.path("continued.fnn")});
  INFO(continued.out << continued.err);
  REQUIRE(continued.exit_code == 0);
  CHECK(tensor_bytes(f.path("continued.fnn"), "parameters") ==
        tensor_bytes(f.path("whole.fnn"), "parameters"));
  CHECK(metadata(f.path("continued.fnn"), "rate_factor") ==
        metadata(f.path("whole.fnn"), "rate_factor"));
}

TEST_CASE("fnn train --validation FILE validates on its own file and early stopping watches it",
          "[cli][stopping]") {
  const Folder f;
  // The last 18 rows as the validation file.
  std::istringstream lines(read_file(f.path("data.csv")));
  std::string line, train = "", validation = "";
  for (int n = 0; std::getline(lines, line); ++n) {
    if (n == 0)
      train = validation = line + "\n";
    else
      (n > 42 ? validation : train) += line + "\n";
  }
  write_file(f.path("train.csv"), train);
  write_file(f.path("validation.csv"), validation);
  std::vector<std::string> args = base(f, 300);
  args[2] = f.path("train.csv");
  args.erase(std::find(args.begin(), args.end(), "--validation-split"),
             std::find(args.begin(), args.end(), "--validation-split") + 2);
  const auto result = run_fnn(
      with(args, {"--validation", f.path("validation.csv"), "--early-stopping", "3", "--monitor",
                  "val_accuracy", "--scale", "standardize", "--metrics", f.path("metrics.csv")}));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out,
             Contains("training on 42 samples (3 inputs, 2 outputs, 18 for validation)") &&
                 Contains("early stopping at epoch") && Contains("val_accuracy has not improved"));
  CHECK_FALSE(column(f.path("metrics.csv"), "validation_accuracy").front().empty());
}

TEST_CASE("fnn train: misused stopping options are usage errors, before anything is written",
          "[cli][stopping][usage]") {
  const Folder f;
  const std::string save = f.path("never.fnn");
  struct Case {
    std::vector<std::string> more;
    std::string message;
  };
  std::vector<std::string> no_split = base(f, 10);
  no_split.erase(std::find(no_split.begin(), no_split.end(), "--validation-split"),
                 std::find(no_split.begin(), no_split.end(), "--validation-split") + 2);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {with(no_split, {"--early-stopping", "3"}), "monitoring val_loss needs validation data"},
      {with(no_split, {"--schedule", "plateau:2:0.5"}),
       "monitoring val_loss needs validation data"},
      {with(no_split, {"--early-stopping", "3", "--monitor", "val_accuracy"}),
       "monitoring val_accuracy needs validation data"},
      {with(base(f, 10), {"--min-delta", "0.1"}), "--min-delta needs --early-stopping"},
      {with(base(f, 10), {"--monitor", "loss"}), "--monitor needs --early-stopping"},
      {with(base(f, 10), {"--start-from-epoch", "2"}), "--start-from-epoch needs --early-stopping"},
      {with(base(f, 10), {"--early-stopping", "0"}), "--early-stopping"},
      {with(base(f, 10), {"--early-stopping", "3", "--min-delta", "-0.1"}), "--min-delta must be"},
      {with(base(f, 10), {"--early-stopping", "3", "--min-delta", "nan"}), "--min-delta must be"},
      {with(base(f, 10), {"--early-stopping", "3", "--start-from-epoch", "-1"}),
       "--start-from-epoch"},
      {with(base(f, 10), {"--early-stopping", "3", "--monitor", "val_acc"}),
       "monitored value 'val_acc': expected val_loss, val_accuracy, loss or accuracy"},
      {with(base(f, 10), {"--schedule", "plateau:2:1"}), "learning-rate schedule 'plateau:2:1'"},
      {with(base(f, 10), {"--schedule", "plateau:2"}), "learning-rate schedule 'plateau:2'"},
      {with(base(f, 10), {"--validation", f.path("data.csv")}),
       "--validation and --validation-split both give validation data"},
      {{"train", "--train", f.path("values.csv"), "--validation-split", "0.3", "--early-stopping",
        "3", "--monitor", "val_accuracy"},
       "--monitor val_accuracy needs class targets"},
      {{"train", "--train", f.path("values.csv"), "--early-stopping", "3", "--monitor", "accuracy"},
       "--monitor accuracy needs class targets"},
      {{"train", "--train", f.path("values.csv"), "--train-accuracy"},
       "--train-accuracy needs class targets"},
  };
  for (const auto& [args, message] : cases) {
    const auto result = run_fnn(with(args, {"--save", save}));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(message));
    CHECK_FALSE(std::filesystem::exists(save));
  }

  // On --resume, the stopping configuration comes from the model file.
  REQUIRE(run_fnn(with(base(f, 3), {"--early-stopping", "3", "--save", f.path("model.fnn")}))
              .exit_code == 0);
  const std::vector<std::string> resume{"train",   "--resume",         f.path("model.fnn"),
                                        "--train", f.path("data.csv"), "--epochs",
                                        "10",      "--save",           save};
  for (const auto& more : std::vector<std::vector<std::string>>{
           {"--validation-split", "0.3", "--early-stopping", "5"},
           {"--validation-split", "0.3", "--monitor", "loss"},
           {"--validation-split", "0.3", "--schedule", "plateau:2:0.5"},
           {}}) {
    const auto result = run_fnn(with(resume, more));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(save));
  }
}

TEST_CASE("fnn train --help documents early stopping", "[cli][stopping]") {
  const auto result = run_fnn({"train", "--help"});
  REQUIRE(result.exit_code == 0);
  for (const char* option : {"--early-stopping", "--monitor", "--min-delta", "--start-from-epoch",
                             "--validation ", "--validation-labels", "plateau:P:F"}) {
    CHECK_THAT(result.out, Contains(option));
  }
}

TEST_CASE("fnn train --validation IMAGES --validation-labels LABELS reads IDX validation data",
          "[cli][stopping][data]") {
  const Folder f;
  // 2×2 unsigned-byte images: bright top row (class 0) or bright bottom row (class 1).
  const auto idx = [](std::uint32_t count, bool images, const std::string& payload) {
    std::string bytes{'\0', '\0', '\x08', images ? '\x03' : '\x01'};
    for (const std::uint32_t size : images ? std::vector<std::uint32_t>{count, 2, 2}
                                           : std::vector<std::uint32_t>{count}) {
      for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>(size >> shift);
    }
    return bytes + payload;
  };
  std::string pixels;
  std::string labels;
  for (int i = 0; i < 20; ++i) {
    pixels += i % 2 == 0 ? std::string("\xf0\xf0\x10\x10", 4) : std::string("\x10\x10\xf0\xf0", 4);
    labels += i % 2 == 0 ? '\0' : '\x01';
  }
  write_file(f.path("images.idx"), idx(20, true, pixels));
  write_file(f.path("labels.idx"), idx(20, false, labels));
  write_file(f.path("val-images.idx"), idx(6, true, pixels.substr(0, 24)));
  write_file(f.path("val-labels.idx"), idx(6, false, labels.substr(0, 6)));
  const auto result = run_fnn(
      {"train", "--train", f.path("images.idx"), "--train-labels", f.path("labels.idx"),
       "--validation", f.path("val-images.idx"), "--validation-labels", f.path("val-labels.idx"),
       "--scale", "minmax", "--hidden", "4", "--learning-rate", "2", "--epochs", "100",
       "--batch-size", "4", "--early-stopping", "3", "--monitor", "val_accuracy", "--progress",
       "plain"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("training on 20 samples (4 inputs, 2 outputs, 6 for validation)") &&
                             Contains("validation accuracy 1.0000") &&
                             Contains("early stopping at epoch"));
}
