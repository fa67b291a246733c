// The sweep's summary figure (write_sweep_plot) and its progress line (SweepProgress), from
// plain data, without a sweep.
#include <algorithm>
#include <regex>
#include <sstream>

#include "support/process.hpp"
#include "support/test_support.hpp"
#include "support/xml.hpp"
#include "sweep_plot.hpp"
#include "sweep_progress.hpp"

using Catch::Matchers::Contains;
using fnn::cli::SweepPlotData;

namespace fnn::test {
bool have_gnuplot();  // cli_plot_test.cpp
}

namespace {

// Per panel letter: the number of points each plotted element draws, and the panel's texts.
struct SvgPanels {
  std::map<char, std::vector<std::size_t>> points;
  std::vector<std::string> texts;
};

SvgPanels read_panels(const std::string& svg_text) {
  const auto svg = fnn::test::parse_xml(svg_text);
  SvgPanels panels;
  const std::regex id(R"(gnuplot_plot_\d+([a-z]))");
  for (const auto* group : svg->find_all("g")) {
    std::smatch match;
    const std::string name = group->attribute("id");
    if (!std::regex_match(name, match, id)) continue;
    // Points with error bars are drawn twice, over a white gap first: count the coloured ones.
    const auto marks = group->find_all("use");
    panels.points[match[1].str()[0]].push_back(static_cast<std::size_t>(
        std::count_if(marks.begin(), marks.end(),
                      [](const auto* use) { return use->attribute("color") != "white"; })));
  }
  for (const auto* text : svg->find_all("text")) panels.texts.push_back(text->text);
  return panels;
}

bool has_text(const SvgPanels& panels, const std::string& wanted) {
  return std::find(panels.texts.begin(), panels.texts.end(), wanted) != panels.texts.end();
}

}  // namespace

TEST_CASE("write_sweep_plot draws the metric against each swept parameter and the best trial's "
          "curves", "[plot][sweep]") {
  if (!fnn::test::have_gnuplot()) return;
  const fnn::test::TemporaryDirectory folder;
  const auto metrics = folder.path() / "best.csv";
  fnn::test::write_file(metrics,
                        "epoch,train_loss,validation_loss,validation_accuracy,seconds\n"
                        "1,0.9,0.8,0.5,0.1\n2,0.5,0.6,0.6,0.1\n3,0.3,0.7,0.7,0.1\n");
  SweepPlotData data;
  data.metric = "validation_loss";
  data.values = {0.5, 0.4, 0.3, 0.35, std::nan("")};  // the last trial has no value
  data.deviations = {0.01, 0.02, 0.01, 0.03, 0.0};
  data.parameters = {
      {"learning-rate", {"0.001", "0.01", "0.1", "1", "1"}},
      {"layers", {"dense:units=8 relu dense", "dense:units=64 relu dense",
                  "dense:units=8 relu dense", "dense:units=64 relu dense", "dense"}}};
  data.best_trial = 2;
  data.best_metrics = metrics;
  data.best_name = "trial 3";
  const auto output = folder.path() / "summary.svg";
  fnn::cli::write_sweep_plot(data, output);

  const SvgPanels panels = read_panels(fnn::test::read_file(output));
  // Two parameter panels (trials, best trial) and three curve panels (curve, best marker).
  REQUIRE(panels.points.size() == 5);
  // The 3 other trials with a value and the best one, each series with its key's sample.
  CHECK(panels.points.at('a') == std::vector<std::size_t>{3 + 1, 1 + 1});
  CHECK(panels.points.at('b') == std::vector<std::size_t>{3 + 1, 1 + 1});
  CHECK(panels.points.at('c') == std::vector<std::size_t>{0, 1});  // training loss: a line
  CHECK(panels.points.at('e') == std::vector<std::size_t>{0, 1});
  CHECK(has_text(panels, "validation_loss against learning-rate"));
  CHECK(has_text(panels, "validation_loss against layers"));
  // Text values are categories, labelled, in order of first appearance; numbers are not.
  CHECK(has_text(panels, "dense:units=8 relu dense"));
  CHECK(has_text(panels, "dense:units=64 relu dense"));
  CHECK(has_text(panels, "trial 3: validation loss"));
  CHECK(has_text(panels, "trial 3 (best epoch 2)"));
}

TEST_CASE("write_sweep_plot refuses data whose sizes do not match", "[plot][sweep]") {
  SweepPlotData data;
  data.metric = "validation_loss";
  data.values = {0.5, 0.4};
  data.parameters = {{"learning-rate", {"0.1"}}};
  CHECK_THROWS_WITH(fnn::cli::write_sweep_plot(data, "summary.png"),
                    Contains("learning-rate has 1 values for 2 trials"));
  data.parameters[0].values.push_back("0.2");
  data.best_trial = 2;
  CHECK_THROWS_WITH(fnn::cli::write_sweep_plot(data, "summary.png"),
                    Contains("best trial 2 of 2 trials"));
  CHECK_FALSE(std::filesystem::exists("summary.png"));
}

TEST_CASE("SweepProgress: trials done, running, the best so far and the time left",
          "[progress][sweep]") {
  std::chrono::steady_clock::time_point now{};
  std::ostringstream out;
  fnn::cli::SweepProgress::Output output;
  output.out = &out;
  output.redraw = false;
  output.now = [&] { return now; };
  fnn::cli::SweepProgress progress(6, "validation_accuracy", true, output);
  progress.trial_skipped("t1", 0.5);  // from an earlier run: no time estimate from it
  CHECK(progress.line() == "sweep: 1/6 trials done, 0 running, best validation_accuracy 0.5 (t1), "
                           "0:00 elapsed");
  progress.trial_started();
  progress.trial_started();
  now += std::chrono::seconds(10);
  progress.trial_finished("t2", 0.75);
  progress.trial_finished("t3", 0.25);  // worse: the best stays
  CHECK(progress.line() == "sweep: 3/6 trials done, 0 running, best validation_accuracy 0.75 "
                           "(t2), 0:10 elapsed, 0:15 left");
  progress.trial_finished("t4", std::nullopt);  // failed: no value
  // A line per finished trial when not redrawn in place; none for a start or a skip.
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Contains("2/6 trials done, 1 running"));
  CHECK_THAT(lines[2], Contains("4/6 trials done, 0 running, best validation_accuracy 0.75 (t2)"));
}
