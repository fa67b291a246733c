// Columns by name: a model remembers its CSV column names, and `eval` and `predict` find them in
// a headed file in any order; headerless files, and models without names, go by position.
#include <filesystem>
#include <fnn/model_file.hpp>
#include <sstream>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::ProcessResult;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace {

// The rows of the training file, without its header line "a,b,y".
const std::string rows = "0,0,0\n0,1,-2\n1,0,1\n1,1,-1\n2,1,0\n1,2,-3\n3,0,3\n";

// Each row of `rows` with its columns taken in the order `order` (0-based: a b y; -1 for an
// extra column of 7s).
std::string reorder(const std::vector<int>& order) {
  std::string text;
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, ',');) fields.push_back(field);
    for (std::size_t c = 0; c < order.size(); ++c) {
      if (c != 0) text += ',';
      text += order[c] < 0 ? std::string("7") : fields[order[c]];
    }
    text += '\n';
  }
  return text;
}

// A model trained on "a,b,y" (y depends on a and b differently, so swapped columns give other
// predictions), saved as model.fnn.
struct Workspace {
  fnn::test::TemporaryDirectory folder;
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  Workspace() {
    write_file(path("train.csv"), "a,b,y\n" + rows);
    const ProcessResult trained =
        run_fnn({"train", "--train", path("train.csv"), "--hidden", "3", "--output-activation",
                 "none", "--epochs", "20", "--batch-size", "7", "--progress", "plain", "--save",
                 path("model.fnn")});
    INFO(trained.err);
    REQUIRE(trained.exit_code == 0);
  }

  // The predictions file's text (empty when predict failed; its error is checked by the caller).
  ProcessResult predict(const std::string& input, const std::string& model = "model.fnn") const {
    std::filesystem::remove(path("p.csv"));
    ProcessResult result = run_fnn(
        {"predict", "--model", path(model), "--input", path(input), "--output", path("p.csv")});
    result.out = read_file(path("p.csv"));
    return result;
  }

  ProcessResult eval(const std::string& test, const std::string& model = "model.fnn") const {
    return run_fnn({"eval", "--model", path(model), "--test", path(test)});
  }
};

void check_same(const ProcessResult& result, const ProcessResult& expected) {
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == expected.out);
}

}  // namespace

TEST_CASE("eval and predict find a headed file's columns by name, in any order", "[cli][columns]") {
  const Workspace w;
  const ProcessResult predicted = w.predict("train.csv");
  const ProcessResult evaluated = w.eval("train.csv");
  REQUIRE(predicted.exit_code == 0);
  REQUIRE(evaluated.exit_code == 0);
  REQUIRE_THAT(evaluated.out, Contains("test: loss"));

  // Read by position, the swapped columns would give other results: the checks below can fail.
  write_file(w.path("swapped.csv"), reorder({1, 0, 2}));
  CHECK(w.predict("swapped.csv").out != predicted.out);
  CHECK(w.eval("swapped.csv").out != evaluated.out);

  write_file(w.path("reordered.csv"), "y,b,a\n" + reorder({2, 1, 0}));
  check_same(w.predict("reordered.csv"), predicted);
  check_same(w.eval("reordered.csv"), evaluated);

  // Columns the model does not know are ignored.
  write_file(w.path("extra.csv"), "id,b,note,a,y\n" + reorder({-1, 1, -1, 0, 2}));
  check_same(w.predict("extra.csv"), predicted);
  check_same(w.eval("extra.csv"), evaluated);

  // predict needs no target column.
  write_file(w.path("inputs.csv"), "b,a\n" + reorder({1, 0}));
  check_same(w.predict("inputs.csv"), predicted);
}

TEST_CASE("a column the model takes that a headed file lacks is refused by name",
          "[cli][columns]") {
  const Workspace w;
  // Two columns, as many as the model's inputs: by position they would pass as a and b.
  write_file(w.path("missing.csv"), "a,y\n" + reorder({0, 2}));
  const std::string message = w.path("missing.csv") + " has no column 'b', which the model (" +
                              w.path("model.fnn") + ") takes as input 2";
  for (const ProcessResult& result : {w.predict("missing.csv"), w.eval("missing.csv")}) {
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains(message));
    CHECK(result.out.empty());  // no predictions written
  }

  write_file(w.path("no-target.csv"), "b,a\n" + reorder({1, 0}));
  const ProcessResult evaluated = w.eval("no-target.csv");
  CHECK(evaluated.exit_code == 1);
  CHECK_THAT(evaluated.err,
             Contains(w.path("no-target.csv") + " has no column 'y', which the model (" +
                      w.path("model.fnn") + ") takes as target 1"));

  write_file(w.path("twice.csv"), "a,b,a,y\n" + reorder({0, 1, 0, 2}));
  const ProcessResult twice = w.predict("twice.csv");
  CHECK(twice.exit_code == 1);
  CHECK_THAT(twice.err, Contains(w.path("twice.csv")) && Contains("'a'") && Contains("twice"));
}

TEST_CASE("a file without a header is read by position, its width checked", "[cli][columns]") {
  const Workspace w;
  const ProcessResult predicted = w.predict("train.csv");
  const ProcessResult evaluated = w.eval("train.csv");
  write_file(w.path("plain.csv"), rows);
  check_same(w.predict("plain.csv"), predicted);
  check_same(w.eval("plain.csv"), evaluated);
  write_file(w.path("plain-inputs.csv"), reorder({0, 1}));
  check_same(w.predict("plain-inputs.csv"), predicted);

  write_file(w.path("wide.csv"), reorder({0, 1, 2, 2}));
  for (const ProcessResult& result : {w.predict("wide.csv"), w.eval("wide.csv")}) {
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err,
               Contains(w.path("wide.csv")) && Contains("4 columns") && Contains("2 input"));
  }
  write_file(w.path("narrow.csv"), reorder({0, 1}));
  const ProcessResult narrow = w.eval("narrow.csv");
  CHECK(narrow.exit_code == 1);
  CHECK_THAT(narrow.err,
             Contains(w.path("narrow.csv")) && Contains("2 columns") && Contains("1 target"));
}

TEST_CASE("a model saved without column names reads files by position, as before",
          "[cli][columns]") {
  const Workspace w;
  // A model as fnn wrote it before it kept names: the same file without the two entries.
  fnn::ModelFile model = fnn::read_model_file(w.path("model.fnn"));
  REQUIRE(model.metadata.erase("input_columns") == 1);
  REQUIRE(model.metadata.erase("target_columns") == 1);
  fnn::write_model_file(w.path("old.fnn"), model);

  check_same(w.predict("train.csv", "old.fnn"), w.predict("train.csv"));
  check_same(w.eval("train.csv", "old.fnn"), w.eval("train.csv"));
  // A header is not read for names: "b,a,y" goes by position, as the same rows without it.
  write_file(w.path("swapped.csv"), reorder({1, 0, 2}));
  write_file(w.path("swapped-headed.csv"), "b,a,y\n" + reorder({1, 0, 2}));
  check_same(w.predict("swapped-headed.csv", "old.fnn"), w.predict("swapped.csv", "old.fnn"));
  check_same(w.eval("swapped-headed.csv", "old.fnn"), w.eval("swapped.csv", "old.fnn"));
  // ... and its width is checked.
  write_file(w.path("extra.csv"), "id,a,b,y\n" + reorder({-1, 0, 1, 2}));
  const ProcessResult extra = w.predict("extra.csv", "old.fnn");
  CHECK(extra.exit_code == 1);
  CHECK_THAT(extra.err, Contains(w.path("extra.csv")));
}

TEST_CASE("a model file's column names that do not fit its network are refused", "[cli][columns]") {
  const Workspace w;
  fnn::ModelFile model = fnn::read_model_file(w.path("model.fnn"));
  REQUIRE(model.metadata.at("input_columns") == "a,b");
  REQUIRE(model.metadata.at("target_columns") == "y");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"one.fnn", "a"},          // 1 name for 2 inputs
      {"three.fnn", "a,b,c"},    // 3
      {"escape.fnn", "a,b%G1"},  // not two hex digits
      {"short.fnn", "a,b%4"}};   // cut short
  for (const auto& [name, inputs] : cases) {
    INFO(name);
    model.metadata["input_columns"] = inputs;
    fnn::write_model_file(w.path(name), model);
    const ProcessResult result = w.eval("train.csv", name);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains(w.path(name)) && Contains("'input_columns'"));
  }
  model.metadata["input_columns"] = "a,b";
  model.metadata.erase("target_columns");
  fnn::write_model_file(w.path("no-targets.fnn"), model);
  CHECK(w.eval("train.csv", "no-targets.fnn").exit_code == 1);
}

TEST_CASE("column names with commas, quotes, % and bytes that are not UTF-8 survive the model file",
          "[cli][columns]") {
  const Workspace w;
  const std::string x = "\"x, first\"";
  const std::string hi = "\"say \"\"hi\"\"\"";  // say "hi"
  const std::string y = "100% \\y\xE9";         // ends in a Latin-1 e-acute
  write_file(w.path("awkward.csv"), x + "," + hi + "," + y + "\n" + rows);
  const ProcessResult trained =
      run_fnn({"train", "--train", w.path("awkward.csv"), "--hidden", "3", "--epochs", "5",
               "--progress", "plain", "--save", w.path("awkward.fnn")});
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
  write_file(w.path("awkward-reordered.csv"), y + "," + hi + "," + x + "\n" + reorder({2, 1, 0}));
  check_same(w.predict("awkward-reordered.csv", "awkward.fnn"),
             w.predict("awkward.csv", "awkward.fnn"));
  check_same(w.eval("awkward-reordered.csv", "awkward.fnn"), w.eval("awkward.csv", "awkward.fnn"));
  write_file(w.path("awkward-missing.csv"), x + "," + y + "\n" + reorder({0, 2}));
  CHECK_THAT(w.predict("awkward-missing.csv", "awkward.fnn").err,
             Contains("no column 'say \"hi\"', which the model"));
}
