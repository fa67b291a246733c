#include "learning_curves.hpp"

#include <algorithm>
#include <cmath>

namespace fnn::cli {

namespace {

struct Metric {
  const char* column;
  const char* title;
  bool is_loss;
};
constexpr Metric plotted[] = {{"train_loss", "training loss", true},
                              {"validation_loss", "validation loss", true},
                              {"validation_accuracy", "validation accuracy", false},
                              {"train_accuracy", "training accuracy", false}};

// The epoch of the lowest value in `column`, or 0.
std::size_t epoch_of_lowest(const MetricsTable& metrics, const std::string& column) {
  const std::vector<double>* values = metrics.column(column);
  if (values == nullptr) return 0;
  std::size_t best = 0;
  double lowest = 0;
  for (std::size_t i = 0; i < values->size(); ++i) {
    if (!std::isnan((*values)[i]) && (best == 0 || (*values)[i] < lowest)) {
      lowest = (*values)[i];
      best = static_cast<std::size_t>(metrics.epochs[i]);
    }
  }
  return best;
}

bool needs_log_axis(const std::vector<PlotSeries>& series) {
  double low = INFINITY, high = 0;
  for (const PlotSeries& one : series) {
    for (const double y : one.y) {
      if (y <= 0) return false;
      low = std::min(low, y);
      high = std::max(high, y);
    }
  }
  return high >= 100 * low;
}

}  // namespace

std::size_t best_epoch(const MetricsTable& metrics) {
  if (const std::vector<double>* recorded = metrics.column("best_epoch")) {
    for (auto value = recorded->rbegin(); value != recorded->rend(); ++value) {
      if (!std::isnan(*value) && *value >= 1) return static_cast<std::size_t>(*value);
    }
  }
  const std::size_t by_validation = epoch_of_lowest(metrics, "validation_loss");
  return by_validation ? by_validation : epoch_of_lowest(metrics, "train_loss");
}

std::vector<PlotPanel> learning_curve_panels(const std::vector<NamedRun>& runs) {
  std::vector<PlotPanel> panels;
  for (const Metric& metric : plotted) {
    PlotPanel panel;
    panel.title = panel.y_label = metric.title;
    panel.x_label = "epoch";
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const MetricsTable& metrics = runs[r].metrics;
      const std::vector<double>* values = metrics.column(metric.column);
      if (values == nullptr) continue;
      const std::size_t best = best_epoch(metrics);
      const int color = static_cast<int>(r) + 1;
      PlotSeries curve, marker;
      curve.title = runs[r].name;
      if (best) curve.title.append(" (best epoch ").append(std::to_string(best)).append(")");
      curve.color = marker.color = color;
      marker.mark = PlotSeries::Mark::marker;
      for (std::size_t i = 0; i < values->size(); ++i) {
        if (std::isnan((*values)[i])) continue;
        curve.x.push_back(metrics.epochs[i]);
        curve.y.push_back((*values)[i]);
        if (static_cast<std::size_t>(metrics.epochs[i]) == best) {
          marker.x.push_back(metrics.epochs[i]);
          marker.y.push_back((*values)[i]);
        }
      }
      if (curve.x.empty()) continue;
      panel.series.push_back(std::move(curve));
      if (!marker.x.empty()) panel.series.push_back(std::move(marker));
    }
    if (panel.series.empty()) continue;
    panel.log_y = metric.is_loss && needs_log_axis(panel.series);
    panels.push_back(std::move(panel));
  }
  return panels;
}

}  // namespace fnn::cli
