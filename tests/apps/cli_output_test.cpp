// Output files through the fnn tool: an output that is the same file as an input or another output
// is refused before anything is read (exit 2); an output that cannot be written fails before
// training; special targets (standard output, /dev/null, symlinks) are written as a Unix tool
// would; metrics files append and a resumed run continues them.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;
namespace fs = std::filesystem;

namespace {

const std::string xor_csv = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";

struct Folder {
  fnn::test::TemporaryDirectory folder;
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  Folder() {
    write_file(path("xor.csv"), xor_csv);
    write_file(path("inputs.csv"), "a,b\n0,1\n1,1\n");
    write_file(path("xor.ini"), "epochs = 2\n");
  }
  // A model to predict with and resume from.
  void train_model(const std::string& name) const {
    const auto result = run_fnn({"train", "--train", path("xor.csv"), "--hidden", "3", "--epochs",
                                 "2", "--save", path(name)});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
  }
};

std::vector<std::string> train(const Folder& f, std::vector<std::string> more) {
  std::vector<std::string> args{"train",      "--train", f.path("xor.csv"), "--hidden", "3",
                                "--progress", "plain"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The epoch numbers of a CSV metrics file's rows, in order.
std::vector<int> metrics_epochs(const std::string& text) {
  std::vector<int> epochs;
  std::size_t at = text.find('\n');
  while (at != std::string::npos && at + 1 < text.size()) {
    epochs.push_back(std::stoi(text.substr(at + 1)));
    at = text.find('\n', at + 1);
  }
  return epochs;
}

// Refused as a usage error before anything is written, and `file` is left as it was.
void check_refused(const Folder& f, const std::vector<std::string>& args, const std::string& file,
                   const std::string& output, const std::string& other) {
  const std::string before = read_file(file);
  const auto result = run_fnn(args);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Contains("--" + output) && Contains("--" + other) && Contains(file) &&
                             Contains("same file"));
  CHECK(read_file(file) == before);
  CHECK_THAT(result.out, !Contains("epoch"));
  (void)f;
}

// An fnn that replaced /dev/null or /dev/stdout with a regular file (as fnn before these checks
// did, run as root) would break every later program on the machine: put them back.
struct SystemFilesRestored {
  SystemFilesRestored() = default;
  SystemFilesRestored(const SystemFilesRestored&) = delete;
  SystemFilesRestored& operator=(const SystemFilesRestored&) = delete;
  ~SystemFilesRestored() {
    if (!fs::is_character_file("/dev/null") && ::unlink("/dev/null") == 0) {
      ::mknod("/dev/null", S_IFCHR | 0666, ::makedev(1, 3));
      ::chmod("/dev/null", 0666);
    }
    if (!fs::is_symlink("/dev/stdout") && ::unlink("/dev/stdout") == 0) {
      ::symlink("/proc/self/fd/1", "/dev/stdout");
    }
  }
};

}  // namespace

TEST_CASE("an output that is the same file as an input is refused", "[cli][output]") {
  const Folder f;
  f.train_model("model.fnn");
  const std::string model = f.path("model.fnn");
  SECTION("predict --output naming the --input or the --model") {
    check_refused(f,
                  {"predict", "--model", model, "--input", f.path("inputs.csv"), "--output",
                   f.path("inputs.csv")},
                  f.path("inputs.csv"), "output", "input");
    check_refused(f,
                  {"predict", "--model", model, "--input", f.path("inputs.csv"), "--output", model},
                  model, "output", "model");
  }
  SECTION("train --save or --metrics naming --train, --test or --config") {
    check_refused(f, train(f, {"--save", f.path("xor.csv")}), f.path("xor.csv"), "save", "train");
    check_refused(f, train(f, {"--metrics", f.path("xor.csv")}), f.path("xor.csv"), "metrics",
                  "train");
    write_file(f.path("test.csv"), xor_csv);
    check_refused(f, train(f, {"--test", f.path("test.csv"), "--save", f.path("test.csv")}),
                  f.path("test.csv"), "save", "test");
    check_refused(f, train(f, {"--config", f.path("xor.ini"), "--metrics", f.path("xor.ini")}),
                  f.path("xor.ini"), "metrics", "config");
    check_refused(f,
                  {"train", "--train", f.path("xor.csv"), "--resume", model, "--epochs", "3",
                   "--metrics", model},
                  model, "metrics", "resume");
  }
  SECTION("through a symbolic link or another spelling of the path") {
    fs::create_symlink(f.path("xor.csv"), f.path("link.csv"));
    check_refused(f, train(f, {"--save", f.path("link.csv")}), f.path("xor.csv"), "save", "train");
    const std::string dotted = (fs::path(f.path(".")) / "xor.csv").string();
    check_refused(f, train(f, {"--metrics", dotted}), f.path("xor.csv"), "metrics", "train");
  }
  SECTION("two outputs naming one file, also one that does not exist yet") {
    const auto result = run_fnn(
        train(f, {"--epochs", "2", "--save", f.path("new.fnn"), "--metrics", f.path("new.fnn")}));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("--save") && Contains("--metrics") && Contains("same file"));
    CHECK_FALSE(fs::exists(f.path("new.fnn")));
    const auto checkpoint =
        run_fnn(train(f, {"--epochs", "2", "--save", f.path("new.fnn"), "--checkpoint-every", "1",
                          "--checkpoint", f.path("new.fnn")}));
    CHECK(checkpoint.exit_code == 2);
    CHECK_THAT(checkpoint.err,
               Contains("--save") && Contains("--checkpoint") && Contains("same file"));
    // The checkpoint's default name counts as an output too.
    const auto default_checkpoint = run_fnn(train(
        f, {"--epochs", "2", "--save", f.path("new.fnn"), "--metrics", f.path("new.fnn.checkpoint")}));
    CHECK(default_checkpoint.exit_code == 2);
    CHECK_THAT(default_checkpoint.err,
               Contains("--checkpoint (--save + .checkpoint)") && Contains("same file"));
  }
}

TEST_CASE("the model a run continues may be its own --save and --checkpoint", "[cli][output]") {
  const Folder f;
  f.train_model("model.fnn");
  const std::string model = f.path("model.fnn");
  const auto saved = run_fnn(
      {"train", "--train", f.path("xor.csv"), "--resume", model, "--epochs", "3", "--save", model});
  INFO(saved.err);
  CHECK(saved.exit_code == 0);
  const auto checkpointed =
      run_fnn({"train", "--train", f.path("xor.csv"), "--resume", model, "--epochs", "4",
               "--checkpoint-every", "1", "--checkpoint", model});
  INFO(checkpointed.err);
  CHECK(checkpointed.exit_code == 0);
  CHECK_THAT(run_fnn({"eval", "--model", model, "--test", f.path("xor.csv")}).out,
             Contains("test:"));
}

TEST_CASE("an output that cannot be written fails before training", "[cli][output]") {
  const Folder f;
  const auto quick = [&](const std::vector<std::string>& args) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = run_fnn(args);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    INFO(result.out << result.err);
    CHECK_THAT(result.out, !Contains("epoch") && !Contains("training on"));
    return result;
  };
  // 10^6 epochs: a run that reached training would not end within the limit above.
  const auto long_run = [&](std::vector<std::string> more) {
    std::vector<std::string> args{"train",      "--train", f.path("xor.csv"), "--epochs", "1000000",
                                  "--progress", "plain"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  SECTION("a --save path in a missing directory") {
    const auto result = quick(long_run({"--save", f.path("absent/model.fnn")}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("--save") && Contains(f.path("absent/model.fnn")));
  }
  SECTION("a --save path in a read-only directory (unless root, whom permissions do not stop)") {
    fs::create_directory(f.path("locked"));
    fs::permissions(f.path("locked"), fs::perms::owner_read | fs::perms::owner_exec);
    if (::access(f.path("locked").c_str(), W_OK) != 0) {
      const auto result = quick(long_run({"--save", f.path("locked/model.fnn")}));
      CHECK(result.exit_code == 1);
      CHECK_THAT(result.err, Contains("--save") && Contains(f.path("locked/model.fnn")));
    }
    fs::permissions(f.path("locked"), fs::perms::owner_all);
  }
  SECTION("an empty --save name") {
    const auto result = quick(long_run({"--save", ""}));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("--save") && Contains("empty"));
  }
  SECTION("a --metrics file in a missing directory") {
    const auto result = quick(long_run({"--metrics", f.path("absent/m.csv")}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("--metrics") && Contains(f.path("absent/m.csv")));
  }
  SECTION("a --checkpoint path in a missing directory") {
    const auto result =
        quick(long_run({"--checkpoint-every", "1", "--checkpoint", f.path("absent/c.fnn")}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("--checkpoint") && Contains(f.path("absent/c.fnn")));
  }
  SECTION("a --save name longer than the file system allows") {
    const std::string name = f.path(std::string(300, 'm'));
    const auto result = quick(long_run({"--save", name}));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("--save") && Contains("too long"));
  }
  SECTION("predict --output in a missing directory, before the model is read") {
    write_file(f.path("model.fnn"), "not a model");
    const auto result = run_fnn({"predict", "--model", f.path("model.fnn"), "--input",
                                 f.path("inputs.csv"), "--output", f.path("absent/p.csv")});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("--output") && Contains(f.path("absent/p.csv")));
  }
}

TEST_CASE("predict writes to standard output, devices and through symbolic links",
          "[cli][output]") {
  const SystemFilesRestored restored;
  const Folder f;
  f.train_model("model.fnn");
  const std::vector<std::string> predict{
      "predict", "--model", f.path("model.fnn"), "--input", f.path("inputs.csv"), "--output"};
  const auto with = [&](const std::string& output) {
    std::vector<std::string> args = predict;
    args.push_back(output);
    return args;
  };
  SECTION("--output - and --output /dev/stdout") {
    for (const std::string output : {"-", "/dev/stdout"}) {
      INFO(output);
      const auto result = run_fnn(with(output));
      INFO(result.err);
      CHECK(result.exit_code == 0);
      CHECK_THAT(result.out, StartsWith("output_0\n"));
      CHECK(count_lines(result.out) == 3);  // the header and 2 predictions, nothing else
    }
    CHECK_FALSE(fs::exists("-"));  // no file of that name was made
    CHECK(fs::is_symlink("/dev/stdout"));
  }
  SECTION("--output /dev/null stays a device (written as root, as CI runs)") {
    if (::access("/dev/null", W_OK) != 0) {
      WARN("/dev/null is not writable here: not checked");
      return;
    }
    const auto result = run_fnn(with("/dev/null"));
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(fs::is_character_file("/dev/null"));
  }
  SECTION("a symbolic link is followed: its target gets the predictions") {
    fs::create_directory(f.path("real"));
    write_file(f.path("real/p.csv"), "old");
    fs::create_symlink("real/p.csv", f.path("link.csv"));
    const auto result = run_fnn(with(f.path("link.csv")));
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(fs::is_symlink(f.path("link.csv")));
    CHECK_THAT(read_file(f.path("real/p.csv")), StartsWith("output_0\n"));
  }
  SECTION("an existing file keeps its permission bits") {
    write_file(f.path("p.csv"), "old");
    fs::permissions(f.path("p.csv"), fs::perms::owner_read | fs::perms::owner_write);
    const auto result = run_fnn(with(f.path("p.csv")));
    CHECK(result.exit_code == 0);
    CHECK(fs::status(f.path("p.csv")).permissions() ==
          (fs::perms::owner_read | fs::perms::owner_write));
  }
}

TEST_CASE("a metrics file grows by a line per epoch and a resumed run continues it",
          "[cli][output]") {
  const Folder f;
  const std::string metrics = f.path("m.csv");
  const std::string header =
      "epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,best_epoch,train_accuracy\n";
  const auto first =
      run_fnn(train(f, {"--epochs", "3", "--save", f.path("m.fnn"), "--metrics", metrics}));
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(read_file(metrics), StartsWith(header));
  CHECK(metrics_epochs(read_file(metrics)) == std::vector<int>{1, 2, 3});

  // As a run killed after writing epoch 5's row (half of epoch 6's) leaves it, resumed after 3.
  write_file(metrics, read_file(metrics) + "4,0.1,,,0.01\n5,0.1,,,0.01\n6,0.0");
  const auto resumed = run_fnn({"train", "--train", f.path("xor.csv"), "--resume", f.path("m.fnn"),
                                "--epochs", "6", "--metrics", metrics, "--progress", "plain"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  const std::string text = read_file(metrics);
  CHECK_THAT(text, StartsWith(header));
  CHECK(text.find("\nepoch,") == std::string::npos);  // one header
  CHECK(metrics_epochs(text) == std::vector<int>{1, 2, 3, 4, 5, 6});
  CHECK(text.back() == '\n');

  SECTION("a fresh run starts the file anew") {
    const auto again = run_fnn(train(f, {"--epochs", "2", "--metrics", metrics}));
    REQUIRE(again.exit_code == 0);
    CHECK(metrics_epochs(read_file(metrics)) == std::vector<int>{1, 2});
  }
  SECTION("JSON lines have no header and are continued alike") {
    const std::string jsonl = f.path("m.jsonl");
    REQUIRE(run_fnn(train(f, {"--epochs", "3", "--save", f.path("j.fnn"), "--metrics", jsonl}))
                .exit_code == 0);
    write_file(jsonl, read_file(jsonl) + "{\"epoch\":4,\"train_loss\":0.1}\n{\"epo");
    REQUIRE(run_fnn({"train", "--train", f.path("xor.csv"), "--resume", f.path("j.fnn"), "--epochs",
                     "5", "--metrics", jsonl})
                .exit_code == 0);
    const std::string lines = read_file(jsonl);
    CHECK(count_lines(lines) == 5);
    CHECK_THAT(lines, StartsWith("{\"epoch\":1,") && Contains("\n{\"epoch\":4,\"train_loss\":") &&
                          Contains("\n{\"epoch\":5,"));
    CHECK(lines.find("{\"epoch\":4,\"train_loss\":0.1}") == std::string::npos);
  }
}
