#include "fnn/schedule.hpp"

#include <charconv>
#include <cmath>
#include <numbers>
#include <string_view>
#include <vector>

#include "fnn/error.hpp"

namespace fnn {

double LearningRateSchedule::rate(double base, std::size_t epoch, std::size_t total_epochs) const {
  switch (kind) {
    case Kind::constant:
    case Kind::plateau:  // its reductions are applied by the run (Trainer::set_rate_factor)
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
                    "': expected constant, cosine, step:N:G (every N epochs times G, such as "
                    "step:10:0.5), or plateau:P:F[:MIN] (times F, 0 < F < 1, after P epochs "
                    "without improvement, not below the rate MIN, such as plateau:5:0.5)");
  };
  if (text == "constant") return {};
  if (text == "cosine") return {.kind = Kind::cosine};
  const bool plateau = text.starts_with("plateau:");
  if (!plateau && !text.starts_with("step:")) return fail();
  // The fields after the name: N or P, then G or F, then (plateau only) MIN.
  std::vector<std::string_view> fields;
  for (std::size_t first = text.find(':') + 1;;) {
    const std::size_t colon = text.find(':', first);
    fields.emplace_back(text.data() + first,
                        (colon == std::string::npos ? text.size() : colon) - first);
    if (colon == std::string::npos) break;
    first = colon + 1;
  }
  const auto number = [&](std::string_view field, auto& value) {
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (error != std::errc{} || end != field.data() + field.size() || field.empty()) fail();
  };
  if (fields.size() < 2 || fields.size() > (plateau ? 3U : 2U)) return fail();
  LearningRateSchedule schedule{.kind = plateau ? Kind::plateau : Kind::step};
  number(fields[0], schedule.step_epochs);
  number(fields[1], schedule.gamma);
  if (fields.size() == 3) number(fields[2], schedule.min_rate);
  if (schedule.step_epochs == 0 || !(schedule.gamma > 0.0) ||
      (plateau && !(schedule.gamma < 1.0)) || !(schedule.min_rate >= 0.0) ||
      !std::isfinite(schedule.gamma) || !std::isfinite(schedule.min_rate)) {
    return fail();
  }
  return schedule;
}

}  // namespace fnn
