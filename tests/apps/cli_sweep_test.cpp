// fnn sweep and fnn train --folds: a sweep's summary equals the trials run one by one with
// fnn train; an interrupted sweep run again equals an unbroken one; --jobs changes nothing but
// the time; bad sweep options are usage errors that write nothing.
#include <signal.h>

#include <cmath>
#include <fnn/names.hpp>
#include <fnn/sweep.hpp>
#include <sstream>
#include <thread>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace fnn::test {
bool have_gnuplot();  // cli_plot_test.cpp
}

namespace {

namespace fs = std::filesystem;

// `rows` rows of two inputs and a class label 0..2 that depends on them (with exceptions).
std::string class_data(std::size_t rows) {
  std::string text = "x,y,label\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const double x = static_cast<double>(i % 17) / 17.0;
    const double y = static_cast<double>((i * 7) % 13) / 13.0;
    const int label = i % 11 == 0 ? 1 : (x + y < 0.7 ? 0 : (x > y ? 1 : 2));
    text += fnn::to_text(x) + "," + fnn::to_text(y) + "," + std::to_string(label) + "\n";
  }
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// summary.csv without its time columns (the last two), which alone differ between runs.
std::string without_time(const std::string& summary) {
  std::string kept;
  for (const std::string& line : lines_of(summary)) {
    const std::size_t last = line.rfind(',');
    REQUIRE(last != std::string::npos);
    const std::size_t before = line.rfind(',', last - 1);
    REQUIRE(before != std::string::npos);
    kept += line.substr(0, before) + "\n";
  }
  return kept;
}

// The processes whose parent is `parent` (from /proc).
std::vector<pid_t> child_processes(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& task :
       fs::directory_iterator("/proc/" + std::to_string(parent) + "/task", error)) {
    std::istringstream in(read_file(task.path() / "children"));
    for (pid_t child = 0; in >> child;) children.push_back(child);
  }
  return children;
}

// R, S, T (stopped), Z, ... from /proc/PID/stat; '?' when the process is gone.
char process_state(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t end = stat.rfind(')');
  return end == std::string::npos || end + 2 >= stat.size() ? '?' : stat[end + 2];
}

// The word after `option` in the command line of process `pid`, or "".
std::string argument_after(pid_t pid, const std::string& option) {
  const std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> words;
  std::istringstream in(cmdline);
  for (std::string word; std::getline(in, word, '\0');) words.push_back(word);
  const auto found = std::find(words.begin(), words.end(), option);
  return found == words.end() || found + 1 == words.end() ? "" : *(found + 1);
}

// Whether `signal` waits, undelivered, for process `pid` (its SigPnd or ShdPnd mask).
bool signal_pending(pid_t pid, int signal) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("SigPnd:") && !line.starts_with("ShdPnd:")) continue;
    const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    if ((mask >> (signal - 1)) & 1ULL) return true;
  }
  return process_state(pid) == '?';  // gone: nothing more to wait for
}

struct SweepFolder {
  SweepFolder(std::size_t rows, const std::string& base) {
    write_file(data, class_data(rows));
    write_file(config, "train = " + data.string() + "\nclasses = true\n" + base);
  }
  fs::path path(const std::string& name) const { return folder.path() / name; }
  fnn::test::TemporaryDirectory folder;
  fs::path data = path("data.csv");
  fs::path config = path("base.ini");
};

std::vector<std::string> sweep_args(const SweepFolder& folder, const std::string& out,
                                    std::vector<std::string> more) {
  std::vector<std::string> args{
      "sweep",     "--config", folder.config.string(), "--out", folder.path(out).string(),
      "--threads", "2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("a 2x2 grid with 3 folds: the summary of the same runs made one by one with fnn train",
          "[sweep]") {
  const SweepFolder folder(60, "hidden = 4\nepochs = 3\nbatch-size = 8\n");
  const std::vector<std::string> grid{
      "--grid", "learning-rate=0.1,0.5", "--grid", "hidden=4,8", "--folds", "3"};
  const auto swept = run_fnn(sweep_args(folder, "one", grid));
  INFO(swept.out << swept.err);
  REQUIRE(swept.exit_code == 0);
  CHECK_THAT(swept.err, Contains("12/12 trials done"));
  CHECK_THAT(swept.out, Contains("best: configuration"));

  const std::vector<std::string> summary = lines_of(read_file(folder.path("one/summary.csv")));
  REQUIRE(summary.size() == 5);
  const std::vector<std::string> header = fields_of(summary[0]);
  const std::vector<std::pair<std::string, std::string>> expected_values{
      {"0.1", "4"}, {"0.1", "8"}, {"0.5", "4"}, {"0.5", "8"}};
  for (std::size_t c = 0; c < 4; ++c) {
    const std::vector<std::string> row = fields_of(summary[c + 1]);
    REQUIRE(row.size() == header.size());
    CHECK(row[0] == std::to_string(c + 1));
    CHECK(header[1] == "learning-rate");
    CHECK(row[1] == expected_values[c].first);
    CHECK(header[2] == "hidden");
    CHECK(row[2] == expected_values[c].second);
    // Each fold again, from its own config.ini alone.
    std::map<std::string, std::vector<double>> values;
    for (std::size_t fold = 1; fold <= 3; ++fold) {
      const fs::path trial =
          folder.path("one/c0" + std::to_string(c + 1) + "/fold-" + std::to_string(fold));
      const std::string config = read_file(trial / "config.ini");
      CHECK_THAT(config, Contains("learning-rate = " + expected_values[c].first + "\n"));
      CHECK_THAT(config, Contains("hidden = " + expected_values[c].second + "\n"));
      CHECK_THAT(config, Contains("folds = 3\nfold = " + std::to_string(fold) + "\n"));
      const fs::path again = folder.path("again.csv");
      fs::remove(again);
      const auto alone = run_fnn({"train", "--config", (trial / "config.ini").string(), "--metrics",
                                  again.string(), "--threads", "1"});
      REQUIRE(alone.exit_code == 0);
      const fnn::TrialResult sweep_result = fnn::read_trial_metrics(trial / "metrics.csv");
      const fnn::TrialResult alone_result = fnn::read_trial_metrics(again);
      CHECK(sweep_result.metrics == alone_result.metrics);  // the same numbers, bit for bit
      CHECK(sweep_result.epochs == 3);
      for (const auto& [name, value] : alone_result.metrics) values[name].push_back(value);
      values["epochs"].push_back(static_cast<double>(alone_result.epochs));
    }
    REQUIRE(values.count("validation_accuracy") == 1);
    for (const auto& [name, list] : values) {
      INFO(name);
      const double mean = (list[0] + list[1] + list[2]) / 3;
      double squares = 0;
      for (const double value : list) squares += (value - mean) * (value - mean);
      const auto column = std::find(header.begin(), header.end(), name + "_mean");
      REQUIRE(column != header.end());
      const auto at = static_cast<std::size_t>(column - header.begin());
      CHECK(std::stod(row[at]) == mean);
      CHECK(std::stod(row[at + 1]) == std::sqrt(squares / 3));
    }
  }
  // best.ini is the base configuration with the best values: fnn train runs it.
  const std::string best = read_file(folder.path("one/best.ini"));
  CHECK_THAT(best, Contains("learning-rate = ") && Contains("classes = true"));
  CHECK_FALSE(best.find("fold") != std::string::npos);
  const auto best_run =
      run_fnn({"train", "--config", folder.path("one/best.ini").string(), "--epochs", "1"});
  CHECK(best_run.exit_code == 0);
  if (fnn::test::have_gnuplot()) {  // summary.png is drawn (its series: sweep_plot_test.cpp)
    CHECK_THAT(swept.out, Contains("summary.png"));
    CHECK(read_file(folder.path("one/summary.png")).starts_with("\x89PNG\r\n"));
  }

  // --jobs 2: the same summary but for the time; run again: nothing left to run.
  const auto parallel = run_fnn(sweep_args(folder, "two", [&] {
    auto args = grid;
    args.insert(args.end(), {"--jobs", "2"});
    return args;
  }()));
  REQUIRE(parallel.exit_code == 0);
  CHECK_THAT(parallel.err, Contains("2 at a time with 1 threads each"));
  CHECK(without_time(read_file(folder.path("two/summary.csv"))) ==
        without_time(read_file(folder.path("one/summary.csv"))));
  const std::string log = read_file(folder.path("one/c01/fold-1/log"));
  const std::string first_summary = read_file(folder.path("one/summary.csv"));
  const auto rerun = run_fnn(sweep_args(folder, "one", grid));
  REQUIRE(rerun.exit_code == 0);
  CHECK(read_file(folder.path("one/c01/fold-1/log")) == log);  // not run again
  CHECK(read_file(folder.path("one/summary.csv")) == first_summary);
  // The same --out with other trials is refused.
  const auto other = run_fnn(sweep_args(folder, "one", {"--grid", "learning-rate=0.2,0.5"}));
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Contains("holds another sweep"));
}

TEST_CASE("fnn sweep --monitor accuracy ranks the configurations by their training accuracy",
          "[sweep]") {
  const SweepFolder folder(60, "hidden = 8\nepochs = 4\nbatch-size = 8\n");
  const auto swept = run_fnn(sweep_args(
      folder, "acc", {"--grid", "learning-rate=0.001,0.5", "--monitor", "accuracy"}));
  INFO(swept.out << swept.err);
  REQUIRE(swept.exit_code == 0);
  // Each trial evaluated its training rows after every epoch, and says so in its config.ini.
  const std::string config = read_file(folder.path("acc/c01/config.ini"));
  CHECK_THAT(config, Contains("train-accuracy = true"));
  const fnn::TrialResult result = fnn::read_trial_metrics(folder.path("acc/c01/metrics.csv"));
  const auto accuracy = std::find_if(result.metrics.begin(), result.metrics.end(),
                                     [](const auto& m) { return m.first == "train_accuracy"; });
  REQUIRE(accuracy != result.metrics.end());
  CHECK(accuracy->second >= 0.0);
  CHECK(accuracy->second <= 1.0);
  // The best configuration is the one with the higher mean training accuracy.
  const std::vector<std::string> summary = lines_of(read_file(folder.path("acc/summary.csv")));
  REQUIRE(summary.size() == 3);
  const std::vector<std::string> header = fields_of(summary[0]);
  const auto column = std::find(header.begin(), header.end(), "train_accuracy_mean");
  REQUIRE(column != header.end());
  const auto at = static_cast<std::size_t>(column - header.begin());
  const double first = std::stod(fields_of(summary[1])[at]);
  const double second = std::stod(fields_of(summary[2])[at]);
  REQUIRE(first != second);
  const std::string best = first > second ? "0.001" : "0.5";
  CHECK_THAT(read_file(folder.path("acc/best.ini")), Contains("learning-rate = " + best + "\n"));
}

TEST_CASE("an interrupted sweep, run again, ends with the summary of an unbroken one", "[sweep]") {
  const SweepFolder folder(1500,
                           "hidden = 16\nepochs = 12\nbatch-size = 2\n"
                           "validation-split = 0.2\n");
  const std::vector<std::string> grid{
      "--grid", "learning-rate=0.05,0.2", "--grid", "activation=sigmoid,tanh", "--jobs", "2"};
  const auto unbroken = run_fnn(sweep_args(folder, "unbroken", grid));
  INFO(unbroken.err);
  REQUIRE(unbroken.exit_code == 0);

  // Ctrl-C while a trial is inside its run, made certain: a trial process (a child of the sweep)
  // is frozen with SIGSTOP; if it stands between epochs 1 and 11 the sweep gets SIGINT, and
  // once the sweep has passed the signal on (pending on the frozen trial) the trial continues.
  auto sweep = fnn::test::start_fnn(sweep_args(folder, "broken", grid));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool interrupted = false;
  while (!interrupted && std::chrono::steady_clock::now() < deadline) {
    for (const pid_t trial : child_processes(sweep->pid())) {
      if (::kill(trial, SIGSTOP) != 0) continue;
      while (process_state(trial) != 'T' && process_state(trial) != 'Z' &&
             process_state(trial) != '?') {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      const std::string metrics = argument_after(trial, "--metrics");
      const std::size_t rows = lines_of(read_file(metrics)).size();
      if (process_state(trial) == 'T' && rows >= 2 && rows <= 12) {
        ::kill(sweep->pid(), SIGINT);
        while (!signal_pending(trial, SIGINT))
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        interrupted = true;
      }
      ::kill(trial, SIGCONT);
      if (interrupted) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(interrupted);
  const auto stopped = sweep->wait();
  INFO(stopped.err);
  REQUIRE(stopped.exit_code == 130);
  CHECK_THAT(stopped.err, Contains("continue with:") && Contains(" sweep --config "));
  CHECK_FALSE(fs::exists(folder.path("broken/summary.csv")));
  std::size_t checkpoints = 0;
  for (const char* name : {"c01", "c02", "c03", "c04"}) {
    const fs::path trial = folder.path("broken") / name;
    checkpoints +=
        fs::exists(trial / "checkpoint.fnn") && !fs::exists(trial / "result.ini") ? 1 : 0;
  }
  CHECK(checkpoints >= 1);  // stopped inside a trial, which saved where it stood

  const auto resumed = run_fnn(sweep_args(folder, "broken", grid));
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  bool resumed_one = false;
  for (const char* name : {"c01", "c02", "c03", "c04"}) {
    resumed_one = resumed_one || read_file(folder.path("broken") / name / "log").find("resuming") !=
                                     std::string::npos;
  }
  CHECK(resumed_one == (checkpoints >= 1));
  CHECK(without_time(read_file(folder.path("broken/summary.csv"))) ==
        without_time(read_file(folder.path("unbroken/summary.csv"))));
  CHECK(read_file(folder.path("broken/best.ini")) == read_file(folder.path("unbroken/best.ini")));
}

TEST_CASE("a trial that fnn train refuses fails alone: reported, counted, run again next time",
          "[sweep]") {
  const SweepFolder folder(30, "epochs = 2\n");
  const auto args = sweep_args(folder, "out", {"--grid", "optimizer=sgd,nosuch,adam"});
  const auto swept = run_fnn(args);
  INFO(swept.err);
  CHECK(swept.exit_code == 1);
  CHECK_THAT(swept.err,
             Contains("c02 failed (exit status 2: ") && Contains("nosuch") && Contains("c02/log"));
  const std::vector<std::string> summary = lines_of(read_file(folder.path("out/summary.csv")));
  REQUIRE(summary.size() == 4);
  CHECK(summary[2].starts_with("2,nosuch,0,1,,"));
  CHECK(summary[1].starts_with("1,sgd,1,0,"));
  CHECK_THAT(read_file(folder.path("out/best.ini")), !Contains("nosuch"));
  CHECK_FALSE(fs::exists(folder.path("out/c02/result.ini")));
  const auto again = run_fnn(args);
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Contains("c02 failed") && !Contains("c01 finished"));
}

TEST_CASE("bad sweep options are usage errors naming the text, and write nothing", "[sweep]") {
  const SweepFolder folder(30, "epochs = 1\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--grid", "learning-rate"}, "--grid 'learning-rate'"},
      {{"--grid", "learning-rate=0.1,,0.2"}, "--grid 'learning-rate=0.1,,0.2'"},
      {{"--grid", "learning-rte=0.1"}, "did you mean 'learning-rate'"},
      {{"--grid", "save=a,b"}, "set for each trial"},
      {{"--grid", "hidden=4", "--grid", "hidden=8"}, "swept twice"},
      {{"--grid", "learning-rate=0.1,abc"}, "configuration 2 (learning-rate=abc)"},
      {{"--random", "3", "--range", "dropout=0.5:0.1"}, "--range 'dropout=0.5:0.1'"},
      {{"--random", "3", "--range", "learning-rate=log:0:1"}, "log range"},
      {{"--range", "dropout=0:0.5"}, "--random"},
      {{"--random", "0", "--grid", "hidden=4"}, "--random must be at least 1"},
      {{"--random", "x", "--grid", "hidden=4"}, "random"},
      {{"--random", "2"}, "needs something to sample"},
      {{"--folds", "1"}, "--folds must be at least 2"},
      {{"--folds", "3", "--validation-split", "0.2"}, "drop --validation-split"},
      {{"--jobs", "0"}, "--jobs must be at least 1"},
      {{"--jobs", "3"}, "--jobs at most 2"},
      {{"--monitor", "val_acc"}, "val_loss, val_accuracy, loss or accuracy"},
  };
  for (const auto& [more, message] : cases) {
    const auto result = run_fnn(sweep_args(folder, "out", more));
    INFO(fnn::join(more, " ") << "\n" << result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(message));
    CHECK_FALSE(fs::exists(folder.path("out")));
  }
  // --out: an input file, or any file, is refused and left as it was.
  const std::string data = read_file(folder.data);
  const auto onto_input = run_fnn({"sweep", "--config", folder.config.string(), "--out",
                                   folder.data.string(), "--grid", "hidden=4"});
  CHECK(onto_input.exit_code == 2);
  CHECK_THAT(onto_input.err, Contains("is a file, not a directory"));
  CHECK(read_file(folder.data) == data);
  const auto missing = run_fnn({"sweep", "--config", folder.config.string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Contains("--out is required"));
}

TEST_CASE("fnn train --folds K --fold k validates on one fold; bad fold options are usage errors",
          "[sweep]") {
  const SweepFolder folder(30, "epochs = 1\n");
  const auto run = [&](std::vector<std::string> more) {
    std::vector<std::string> args{"train", "--config", folder.config.string()};
    args.insert(args.end(), more.begin(), more.end());
    return run_fnn(args);
  };
  const auto fold = run({"--folds", "3", "--fold", "2"});
  INFO(fold.err);
  REQUIRE(fold.exit_code == 0);
  CHECK_THAT(fold.out, Contains("training on 20 samples") && Contains("10 for validation"));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--folds", "3"}, "go together"},
      {{"--fold", "1"}, "go together"},
      {{"--folds", "3", "--fold", "4"}, "--fold must be at most --folds (3), got 4"},
      {{"--folds", "1", "--fold", "1"}, "--folds must be at least 2"},
      {{"--folds", "3", "--fold", "0"}, "--fold must be at least 1"},
      {{"--folds", "3", "--fold", "1", "--validation-split", "0.2"}, "drop --validation-split"},
      {{"--folds", "31", "--fold", "1"}, "31 folds of 30 rows"},
  };
  for (const auto& [more, message] : cases) {
    const auto result = run(more);
    INFO(fnn::join(more, " ") << "\n" << result.err);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(message));
  }
}
