#pragma once
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace fnn::cli {

/// What `fnn sweep` draws in summary.png, as plain data: one entry per trial (a row of
/// summary.csv) in each vector.
struct SweepPlotData {
  struct Parameter {
    std::string name;                 ///< the swept option, e.g. "learning-rate"
    std::vector<std::string> values;  ///< per trial, as written in summary.csv
  };
  std::string metric;              ///< the monitored metric, e.g. "validation_loss"
  std::vector<double> values;      ///< its value per trial (mean over folds); NaN: not drawn
  std::vector<double> deviations;  ///< ± standard deviation per trial (folds); empty for none
  std::vector<Parameter> parameters;
  std::optional<std::size_t> best_trial;  ///< drawn apart in each panel; nullopt for none
  std::filesystem::path best_metrics;     ///< the best trial's metrics file; empty for none
  std::string best_name = "best trial";   ///< its name in the curves' legend
};

/// Writes the sweep's figure to `output` (.png, .svg or .pdf, atomically): the metric against
/// each swept parameter, one panel per parameter, and then the best trial's learning curves
/// (fnn plot's panels). A parameter whose values are all numbers gets a numeric axis, logarithmic
/// when they are positive and span a decade or more; otherwise each distinct text (a --layers
/// spec) is a category, in order of first appearance. fnn::Error for vectors whose sizes do not
/// match the trials, and as draw_figure (gnuplot.hpp) and read_metrics_table do.
void write_sweep_plot(const SweepPlotData& data, const std::filesystem::path& output);

}  // namespace fnn::cli
