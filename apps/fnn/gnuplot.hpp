#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace fnn::cli {

/// A figure for gnuplot (Debian package gnuplot-nox): panels stacked top to bottom, each with
/// its series. Plain data; `draw_figure` writes it out and runs gnuplot.
struct PlotSeries {
  enum class Mark { line, points, marker };  ///< marker: one large filled point (a best epoch)
  std::string title;                         ///< legend text; "" for none
  std::vector<double> x, y;
  std::vector<double> error;  ///< ± error bar per point (drawn with points); empty for none
  Mark mark = Mark::line;
  int color = 1;  ///< gnuplot's line type: the series of one run share it
};

struct PlotPanel {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  /// Text values on the x axis: x = 1, 2, ... are labelled with these; empty for numbers.
  std::vector<std::string> categories;
  std::vector<PlotSeries> series;
};

enum class PlotFormat { png, svg, pdf, text };

/// The format an output name asks for (.png, .svg or .pdf); UsageError naming `option`
/// otherwise.
PlotFormat plot_format(const std::string& option, const std::filesystem::path& output);

/// The gnuplot program: $FNN_GNUPLOT if set, else `gnuplot` found on PATH. fnn::Error saying
/// to install gnuplot-nox when there is none.
std::filesystem::path find_gnuplot();

/// Draws `panels` with gnuplot into `output` (an image, or for PlotFormat::text the drawing as
/// text, 100 columns wide, gnuplot's dumb terminal). The data and the script go to a temporary
/// directory that is removed afterwards; gnuplot is run without a shell; `output` is written
/// atomically (fnn/atomic_file.hpp), never half. fnn::Error when gnuplot is missing or fails
/// (with what it said), DataError when `output` cannot be written. Series without points are
/// left out; a panel needs at least one series with points.
void draw_figure(const std::vector<PlotPanel>& panels, PlotFormat format,
                 const std::filesystem::path& output);

/// As `draw_figure`, returning the text drawing.
std::string draw_figure_as_text(const std::vector<PlotPanel>& panels);

}  // namespace fnn::cli
