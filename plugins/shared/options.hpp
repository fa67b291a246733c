#pragma once
// Option reading shared by several plugins: numbers that must lie in a range, refused with a
// message naming the option. Plugins include only the public fnn headers and the headers in this
// folder.
#include <cmath>
#include <fnn/plugin.hpp>
#include <string>

namespace fnn_plugins {

/// Option `key` as a number (`fallback` when absent); SpecError "option 'key' must be
/// <requirement>, is <text>" unless `accept(value)`. The message quotes the text as given, so a
/// user sees what they wrote rather than its parsed rounding.
template <class Accept>
double checked_number(const fnn::Options& options, const std::string& key, double fallback,
                      const char* requirement, Accept accept) {
  const double value = options.number(key, fallback);
  if (!accept(value)) {
    throw fnn::SpecError("option '" + key + "' must be " + requirement + ", is " +
                         options.text(key, std::to_string(value)));
  }
  return value;
}

/// A finite number > 0 (epsilon, Huber's delta).
inline double positive_option(const fnn::Options& options, const std::string& key,
                              double fallback) {
  return checked_number(options, key, fallback, "positive and finite",
                        [](double value) { return std::isfinite(value) && value > 0.0; });
}

/// A finite number ≥ 0 (slopes, weight decay).
inline double non_negative_option(const fnn::Options& options, const std::string& key,
                                  double fallback) {
  return checked_number(options, key, fallback, "non-negative and finite",
                        [](double value) { return std::isfinite(value) && value >= 0.0; });
}

/// A number in [0, 1): decay rates (momentum, Adam's betas, RMSprop's rho) and dropout's rate,
/// where 1 would freeze an average forever or drop everything.
inline double fraction_option(const fnn::Options& options, const std::string& key,
                              double fallback) {
  return checked_number(options, key, fallback, "in [0, 1)",
                        [](double value) { return value >= 0.0 && value < 1.0; });
}

}  // namespace fnn_plugins
