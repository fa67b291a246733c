#include "gnuplot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fnn/atomic_file.hpp>
#include <fnn/error.hpp>
#include <fstream>
#include <sstream>

#include "usage_error.hpp"

extern char** environ;

namespace fnn::cli {

namespace {

constexpr int text_columns = 100;

// A directory of its own under $TMPDIR (or /tmp), removed with everything in it.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string name = (std::filesystem::temp_directory_path() / "fnn-plot-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) {
      throw Error("cannot create a temporary directory for gnuplot in '" +
                  std::filesystem::temp_directory_path().string() + "': " + std::strerror(errno));
    }
    path_ = name;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A gnuplot string: single quotes, which take no escapes but '' for a quote.
std::string quoted(const std::string& text) {
  std::string result(1, '\'');
  for (const char c : text) {
    if (c == '\'')
      result += "''";
    else if (c == '\n' || c == '\r')
      result += ' ';
    else
      result += c;
  }
  result += '\'';
  return result;
}

std::string number(double value) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  return {text, end};
}

std::string read_whole(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_whole(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error("cannot write gnuplot's input '" + file.string() + "'");
}

std::string terminal(PlotFormat format, std::size_t panels) {
  switch (format) {
    case PlotFormat::png:
      return "pngcairo size 900," + std::to_string(280 * panels) + " noenhanced font 'sans,10'";
    case PlotFormat::svg:
      return "svg size 900," + std::to_string(280 * panels) + " noenhanced font 'sans,10'";
    case PlotFormat::pdf:
      return "pdfcairo size 7in," + number(2.4 * static_cast<double>(panels)) +
             "in noenhanced font 'sans,9'";
    case PlotFormat::text:
      return "dumb size " + std::to_string(text_columns) + "," + std::to_string(22 * panels) +
             " noenhanced";
  }
  return "";
}

std::string style(const PlotSeries& series) {
  const std::string color = " lc " + std::to_string(series.color);
  if (!series.error.empty()) return " using 1:2:3 with yerrorbars pt 7 ps 0.8" + color;
  switch (series.mark) {
    case PlotSeries::Mark::line:
      return " using 1:2 with " + std::string(series.x.size() > 1 ? "lines lw 2" : "points pt 7") +
             color;
    case PlotSeries::Mark::points:
      return " using 1:2 with points pt 7 ps 0.8" + color;
    case PlotSeries::Mark::marker:
      return " using 1:2 with points pt 7 ps 1.8" + color;
  }
  return "";
}

// Writes each series' points to a file of its own and returns the script that draws them.
std::string write_script(const std::vector<PlotPanel>& panels, PlotFormat format,
                         const std::filesystem::path& directory,
                         const std::filesystem::path& image) {
  std::string script = "set terminal " + terminal(format, panels.size()) + "\n";
  script += "set output " + quoted(image.string()) + "\n";
  script += "set multiplot layout " + std::to_string(panels.size()) + ",1\n";
  script += "set key outside right top\n";
  if (format != PlotFormat::text) script += "set grid\n";  // in text, dots over the curves
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const PlotPanel& panel = panels[p];
    script += "unset logscale\nset autoscale xy\nset xtics autofreq norotate\n";
    script += "set title " + quoted(panel.title) + "\nset xlabel " + quoted(panel.x_label) +
              "\nset ylabel " + quoted(panel.y_label) + "\n";
    if (panel.log_x) script += "set logscale x\n";
    if (panel.log_y) script += "set logscale y\n";
    if (!panel.categories.empty()) {
      std::string tics;
      bool long_labels = false;
      for (std::size_t c = 0; c < panel.categories.size(); ++c) {
        tics.append(c ? ", " : "").append(quoted(panel.categories[c])).append(1, ' ');
        tics.append(std::to_string(c + 1));
        long_labels = long_labels || panel.categories[c].size() > 12;
      }
      script += "set xtics (" + tics + ")" + (long_labels ? " rotate by -15" : "") + "\n";
      script +=
          "set xrange [0.5:" + number(static_cast<double>(panel.categories.size()) + 0.5) + "]\n";
    }
    std::string plot;
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
      const PlotSeries& series = panel.series[s];
      if (series.x.empty()) continue;
      std::string data;
      for (std::size_t i = 0; i < series.x.size(); ++i) {
        data.append(number(series.x[i])).append(1, ' ').append(number(series.y[i]));
        if (!series.error.empty()) data.append(1, ' ').append(number(series.error[i]));
        data += '\n';
      }
      const auto file =
          directory / ("panel" + std::to_string(p) + "-" + std::to_string(s) + ".dat");
      write_whole(file, data);
      plot += std::string(plot.empty() ? "plot " : ", ") + quoted(file.string()) + style(series) +
              (series.title.empty() ? " notitle" : " title " + quoted(series.title));
    }
    if (plot.empty()) throw Error("plot panel '" + panel.title + "' has no points to draw");
    script += plot + "\n";
  }
  script += "unset multiplot\nset output\n";
  return script;
}

// Runs `program script` without a shell, its output to files in `directory`.
void run_gnuplot(const std::filesystem::path& program, const std::filesystem::path& script,
                 const std::filesystem::path& directory) {
  const std::string messages = (directory / "gnuplot.messages").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, messages.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string program_text = program.string(), script_text = script.string();
  char* argv[] = {program_text.data(), script_text.data(), nullptr};
  pid_t child = 0;
  const int spawned = ::posix_spawn(&child, program_text.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw Error("cannot run gnuplot '" + program_text + "': " + std::strerror(spawned));
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR)
      throw Error("waiting for gnuplot failed: " + std::string(std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string said = read_whole(messages);
    if (said.size() > 2000) said.resize(2000);
    throw Error("gnuplot '" + program_text + "' failed (" +
                (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                   : "killed by signal " + std::to_string(WTERMSIG(status))) +
                "): " + said);
  }
}

// Draws into the scratch directory; returns what gnuplot wrote.
std::string drawn(const std::vector<PlotPanel>& panels, PlotFormat format) {
  if (panels.empty()) throw Error("nothing to plot: no panels");
  const std::filesystem::path program = find_gnuplot();
  const ScratchDirectory directory;
  const auto image = directory.path() / "figure";
  const auto script = directory.path() / "figure.gp";
  write_whole(script, write_script(panels, format, directory.path(), image));
  run_gnuplot(program, script, directory.path());
  std::string bytes = read_whole(image);
  if (bytes.empty()) throw Error("gnuplot '" + program.string() + "' wrote an empty drawing");
  return bytes;
}

}  // namespace

PlotFormat plot_format(const std::string& option, const std::filesystem::path& output) {
  const std::string extension = output.extension().string();
  if (extension == ".png") return PlotFormat::png;
  if (extension == ".svg") return PlotFormat::svg;
  if (extension == ".pdf") return PlotFormat::pdf;
  std::string text = option;
  text.append(" '")
      .append(output.string())
      .append("': expected a name ending in .png, .svg or .pdf");
  throw UsageError(text);
}

std::filesystem::path find_gnuplot() {
  const char* chosen = std::getenv("FNN_GNUPLOT");
  if (chosen != nullptr && *chosen != '\0') {
    if (::access(chosen, X_OK) != 0) {
      throw Error(std::string("FNN_GNUPLOT='") + chosen + "' is not a program fnn can run (" +
                  std::strerror(errno) + "); unset it to use gnuplot from PATH");
    }
    return chosen;
  }
  const char* path = std::getenv("PATH");
  std::string_view directories = path != nullptr ? path : "";
  while (true) {
    const std::size_t colon = directories.find(':');
    const std::string_view directory = directories.substr(0, colon);
    const std::filesystem::path candidate =
        std::filesystem::path(directory.empty() ? "." : std::string(directory)) / "gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
    if (colon == std::string_view::npos) break;
    directories.remove_prefix(colon + 1);
  }
  throw Error(
      "gnuplot is not installed (not found on PATH); fnn draws plots with it: install "
      "it, e.g. 'apt-get install gnuplot-nox' on Debian and Ubuntu, or set FNN_GNUPLOT "
      "to the program");
}

void draw_figure(const std::vector<PlotPanel>& panels, PlotFormat format,
                 const std::filesystem::path& output) {
  write_file_atomically(output, drawn(panels, format));
}

std::string draw_figure_as_text(const std::vector<PlotPanel>& panels) {
  return drawn(panels, PlotFormat::text);
}

}  // namespace fnn::cli
