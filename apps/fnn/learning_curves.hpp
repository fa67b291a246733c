#pragma once
#include <string>
#include <vector>

#include "gnuplot.hpp"
#include <fnn/metrics_table.hpp>

namespace fnn::cli {

/// One run's metrics, with the name its legend shows.
struct NamedRun {
  std::string name;
  MetricsTable metrics;
};

/// The epoch a run's best model comes from: the `best_epoch` column's last value when the file
/// has one, else the epoch of the lowest validation loss, else of the lowest training loss; 0
/// when there is none.
std::size_t best_epoch(const MetricsTable& metrics);

/// The learning curves: one panel per metric that any run has (training loss, validation loss,
/// validation accuracy) against epoch, each run a line of its own colour, its legend "NAME (best
/// epoch N)", and a marker on its curve at that epoch. A loss axis is logarithmic when every
/// value on it is positive and the largest is 100 or more times the smallest.
std::vector<PlotPanel> learning_curve_panels(const std::vector<NamedRun>& runs);

}  // namespace fnn::cli
