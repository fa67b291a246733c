#include "fnn/schedule.hpp"

#include <charconv>
#include <cmath>
#include <numbers>

#include "fnn/error.hpp"

namespace fnn {

double LearningRateSchedule::rate(double base, std::size_t epoch, std::size_t total_epochs) const {
  switch (kind) {
    case Kind::constant:
      return base;
    case Kind::step:
      return base * std::pow(gamma, static_cast<double>((epoch - 1) / step_epochs));
    case Kind::cosine: {
      // Epoch 1 trains at the full rate; the last at base·sin²(π/2E), small but never 0.
      const double progress = static_cast<double>(epoch - 1) / static_cast<double>(total_epochs);
      return base * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    }
  }
  return base;
}

bool LearningRateSchedule::spans_run() const noexcept {
  return kind == Kind::cosine;
}

LearningRateSchedule LearningRateSchedule::parse(const std::string& text) {
  const auto fail = [&]() -> LearningRateSchedule {
    throw SpecError("learning-rate schedule '" + text +
                    "': expected constant, cosine, or step:N:G (every N epochs times G, such as "
                    "step:10:0.5)");
  };
  if (text == "constant") return {};
  if (text == "cosine") return {.kind = Kind::cosine};
  if (!text.starts_with("step:")) return fail();
  const std::size_t colon = text.find(':', 5);
  if (colon == std::string::npos) return fail();
  LearningRateSchedule schedule{.kind = Kind::step};
  const char* end = text.data() + text.size();
  const auto epochs = std::from_chars(text.data() + 5, text.data() + colon, schedule.step_epochs);
  const auto gamma = std::from_chars(text.data() + colon + 1, end, schedule.gamma);
  if (epochs.ec != std::errc{} || epochs.ptr != text.data() + colon || schedule.step_epochs == 0 ||
      gamma.ec != std::errc{} || gamma.ptr != end || !(schedule.gamma > 0.0)) {
    return fail();
  }
  return schedule;
}

}  // namespace fnn
