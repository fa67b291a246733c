// fnn plot: learning curves drawn by gnuplot. The SVG is parsed: one curve per run per panel,
// the legend names, the best-epoch marker on its curve at the right epoch. Errors leave nothing.
#include <regex>

#include "gnuplot.hpp"
#include "support/process.hpp"
#include "support/test_support.hpp"
#include "support/xml.hpp"

using Catch::Matchers::Contains;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace fnn::test {

bool have_gnuplot() {
  try {
    fnn::cli::find_gnuplot();
    return true;
  } catch (const fnn::Error& error) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      FAIL("gnuplot is required under CI=true (.ci/install-deps: gnuplot-nox): " << error.what());
    }
    WARN("skipped: gnuplot is not installed (apt-get install gnuplot-nox)");
    return false;
  }
}

}  // namespace fnn::test

namespace {

// Two runs: alpha (CSV) is best at epoch 4 by validation loss; beta (JSON lines) records
// best_epoch 2 although its validation loss is lowest at 5, and has a column plot ignores.
struct TwoRuns {
  fnn::test::TemporaryDirectory folder;
  std::string alpha = path("alpha.csv"), beta = path("beta.jsonl");
  TwoRuns() {
    write_file(alpha,
               "epoch,train_loss,validation_loss,validation_accuracy,seconds\n"
               "1,0.9,0.8,0.5,0.1\n2,0.5,0.6,0.6,0.1\n3,0.3,0.5,0.7,0.1\n"
               "4,0.2,0.4,0.8,0.1\n5,0.1,0.45,0.75,0.1\n6,0.05,0.5,0.7,0.1\n");
    std::string lines;
    const double validation[] = {0.7, 0.5, 0.6, 0.55, 0.45};
    for (int e = 1; e <= 5; ++e) {
      lines += "{\"epoch\":" + std::to_string(e) + ",\"train_loss\":" + std::to_string(1.0 / e) +
               ",\"validation_loss\":" + std::to_string(validation[e - 1]) +
               ",\"validation_accuracy\":null,\"seconds\":0.1,\"best_epoch\":" +
               std::to_string(e < 2 ? e : 2) + ",\"note\":\"text\"}\n";
    }
    write_file(beta, lines);
  }
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
};

struct Point {
  double x, y;
};

// The vertices of a path's last subpath (gnuplot draws the key's sample first, then the data).
std::vector<Point> data_vertices(const std::string& d) {
  std::vector<Point> points;
  const std::regex vertex(R"(([ML])([-0-9.]+),([-0-9.]+))");
  for (std::sregex_iterator it(d.begin(), d.end(), vertex), end; it != end; ++it) {
    if ((*it)[1] == "M") points.clear();
    points.push_back({std::stod((*it)[2]), std::stod((*it)[3])});
  }
  return points;
}

Point translation(const std::string& transform) {
  std::smatch match;
  REQUIRE(std::regex_search(transform, match, std::regex(R"(translate\(([-0-9.]+),([-0-9.]+)\))")));
  return {std::stod(match[1]), std::stod(match[2])};
}

// One plotted element of gnuplot's SVG: its legend text, its line, its point marks.
struct Drawn {
  std::string legend;
  std::vector<Point> line;
  std::vector<Point> marks;
};

// The elements of each panel ('a', 'b', ...), in plot order.
std::map<char, std::vector<Drawn>> panels_of(const fnn::test::XmlElement& svg) {
  std::map<char, std::vector<Drawn>> panels;
  const std::regex id(R"(gnuplot_plot_\d+([a-z]))");
  for (const auto* group : svg.find_all("g")) {
    std::smatch match;
    const std::string name = group->attribute("id");
    if (!std::regex_match(name, match, id)) continue;
    Drawn drawn;
    for (const auto* text : group->find_all("text")) drawn.legend += text->text;
    for (const auto* path : group->find_all("path")) {
      if (path->attribute("stroke") != "black") drawn.line = data_vertices(path->attribute("d"));
    }
    for (const auto* use : group->find_all("use"))
      drawn.marks.push_back(translation(use->attribute("transform")));
    panels[match[1].str()[0]].push_back(drawn);
  }
  return panels;
}

}  // namespace

TEST_CASE("fnn plot draws each metric in a panel, a curve per run, the best epoch marked on it",
          "[cli][plot]") {
  if (!fnn::test::have_gnuplot()) return;
  const TwoRuns runs;
  const std::string output = runs.path("curves.svg");
  const auto result = run_fnn({"plot", runs.alpha, runs.beta, "-o", output});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("wrote " + output));
  const auto svg = fnn::test::parse_xml(read_file(output));
  REQUIRE(svg->name == "svg");
  const auto panels = panels_of(*svg);
  // Training loss, validation loss, validation accuracy (beta has none: only alpha's).
  REQUIRE(panels.size() == 3);
  const std::map<char, std::vector<std::string>> legends{
      {'a', {"alpha (best epoch 4)", "beta (best epoch 2)"}},
      {'b', {"alpha (best epoch 4)", "beta (best epoch 2)"}},
      {'c', {"alpha (best epoch 4)"}}};
  for (const auto& [panel, names] : legends) {
    INFO("panel " << panel);
    const std::vector<Drawn>& drawn = panels.at(panel);
    // A curve and then its marker, per run.
    REQUIRE(drawn.size() == 2 * names.size());
    for (std::size_t run = 0; run < names.size(); ++run) {
      const Drawn& curve = drawn[2 * run];
      const Drawn& marker = drawn[2 * run + 1];
      CHECK(curve.legend == names[run]);
      REQUIRE(curve.line.size() == (run == 0 ? 6u : 5u));
      REQUIRE(marker.marks.size() == 1);
      CHECK(marker.legend.empty());
      const Point at_best = curve.line[run == 0 ? 3 : 1];  // epoch 4, epoch 2
      CHECK(marker.marks[0].x == Approx(at_best.x).margin(0.02));
      CHECK(marker.marks[0].y == Approx(at_best.y).margin(0.02));
    }
  }
  const std::string text = read_file(output);
  CHECK_THAT(text, Contains("<text>training loss</text>") && Contains("validation accuracy") &&
                       !Contains("note"));
}

TEST_CASE("fnn plot writes real PNG and PDF files, and text for the terminal", "[cli][plot]") {
  if (!fnn::test::have_gnuplot()) return;
  const TwoRuns runs;
  const auto png =
      run_fnn({"plot", runs.alpha, runs.beta, "-o", runs.path("c.png"), "--names", "first,second"});
  INFO(png.err);
  REQUIRE(png.exit_code == 0);
  const std::string png_bytes = read_file(runs.path("c.png"));
  CHECK(png_bytes.size() > 1000);
  CHECK(png_bytes.starts_with("\x89PNG\r\n\x1a\n"));
  CHECK(png_bytes.find("IEND") != std::string::npos);

  const auto pdf = run_fnn({"plot", runs.alpha, "-o", runs.path("c.pdf")});
  REQUIRE(pdf.exit_code == 0);
  const std::string pdf_bytes = read_file(runs.path("c.pdf"));
  CHECK(pdf_bytes.starts_with("%PDF-"));
  CHECK(pdf_bytes.find("%%EOF") != std::string::npos);

  const auto text =
      run_fnn({"plot", runs.alpha, runs.beta, "--terminal", "--names", "first,second"});
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Contains("first (best epoch 4)") && Contains("second (best epoch 2)") &&
                           Contains("training loss") && Contains("validation accuracy"));
  // Clashing file names get their directory in the legend.
  std::filesystem::create_directories(runs.folder.path() / "a");
  std::filesystem::create_directories(runs.folder.path() / "b");
  std::filesystem::copy_file(runs.alpha, runs.path("a/metrics.csv"));
  std::filesystem::copy_file(runs.alpha, runs.path("b/metrics.csv"));
  const auto same_stems =
      run_fnn({"plot", runs.path("a/metrics.csv"), runs.path("b/metrics.csv"), "--terminal"});
  CHECK_THAT(same_stems.out, Contains("a/metrics (best") && Contains("b/metrics (best"));
}

TEST_CASE("fnn plot without gnuplot says what to install and writes nothing", "[cli][plot]") {
  const TwoRuns runs;
  const std::string output = runs.path("curves.png");
  {
    const fnn::test::ScopedEnvironment path("PATH", runs.folder.path().string());
    const auto missing = run_fnn({"plot", runs.alpha, "-o", output});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Contains("gnuplot is not installed") && Contains("gnuplot-nox"));
  }
  {
    const fnn::test::ScopedEnvironment chosen("FNN_GNUPLOT", runs.path("no-such-gnuplot"));
    const auto missing = run_fnn({"plot", runs.alpha, "--terminal"});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Contains("FNN_GNUPLOT=") && Contains("no-such-gnuplot"));
  }
  {
    // A gnuplot that fails: its failure is reported and no image appears.
    const fnn::test::ScopedEnvironment failing("FNN_GNUPLOT", "/bin/false");
    const auto failed = run_fnn({"plot", runs.alpha, "-o", output});
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Contains("gnuplot '/bin/false' failed (exit status 1)"));
  }
  CHECK_FALSE(std::filesystem::exists(output));
  CHECK(std::distance(std::filesystem::directory_iterator(runs.folder.path()),
                      std::filesystem::directory_iterator()) == 2);  // the two inputs only
}

TEST_CASE(
    "fnn plot refuses malformed metrics naming file and line, and bad usage, writing "
    "nothing",
    "[cli][plot]") {
  const TwoRuns runs;
  const std::string output = runs.path("curves.svg");
  write_file(output, "old");
  struct Case {
    std::string file, contents, expected;
  };
  const std::vector<Case> cases{
      {"word.csv", "epoch,train_loss\n1,0.5\n2,abc\n",
       "line 3: column train_loss: 'abc' is not a number"},
      {"ragged.csv", "epoch,train_loss\n1,0.5,7\n", "line 2: 3 fields, the header has 2"},
      {"no-epoch.csv", "loss\n0.5\n", "line 1: the header 'loss' has no 'epoch' column"},
      {"order.csv", "epoch,train_loss\n2,0.5\n1,0.4\n", "line 3: epoch 1 after epoch 2"},
      {"empty.csv", "epoch,train_loss\n", "no epochs in it"},
      {"bad.jsonl", "{\"epoch\":1,\"train_loss\":0.5}\n{\"epoch\":2,\n",
       "line 2: '{\"epoch\":2,' is not JSON"},
      {"string.jsonl", "{\"epoch\":1,\"train_loss\":\"low\"}\n",
       "line 1: \"train_loss\": '\"low\"' is not a number"},
  };
  for (const Case& bad : cases) {
    INFO(bad.file);
    write_file(runs.path(bad.file), bad.contents);
    const auto result = run_fnn({"plot", runs.alpha, runs.path(bad.file), "-o", output});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err,
               Contains("metrics file '" + runs.path(bad.file) + "'") && Contains(bad.expected));
  }
  const auto missing = run_fnn({"plot", runs.path("none.csv"), "-o", output});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains("none.csv': cannot open it"));

  // An output that is one of the inputs (a metrics file named .svg).
  write_file(runs.path("m.svg"), read_file(runs.alpha));
  const auto same = run_fnn({"plot", runs.path("m.svg"), "-o", runs.path("m.svg")});
  CHECK(same.exit_code == 2);
  CHECK_THAT(same.err, Contains("is the same file as metrics file 1"));
  CHECK(read_file(runs.path("m.svg")) == read_file(runs.alpha));

  const auto gif = run_fnn({"plot", runs.alpha, "-o", runs.path("c.gif")});
  CHECK(gif.exit_code == 2);
  CHECK_THAT(gif.err, Contains("expected a name ending in .png, .svg or .pdf"));
  const auto names = run_fnn({"plot", runs.alpha, runs.beta, "--terminal", "--names", "one"});
  CHECK(names.exit_code == 2);
  CHECK_THAT(names.err, Contains("--names: 1 names for 2 metrics files"));
  const auto nowhere = run_fnn({"plot", runs.alpha});
  CHECK(nowhere.exit_code == 2);
  CHECK_THAT(nowhere.err, Contains("give -o FILE"));
  CHECK(read_file(output) == "old");
}

TEST_CASE(
    "fnn plot draws a metrics file that a run is still writing, without its last half "
    "line",
    "[cli][plot]") {
  if (!fnn::test::have_gnuplot()) return;
  const TwoRuns runs;
  write_file(runs.path("live.csv"), read_file(runs.alpha) + "7,0.0");
  const auto result = run_fnn({"plot", runs.path("live.csv"), "-o", runs.path("live.svg")});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.err, Contains("line 8: 2 fields, the header has 5; left out"));
  const auto panels = panels_of(*fnn::test::parse_xml(read_file(runs.path("live.svg"))));
  CHECK(panels.at('a').at(0).line.size() == 6);
}
