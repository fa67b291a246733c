#include "sweep_plot.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fnn/error.hpp>

#include "gnuplot.hpp"
#include "learning_curves.hpp"

namespace fnn::cli {

namespace {

std::optional<double> as_number(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Where each trial goes on this parameter's axis, and how the axis is labelled.
std::vector<double> place_trials(const SweepPlotData::Parameter& parameter, PlotPanel& panel) {
  std::vector<double> x;
  for (const std::string& text : parameter.values) {
    const auto value = as_number(text);
    if (!value) break;
    x.push_back(*value);
  }
  if (x.size() == parameter.values.size() && !x.empty()) {
    const auto [low, high] = std::minmax_element(x.begin(), x.end());
    panel.log_x = *low > 0 && *high >= 10 * *low;
    return x;
  }
  x.clear();
  for (const std::string& text : parameter.values) {
    auto found = std::find(panel.categories.begin(), panel.categories.end(), text);
    if (found == panel.categories.end()) found = panel.categories.insert(found, text);
    x.push_back(static_cast<double>(found - panel.categories.begin() + 1));
  }
  return x;
}

PlotPanel parameter_panel(const SweepPlotData& data, const SweepPlotData::Parameter& parameter) {
  PlotPanel panel;
  panel.title = data.metric + " against " + parameter.name;
  panel.x_label = parameter.name;
  panel.y_label = data.metric;
  const std::vector<double> x = place_trials(parameter, panel);
  PlotSeries trials, best;
  trials.title = "trials";
  trials.mark = PlotSeries::Mark::points;
  best.title = "best trial";
  best.mark = PlotSeries::Mark::marker;
  best.color = 2;
  for (std::size_t t = 0; t < x.size(); ++t) {
    if (std::isnan(data.values[t])) continue;
    PlotSeries& series = data.best_trial == t ? best : trials;
    series.x.push_back(x[t]);
    series.y.push_back(data.values[t]);
    if (!data.deviations.empty()) series.error.push_back(data.deviations[t]);
  }
  panel.series = {trials, best};
  return panel;
}

void check_sizes(const SweepPlotData& data) {
  const std::size_t trials = data.values.size();
  const auto wrong = [&](const std::string& what, std::size_t size) {
    throw Error("sweep plot: " + what + " has " + std::to_string(size) + " values for " +
                std::to_string(trials) + " trials");
  };
  if (!data.deviations.empty() && data.deviations.size() != trials) {
    wrong("deviations", data.deviations.size());
  }
  for (const auto& parameter : data.parameters) {
    if (parameter.values.size() != trials) wrong(parameter.name, parameter.values.size());
  }
  if (data.best_trial && *data.best_trial >= trials) {
    throw Error("sweep plot: best trial " + std::to_string(*data.best_trial) + " of " +
                std::to_string(trials) + " trials");
  }
}

}  // namespace

void write_sweep_plot(const SweepPlotData& data, const std::filesystem::path& output) {
  check_sizes(data);
  const PlotFormat format = plot_format("sweep plot", output);
  std::vector<PlotPanel> panels;
  for (const auto& parameter : data.parameters) {
    PlotPanel panel = parameter_panel(data, parameter);
    if (!panel.series[0].x.empty() || !panel.series[1].x.empty())
      panels.push_back(std::move(panel));
  }
  if (!data.best_metrics.empty()) {
    for (PlotPanel& panel :
         learning_curve_panels({{data.best_name, read_metrics_table(data.best_metrics)}})) {
      panel.title = data.best_name + ": " + panel.title;
      panels.push_back(std::move(panel));
    }
  }
  if (panels.empty()) throw Error("sweep plot: no trial has a value of " + data.metric);
  draw_figure(panels, format, output);
}

}  // namespace fnn::cli
