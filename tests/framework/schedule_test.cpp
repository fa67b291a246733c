#include <cmath>
#include <fnn/schedule.hpp>
#include <numbers>

#include "support/test_support.hpp"

TEST_CASE("learning-rate schedules: constant, step and cosine", "[schedule]") {
  const auto constant = fnn::LearningRateSchedule::parse("constant");
  CHECK(constant.rate(0.5, 7, 10) == 0.5);

  const auto step = fnn::LearningRateSchedule::parse("step:3:0.5");
  CHECK(step.rate(1.0, 1, 10) == 1.0);
  CHECK(step.rate(1.0, 3, 10) == 1.0);
  CHECK(step.rate(1.0, 4, 10) == 0.5);
  CHECK(step.rate(1.0, 7, 10) == 0.25);

  const auto cosine = fnn::LearningRateSchedule::parse("cosine");
  CHECK(cosine.rate(2.0, 1, 4) == 2.0);
  CHECK(cosine.rate(2.0, 3, 4) == Approx(1.0));
  CHECK(cosine.rate(2.0, 4, 4) > 0.0);
  CHECK(cosine.rate(2.0, 4, 4) < cosine.rate(2.0, 3, 4));
}

// The formula that --help and the header state: η·(1 + cos(π·(e − 1)/E))/2, whose last epoch is
// η·sin²(π/2E), 0.0245·η for E = 10, not 0.
TEST_CASE("the cosine schedule is rate*(1+cos(pi*(e-1)/E))/2, never 0", "[schedule]") {
  const auto cosine = fnn::LearningRateSchedule::parse("cosine");
  for (const std::size_t total : {1U, 2U, 10U, 20U}) {
    for (std::size_t epoch = 1; epoch <= total; ++epoch) {
      INFO("epoch " << epoch << " of " << total);
      const double angle =
          std::numbers::pi * static_cast<double>(epoch - 1) / static_cast<double>(total);
      CHECK(cosine.rate(0.4, epoch, total) == Approx(0.4 * (1 + std::cos(angle)) / 2));
    }
  }
  const double last = std::pow(std::sin(std::numbers::pi / 20), 2);
  CHECK(cosine.rate(1.0, 10, 10) == Approx(last));
  CHECK(last == Approx(0.0245).epsilon(0.002));
  // Resumed to another total, the same epoch trains at another rate: 0.5·η in epoch 11 of 20.
  CHECK(cosine.rate(1.0, 11, 20) == Approx(0.5));
  CHECK(cosine.spans_run());
  CHECK_FALSE(fnn::LearningRateSchedule::parse("constant").spans_run());
  CHECK_FALSE(fnn::LearningRateSchedule::parse("step:3:0.5").spans_run());
}

TEST_CASE("a malformed schedule names itself and the accepted forms", "[schedule]") {
  for (const char* text : {"linear", "step:0:0.5", "step:3", "step:3:-1", "step:x:0.5"}) {
    INFO(text);
    CHECK_THAT(fnn::test::error_message([&] { fnn::LearningRateSchedule::parse(text); }),
               Catch::Matchers::Contains(std::string("'") + text + "'") &&
                   Catch::Matchers::Contains("step:N:G"));
  }
}

TEST_CASE("the trainer applies the schedule to the optimizer before each epoch", "[schedule][trainer]") {
  fnn::NetworkSpec spec{1};
  spec.add("dense", {{"units", "1"}});
  fnn::Network network(fnn::test::plugins(), spec);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "0.8"}});
  fnn::Trainer trainer(network, *loss, *sgd,
                       {.epochs = 4, .schedule = fnn::LearningRateSchedule::parse("step:2:0.5")});
  std::vector<double> rates;
  trainer.fit(fnn::Matrix{{1}}, fnn::Matrix{{1}}, [&](const fnn::EpochReport&) {
    rates.push_back(sgd->learning_rate());
    return true;
  });
  CHECK(rates == std::vector<double>{0.8, 0.8, 0.4, 0.4});
}
