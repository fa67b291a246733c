// fnn/sweep.hpp: grids, random samples, folds, the trial loop and its summary.
#include <atomic>
#include <cmath>
#include <fnn/sweep.hpp>
#include <fnn/training_run.hpp>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::SweepConfiguration;
using fnn::TrialOutcome;

namespace {

fnn::SweepParameter axis(const std::string& name, std::vector<std::string> values) {
  return {name, std::move(values), std::nullopt};
}

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("a grid is every combination, the last axis fastest", "[sweep]") {
  const auto grid = fnn::grid_configurations(
      {axis("a", {"1", "2"}), axis("b", {"x", "y", "z"}), axis("c", {"on"})});
  REQUIRE(grid.size() == 6);
  CHECK(grid[0] == SweepConfiguration{{"a", "1"}, {"b", "x"}, {"c", "on"}});
  CHECK(grid[1] == SweepConfiguration{{"a", "1"}, {"b", "y"}, {"c", "on"}});
  CHECK(grid[2] == SweepConfiguration{{"a", "1"}, {"b", "z"}, {"c", "on"}});
  CHECK(grid[3] == SweepConfiguration{{"a", "2"}, {"b", "x"}, {"c", "on"}});
  CHECK(grid[5] == SweepConfiguration{{"a", "2"}, {"b", "z"}, {"c", "on"}});
  CHECK(fnn::grid_configurations({}) == std::vector<SweepConfiguration>{{}});
  // A trial's settings: the base with the swept values in place; INI lines in that order.
  const SweepConfiguration trial = fnn::with_settings(
      {{"train", "d.csv"}, {"plugin-dir", "a"}, {"plugin-dir", "b"}, {"hidden", "4"}}, grid[4]);
  CHECK(fnn::ini_text(trial) ==
        "train = d.csv\nplugin-dir = a\nplugin-dir = b\nhidden = 4\na = 2\nb = y\nc = on\n");
  CHECK(fnn::with_settings({{"a", "1"}, {"hidden", "4"}}, {{"hidden", "8"}}) ==
        SweepConfiguration{{"a", "1"}, {"hidden", "8"}});
  CHECK_THROWS_AS(fnn::grid_configurations({fnn::parse_sweep_range("a=0:1")}), fnn::SpecError);
}

TEST_CASE("grid values split at commas, but not inside component options or quotes", "[sweep]") {
  CHECK(fnn::parse_grid_axis("learning-rate=0.05,0.1,0.5").values ==
        std::vector<std::string>{"0.05", "0.1", "0.5"});
  const auto layers = fnn::parse_grid_axis(
      "layers=dense:units=64 relu dense softmax,dense:units=256,bias=false relu dense softmax");
  CHECK(layers.name == "layers");
  CHECK(layers.values == std::vector<std::string>{"dense:units=64 relu dense softmax",
                                                  "dense:units=256,bias=false relu dense softmax"});
  CHECK(fnn::parse_grid_axis("optimizer=sgd:momentum=0.9,nesterov=true,adam").values ==
        std::vector<std::string>{"sgd:momentum=0.9,nesterov=true", "adam"});
  CHECK(fnn::parse_grid_axis("hidden=\"8,4\",\"16\",32").values ==
        std::vector<std::string>{"8,4", "16", "32"});
  for (const std::string bad :
       {"learning-rate", "=1,2", "a=", "a=1,,2", "a=1,", "a=\"1,2", "a=\"1\"x"}) {
    INFO(bad);
    CHECK_THAT(fnn::test::error_message([&] { fnn::parse_grid_axis(bad); }),
               Contains("--grid '" + bad + "'"));
  }
}

TEST_CASE("ranges: uniform, log and int, with their bounds checked", "[sweep]") {
  const auto log = fnn::parse_sweep_range("learning-rate=log:1e-4:1e-1");
  REQUIRE(log.range);
  CHECK(log.range->kind == fnn::SweepRange::Kind::log_uniform);
  CHECK(log.range->low == 1e-4);
  CHECK(log.range->high == 1e-1);
  CHECK(fnn::parse_sweep_range("dropout=0:0.5").range->kind == fnn::SweepRange::Kind::uniform);
  CHECK(fnn::parse_sweep_range("units=int:16:256").range->kind == fnn::SweepRange::Kind::integer);
  for (const std::string bad :
       {"a", "a=1", "a=0.5:0.1", "a=1:1", "a=log:0:1", "a=log:-1:1", "a=int:1.5:3", "a=int:4:3",
        "a=x:1", "a=1:inf", "a=exp:1:2", "a=nan:1"}) {
    INFO(bad);
    CHECK_THAT(fnn::test::error_message([&] { fnn::parse_sweep_range(bad); }),
               Contains("--range '" + bad + "'"));
  }
}

TEST_CASE("random configurations: reproducible from the seed and within their ranges", "[sweep]") {
  const std::vector<fnn::SweepParameter> space{
      fnn::parse_sweep_range("learning-rate=log:1e-4:1e-1"),
      fnn::parse_sweep_range("dropout=0:0.5"), fnn::parse_sweep_range("units=int:2:4"),
      axis("activation", {"relu", "tanh"})};
  const auto first = fnn::random_configurations(space, 400, 7);
  CHECK(first == fnn::random_configurations(space, 400, 7));
  CHECK(first != fnn::random_configurations(space, 400, 8));
  std::set<std::string> units;
  std::set<std::string> activations;
  std::size_t low_decade = 0;  // learning rates in [1e-4, 1e-3): a third of them if log-uniform
  for (const SweepConfiguration& configuration : first) {
    REQUIRE(configuration.size() == 4);
    CHECK(configuration[0].first == "learning-rate");
    const double rate = std::stod(configuration[0].second);
    CHECK(rate >= 1e-4);
    CHECK(rate < 1e-1);
    low_decade += rate < 1e-3 ? 1 : 0;
    const double dropout = std::stod(configuration[1].second);
    CHECK(dropout >= 0.0);
    CHECK(dropout < 0.5);
    units.insert(configuration[2].second);
    activations.insert(configuration[3].second);
  }
  CHECK(units == std::set<std::string>{"2", "3", "4"});  // both ends included, whole numbers
  CHECK(activations == std::set<std::string>{"relu", "tanh"});
  CHECK(low_decade > 100);  // uniform on a linear scale would give about 4 of 400
  CHECK(low_decade < 170);
}

TEST_CASE("folds: every row in one fold, sizes within one, stratified, fixed by the seed",
          "[sweep]") {
  // 3 classes of 20, 13 and 4 rows, in blocks.
  std::vector<std::size_t> classes;
  for (const auto& [label, count] : {std::pair{0U, 20U}, {1U, 13U}, {2U, 4U}}) {
    classes.insert(classes.end(), count, label);
  }
  const std::size_t rows = classes.size();
  for (const std::size_t folds : {2U, 3U, 5U}) {
    INFO(folds << " folds");
    const auto of_row = fnn::fold_of_rows(rows, folds, 11, classes);
    REQUIRE(of_row.size() == rows);
    CHECK(of_row == fnn::fold_of_rows(rows, folds, 11, classes));
    CHECK(of_row != fnn::fold_of_rows(rows, folds, 12, classes));
    std::map<std::size_t, std::size_t> size;
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> per_class;
    for (std::size_t r = 0; r < rows; ++r) {
      REQUIRE(of_row[r] < folds);
      ++size[of_row[r]];
      ++per_class[{classes[r], of_row[r]}];
    }
    for (std::size_t f = 0; f < folds; ++f) {
      CHECK(size[f] >= rows / folds);
      CHECK(size[f] <= rows / folds + 1);
      for (const auto& [label, count] : {std::pair{0U, 20U}, {1U, 13U}, {2U, 4U}}) {
        CHECK(per_class[{label, f}] >= count / folds);
        CHECK(per_class[{label, f}] <= count / folds + 1);
      }
    }
  }
  const auto plain = fnn::fold_of_rows(10, 3, 1);
  CHECK(std::count(plain.begin(), plain.end(), 0U) == 4);
  CHECK(std::count(plain.begin(), plain.end(), 2U) == 3);
  CHECK_THROWS_AS(fnn::fold_of_rows(10, 1, 1), fnn::SpecError);
  CHECK_THROWS_AS(fnn::fold_of_rows(2, 3, 1), fnn::SpecError);
  CHECK_THROWS_AS(fnn::fold_of_rows(3, 2, 1, std::vector<std::size_t>{0, 1}), fnn::SpecError);
}

TEST_CASE("split_fold: the folds' validation rows are the data set, each row once", "[sweep]") {
  fnn::Dataset data{fnn::Matrix(12, 1), fnn::Matrix(12, 2)};
  for (std::size_t r = 0; r < 12; ++r) {
    data.inputs(r, 0) = static_cast<float>(r);
    data.targets(r, r % 3 == 0 ? 1 : 0) = 1.0F;  // 4 of class 1, 8 of class 0
  }
  std::multiset<float> seen;
  for (std::size_t fold = 1; fold <= 4; ++fold) {
    fnn::Dataset train = data;
    const fnn::Dataset validation = fnn::split_fold(train, fold, 4, 5, true);
    CHECK(validation.inputs.rows() == 3);
    CHECK(train.inputs.rows() == 9);
    std::size_t class_one = 0;
    for (std::size_t r = 0; r < 3; ++r) {
      seen.insert(validation.inputs(r, 0));
      class_one += validation.targets(r, 1) == 1.0F ? 1 : 0;
    }
    CHECK(class_one == 1);  // stratified: 4 of class 1 over 4 folds
  }
  CHECK(seen.size() == 12);
  CHECK(std::set<float>(seen.begin(), seen.end()).size() == 12);
  fnn::Dataset train = data;
  CHECK_THROWS_AS(fnn::split_fold(train, 5, 4, 5, true), fnn::SpecError);
}

TEST_CASE("a trial's metrics: its best epoch's row, else the last; unknown columns kept",
          "[sweep]") {
  const fnn::test::TemporaryDirectory folder;
  const auto file = folder.path() / "metrics.csv";
  write(file,
        "epoch,train_loss,validation_loss,validation_accuracy,seconds\n"
        "1,0.5,0.6,,0.25\n2,0.25,0.375,,0.5\n");
  auto result = fnn::read_trial_metrics(file);
  CHECK(result.epochs == 2);
  CHECK(result.seconds == 0.75);
  CHECK(result.metrics == std::vector<std::pair<std::string, double>>{{"train_loss", 0.25},
                                                                      {"validation_loss", 0.375}});
  write(file,
        "epoch,train_loss,validation_loss,learning_rate,best_epoch,seconds,extra\n"
        "1,0.5,0.3,0.1,1,1,7\n2,0.25,0.4,0.1,1,1,8\n3,0.125,0.5,0.05,1,1,9\n");
  result = fnn::read_trial_metrics(file);
  CHECK(result.epochs == 3);
  CHECK(result.seconds == 3.0);
  CHECK(result.metrics == std::vector<std::pair<std::string, double>>{{"train_loss", 0.5},
                                                                      {"validation_loss", 0.3},
                                                                      {"learning_rate", 0.1},
                                                                      {"best_epoch", 1.0},
                                                                      {"extra", 7.0}});
  write(file, "epoch,train_loss\n1,abc\n");
  CHECK_THAT(fnn::test::error_message([&] { fnn::read_trial_metrics(file); }),
             Contains("metrics.csv' line 2") && Contains("abc"));
  write(file, "epoch,train_loss\n");
  CHECK_THAT(fnn::test::error_message([&] { fnn::read_trial_metrics(file); }),
             Contains("no epochs"));
}

TEST_CASE("run_trials: J at once, finished trials skipped, a stop ends it cleanly", "[sweep]") {
  const fnn::test::TemporaryDirectory folder;
  const auto trials = fnn::sweep_trials(3, 2, folder.path());
  REQUIRE(trials.size() == 6);
  CHECK(trials[0].directory == folder.path() / "c01" / "fold-1");
  CHECK(trials[5].directory == folder.path() / "c03" / "fold-2");
  CHECK(fnn::sweep_trials(12, 0, folder.path())[11].directory == folder.path() / "c12");

  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> calls{0};
  // A trial's loss is its configuration + fold / 10; configuration 2's second fold fails.
  const fnn::TrialRunner runner = [&](const fnn::SweepTrial& trial, const fnn::StopRequest&) {
    ++calls;
    const int now = ++running;
    most = std::max(most.load(), now);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    --running;
    std::filesystem::create_directories(trial.directory);
    if (trial.configuration == 1 && trial.fold == 2) {
      return TrialOutcome{TrialOutcome::Status::failed, {}, "diverged"};
    }
    const double loss =
        static_cast<double>(trial.configuration) + static_cast<double>(trial.fold) / 10;
    return TrialOutcome{TrialOutcome::Status::finished,
                        {{{"train_loss", loss}, {"validation_accuracy", 1 - loss / 10}}, 4, 0.5},
                        {}};
  };
  const auto outcomes = fnn::run_trials(trials, 2, runner, nullptr);
  CHECK(calls == 6);
  CHECK(most == 2);
  REQUIRE(outcomes[3]);
  CHECK(outcomes[3]->status == TrialOutcome::Status::failed);
  CHECK(std::filesystem::exists(fnn::result_file(trials[2])));
  CHECK_FALSE(std::filesystem::exists(fnn::result_file(trials[3])));

  const auto summaries = fnn::summarize(3, trials, outcomes);
  CHECK(summaries[0].trials == 2);
  CHECK(summaries[1].failed == 1);
  CHECK(summaries[2].metrics[0].name == "train_loss");
  CHECK(summaries[2].metrics[0].mean == Approx(2.15));
  CHECK(summaries[2].metrics[0].std == Approx(0.05));  // population: over the folds
  CHECK(summaries[2].epochs.mean == 4.0);
  CHECK(fnn::best_configuration(summaries, "loss") == 0U);          // lower is better
  CHECK(fnn::best_configuration(summaries, "val_accuracy") == 0U);  // higher is better
  CHECK_FALSE(fnn::best_configuration(summaries, "val_loss"));      // no such column
  const std::string csv = fnn::summary_csv({{{"a", "1"}}, {{"a", "x,y"}}, {{"a", "3"}}}, summaries);
  CHECK_THAT(csv, Contains("configuration,a,trials,failed,train_loss_mean,train_loss_std,"
                           "validation_accuracy_mean,validation_accuracy_std,epochs_mean,"
                           "epochs_std,seconds_mean,seconds_std\n"));
  CHECK_THAT(csv, Contains("\n2,\"x,y\",1,1,"));

  // Again: the finished trials are read, only the failed one runs.
  calls = 0;
  const auto again = fnn::run_trials(trials, 2, runner, nullptr);
  CHECK(calls == 1);
  CHECK(fnn::summary_csv({{{"a", "1"}}, {{"a", "2"}}, {{"a", "3"}}},
                         fnn::summarize(3, trials, again)) ==
        fnn::summary_csv({{{"a", "1"}}, {{"a", "2"}}, {{"a", "3"}}}, summaries));

  // A stop: the running trial is told, no other starts.
  const fnn::test::TemporaryDirectory other;
  const auto more = fnn::sweep_trials(4, 0, other.path());
  fnn::StopRequest stop;
  calls = 0;
  const auto stopped = fnn::run_trials(
      more, 1,
      [&](const fnn::SweepTrial&, const fnn::StopRequest& asked) {
        ++calls;
        stop.request(2);
        return TrialOutcome{
            asked.requested() ? TrialOutcome::Status::stopped : TrialOutcome::Status::finished,
            {},
            {}};
      },
      &stop);
  CHECK(calls == 1);
  CHECK(stopped[0]->status == TrialOutcome::Status::stopped);
  CHECK_FALSE(stopped[1]);
  CHECK_FALSE(std::filesystem::exists(fnn::result_file(more[0])));
}
