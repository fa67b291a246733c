// fnn plot: learning curves from metrics files (fnn train --metrics), drawn by gnuplot into an
// image or as text in the terminal.
#include <fnn/names.hpp>
#include <iostream>
#include <set>

#include "command_line.hpp"
#include "commands.hpp"
#include "gnuplot.hpp"
#include "learning_curves.hpp"
#include "output_files.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

namespace {

// The legend names: --names, or each file's stem; stems that clash get their directory too
// (runs/a/metrics.csv and runs/b/metrics.csv are "a/metrics" and "b/metrics").
std::vector<std::string> run_names(const po::variables_map& values,
                                   const std::vector<std::string>& files) {
  if (values.count("names")) {
    std::vector<std::string> names = split_list(values["names"].as<std::string>());
    if (names.size() != files.size()) {
      throw UsageError("--names: " + std::to_string(names.size()) + " names for " +
                       std::to_string(files.size()) + " metrics files; give one name per file");
    }
    return names;
  }
  std::vector<std::string> names;
  for (const std::string& file : files)
    names.push_back(std::filesystem::path(file).stem().string());
  if (std::set<std::string>(names.begin(), names.end()).size() == names.size()) return names;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::filesystem::path path(files[i]);
    names[i] = (path.parent_path().filename() / path.stem()).string();
  }
  if (std::set<std::string>(names.begin(), names.end()).size() == names.size()) return names;
  return files;
}

}  // namespace

int plot_command(const std::vector<std::string>& args) {
  po::options_description own(
      "fnn plot METRICS... -o FILE [options]\n\n"
      "Draws learning curves from metrics files (fnn train --metrics, CSV or JSON lines): "
      "training loss,\nvalidation loss and validation accuracy against epoch, one panel each, "
      "the runs overlaid\nand each run's best epoch marked. Needs gnuplot (Debian: gnuplot-nox)");
  // clang-format off
  own.add_options()
      ("metrics", po::value<std::vector<std::string>>()->value_name("FILE"),
       "metrics files (positional, one or more)")
      ("output,o", po::value<std::string>()->value_name("FILE"),
       "the image to write: .png, .svg or .pdf")
      ("terminal", po::bool_switch(), "draw the curves as text on standard output")
      ("names", po::value<std::string>()->value_name("A,B,..."),
       "legend names, one per file (default: the file names)");
  // clang-format on
  po::positional_options_description positional;
  positional.add("metrics", -1);
  const auto parsed = parse_command("plot", own, args, positional);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  if (!values.count("metrics")) throw_missing("plot", "metrics (one or more files)");
  const auto files = values["metrics"].as<std::vector<std::string>>();
  const bool terminal = values["terminal"].as<bool>();
  if (!values.count("output") && !terminal) {
    throw UsageError("fnn plot: give -o FILE (.png, .svg or .pdf), --terminal, or both");
  }
  std::optional<PlotFormat> format;
  std::vector<NamedFile> inputs, outputs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    inputs.push_back({"metrics file " + std::to_string(i + 1), files[i]});
  }
  if (values.count("output")) {
    format = plot_format("-o", values["output"].as<std::string>());
    outputs.push_back({"-o", values["output"].as<std::string>()});
  }
  check_output_files(inputs, outputs);
  const std::vector<std::string> names = run_names(values, files);

  std::vector<NamedRun> runs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    runs.push_back({names[i], read_metrics_table(files[i])});
    if (!runs.back().metrics.left_out.empty())
      std::cerr << "fnn: warning: " << runs.back().metrics.left_out << "\n";
  }
  const std::vector<PlotPanel> panels = learning_curve_panels(runs);
  if (panels.empty()) {
    throw DataError(
        "nothing to plot: the metrics files have no train_loss, validation_loss or "
        "validation_accuracy values");
  }
  find_gnuplot();  // the clear error when it is missing, before any temporary file
  if (format) {
    draw_figure(panels, *format, values["output"].as<std::string>());
    std::cout << "wrote " << values["output"].as<std::string>() << "\n";
  }
  if (terminal) std::cout << draw_figure_as_text(panels) << std::flush;
  return 0;
}

}  // namespace fnn::cli
