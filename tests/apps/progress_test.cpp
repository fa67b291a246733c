// The training progress display, on a clock the test moves: which epoch lines are printed, and
// what the bar shows. No test here waits for real time.
#include "progress.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

using Catch::Matchers::Contains;
using fnn::cli::Progress;

namespace {

struct FakeClock {
  std::chrono::steady_clock::time_point time{};
  void advance(double seconds) {
    time += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds));
  }
};

struct Shown {
  FakeClock clock;
  std::ostringstream lines, bar;
  Progress::Output output() {
    Progress::Output result;
    result.lines = &lines;
    result.bar = &bar;
    result.now = [this] { return clock.time; };
    result.width = 0;
    return result;
  }
  std::vector<std::string> printed() const {
    std::vector<std::string> result;
    std::istringstream in(lines.str());
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }
};

fnn::EpochSummary epoch(std::size_t number, double loss, std::optional<double> validation = {}) {
  fnn::EpochSummary summary;
  summary.training.epoch = number;
  summary.training.train_loss = loss;
  summary.training.seconds = 0.001;
  summary.validation_loss = validation;
  return summary;
}

bool has_epoch(const std::vector<std::string>& lines, std::size_t number, std::size_t total) {
  const std::string start = "epoch " + std::to_string(number) + "/" + std::to_string(total) + " ";
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.starts_with(start); });
}

}  // namespace

TEST_CASE(
    "Progress: 200,000 fast epochs print a few lines a second, with the first, the last "
    "and each new best",
    "[progress]") {
  Shown shown;
  const std::size_t total = 200000;
  {
    Progress progress({.bar = true, .every_epoch = false}, total, 4, shown.output());
    for (std::size_t e = 1; e <= total; ++e) {
      shown.clock.advance(0.0001);  // 20 s in all
      // A loss that improves only at epochs 50,000 (inside an interval) and 150,000; epoch
      // 150,001 is worse again.
      const double loss = e < 50000 ? 0.5 : e < 150000 ? 0.4 : e == 150000 ? 0.1 : 0.3;
      progress.batch_done({.epoch = e, .batch = 1, .batches = 1, .samples_done = 4, .loss = loss});
      progress.epoch_done(epoch(e, loss));
    }
    progress.finish();
  }
  const auto lines = shown.printed();
  // 20 s at no more than 4 ordinary lines a second, and the forced ones.
  CHECK(lines.size() <= 20 * 4 + 4);
  CHECK(lines.size() >= 20 * 2);
  CHECK(has_epoch(lines, 1, total));
  CHECK(has_epoch(lines, total, total));
  CHECK(has_epoch(lines, 50000, total));
  CHECK(has_epoch(lines, 150000, total));
  CHECK_FALSE(has_epoch(lines, 150001, total));
  CHECK_THAT(lines.front(), Contains("(best)"));
  // Lines stay in epoch order.
  std::size_t previous = 0;
  for (const std::string& line : lines) {
    const std::size_t number = std::stoul(line.substr(6));
    CHECK(number > previous);
    previous = number;
  }
  // The bar was redrawn about ten times a second, not once per epoch.
  const std::string bar = shown.bar.str();
  std::size_t redraws = 0;
  for (auto at = bar.find("elapsed"); at != std::string::npos; at = bar.find("elapsed", at + 1)) {
    ++redraws;
  }
  CHECK(redraws <= 20 * 10 + lines.size() + 2);
  CHECK_THAT(bar, Contains("epoch 200000/200000 [####################] 100%") &&
                      Contains("loss 0.3 (best 0.1)"));
  CHECK(bar.ends_with("\r\x1b[2K"));  // removed at the end
}

TEST_CASE("Progress: a loss improving every epoch is held, and the best epoch's line still shows",
          "[progress]") {
  Shown shown;
  Progress progress({.bar = false, .every_epoch = false}, 1000, 4, shown.output());
  for (std::size_t e = 1; e <= 999; ++e) {
    shown.clock.advance(0.001);
    progress.epoch_done(epoch(e, 1.0 / static_cast<double>(e)));
  }
  // Epoch 1000 is interrupted: the run stops there, and it is the last line.
  shown.clock.advance(0.001);
  auto stopped = epoch(1000, 2.0);
  stopped.training.interrupted = true;
  progress.epoch_done(stopped);
  progress.finish();
  const auto lines = shown.printed();
  CHECK(lines.size() <= 1 + 4 + 2);  // one second of epochs
  CHECK(has_epoch(lines, 1, 1000));
  CHECK(has_epoch(lines, 999, 1000));  // the best, held back, printed before the last
  CHECK(has_epoch(lines, 1000, 1000));
  CHECK(shown.bar.str().empty());
}

TEST_CASE("Progress: slow epochs print every line; plain prints every line whatever the time",
          "[progress]") {
  for (const bool every_epoch : {false, true}) {
    Shown shown;
    Progress progress({.bar = false, .every_epoch = every_epoch}, 20, 4, shown.output());
    for (std::size_t e = 1; e <= 20; ++e) {
      shown.clock.advance(every_epoch ? 0.0 : 0.25);  // at the interval: validation is cheap
      progress.epoch_done(epoch(e, 0.5, 0.7 + static_cast<double>(e % 3)));
    }
    progress.finish();
    const auto lines = shown.printed();
    REQUIRE(lines.size() == 20);
    CHECK_THAT(lines[3], Contains("epoch 4/20  train loss 0.500000  validation loss 1.700000"));
    // Plain lines are the log format, unmarked.
    CHECK((lines[0].find("(best)") != std::string::npos) == !every_epoch);
  }
}

TEST_CASE("Progress: the bar shows the whole run, time left, latest and best values",
          "[progress]") {
  Shown shown;
  Progress progress({.bar = true, .every_epoch = false}, 4, 10, shown.output());
  shown.clock.advance(1.0);
  progress.batch_done({.epoch = 1, .batch = 1, .batches = 2, .samples_done = 5, .loss = 0.9});
  CHECK_THAT(shown.bar.str(), Contains("epoch 1/4 [##..................]  12%") &&
                                  Contains("0:01 elapsed, 0:07 left"));
  shown.clock.advance(1.0);
  auto first = epoch(1, 0.8, 0.6);
  first.validation_accuracy = 0.75;
  progress.epoch_done(first);
  shown.clock.advance(2.0);
  auto second = epoch(2, 0.7, 0.65);
  second.validation_accuracy = 0.5;
  progress.epoch_done(second);
  const std::string bar = shown.bar.str();
  const std::string last_draw = bar.substr(bar.rfind('\r'));
  CHECK_THAT(last_draw, Contains("epoch 2/4 [##########..........]  50%") &&
                            Contains("0:04 elapsed, 0:04 left") &&
                            Contains("loss 0.7 (best 0.7)") &&
                            Contains("validation loss 0.65 (best 0.6)") &&
                            Contains("accuracy 0.5000 (best 0.7500)"));
  // A narrow terminal gets a cut line, never a wrapped one.
  Shown narrow;
  auto output = narrow.output();
  output.width = 30;
  Progress small({.bar = true, .every_epoch = false}, 4, 10, output);
  small.epoch_done(first);
  const std::string drawn = narrow.bar.str();
  CHECK(drawn.substr(drawn.rfind('\r') + 5).size() == 29);
}

TEST_CASE("Progress::parse knows auto, bar and plain", "[progress]") {
  CHECK(Progress::parse("plain").every_epoch);
  CHECK_FALSE(Progress::parse("plain").bar);
  CHECK(Progress::parse("bar").bar);
  CHECK_FALSE(Progress::parse("bar").every_epoch);
  CHECK_THROWS_WITH(Progress::parse("fancy"), Contains("expected auto, bar or plain"));
}
