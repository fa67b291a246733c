// Training, saving, evaluating, predicting and resuming through the fnn tool.
#include <fnn/csv.hpp>
#include <fnn/model_file.hpp>
#include <fstream>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace {

struct Workspace {
  fnn::test::TemporaryDirectory folder;
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  Workspace() { write_file(path("xor.csv"), "a,b,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"); }
};

std::vector<std::string> xor_training(const Workspace& w, const std::string& epochs) {
  return {"train", "--train", w.path("xor.csv"), "--hidden", "4", "--learning-rate", "2",
          "--batch-size", "4", "--epochs", epochs, "--progress", "plain"};
}

std::vector<std::string> with(std::vector<std::string> args,
                              const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("XOR from CSV: train, save, eval, predict", "[cli][model]") {
  const Workspace w;
  const auto trained = run_fnn(with(xor_training(w, "3000"), {"--save", w.path("xor.fnn")}));
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.out, Contains("epoch 3000/3000") && Contains("saved"));

  const auto evaluated = run_fnn({"eval", "--model", w.path("xor.fnn"), "--test", w.path("xor.csv")});
  REQUIRE(evaluated.exit_code == 0);
  CHECK_THAT(evaluated.out, Contains("test: loss 0.00"));

  const auto predicted = run_fnn({"predict", "--model", w.path("xor.fnn"), "--input",
                                  w.path("xor.csv"), "--output", w.path("p.csv")});
  REQUIRE(predicted.exit_code == 0);
  const fnn::CsvTable predictions = fnn::read_csv(w.path("p.csv"));
  CHECK(predictions.header == std::vector<std::string>{"output_0"});
  REQUIRE(predictions.values.rows() == 4);
  CHECK(predictions.values(0, 0) < 0.5F);
  CHECK(predictions.values(1, 0) > 0.5F);
  CHECK(predictions.values(2, 0) > 0.5F);
  CHECK(predictions.values(3, 0) < 0.5F);
}

TEST_CASE("class labels: one-hot targets, accuracy, predicted classes", "[cli][model]") {
  const Workspace w;
  const auto trained = run_fnn(with(xor_training(w, "3000"),
                                    {"--classes", "--target", "xor", "--save", w.path("c.fnn")}));
  REQUIRE(trained.exit_code == 0);
  const auto evaluated = run_fnn({"eval", "--model", w.path("c.fnn"), "--test", w.path("xor.csv")});
  CHECK_THAT(evaluated.out, Contains("accuracy 1.0000 (4/4)"));
  // Inputs without the target column are read too.
  write_file(w.path("inputs.csv"), "a,b\n1,0\n1,1\n");
  REQUIRE(run_fnn({"predict", "--model", w.path("c.fnn"), "--input", w.path("inputs.csv"),
                   "--output", w.path("p.csv")})
              .exit_code == 0);
  const fnn::CsvTable predictions = fnn::read_csv(w.path("p.csv"));
  CHECK(predictions.header == std::vector<std::string>{"class", "score_0", "score_1"});
  CHECK(predictions.values(0, 0) == 1.0F);
  CHECK(predictions.values(1, 0) == 0.0F);
}

TEST_CASE("training resumed with --resume continues from the saved epoch, bit-identical to an unbroken run",
          "[cli][model][resume]") {
  const Workspace w;
  REQUIRE(run_fnn(with(xor_training(w, "300"), {"--save", w.path("whole.fnn")})).exit_code == 0);
  REQUIRE(run_fnn(with(xor_training(w, "120"), {"--save", w.path("half.fnn")})).exit_code == 0);
  const auto resumed = run_fnn({"train", "--resume", w.path("half.fnn"), "--train",
                                w.path("xor.csv"), "--epochs", "300", "--progress", "plain",
                                "--save", w.path("resumed.fnn")});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.out, Contains("after epoch 120") && Contains("epoch 121/300") &&
                              Contains("epoch 300/300") && !Contains("epoch 120/300"));
  for (const char* model : {"whole.fnn", "resumed.fnn"}) {
    REQUIRE(run_fnn({"predict", "--model", w.path(model), "--input", w.path("xor.csv"),
                     "--output", w.path(std::string(model) + ".csv")})
                .exit_code == 0);
  }
  CHECK(read_file(w.path("whole.fnn.csv")) == read_file(w.path("resumed.fnn.csv")));

  const auto done = run_fnn({"train", "--resume", w.path("whole.fnn"), "--train",
                             w.path("xor.csv"), "--epochs", "300"});
  CHECK(done.exit_code == 2);
  CHECK_THAT(done.err, Contains("already been trained for 300 epochs"));
  const auto conflicting = run_fnn({"train", "--resume", w.path("whole.fnn"), "--train",
                                    w.path("xor.csv"), "--hidden", "8"});
  CHECK(conflicting.exit_code == 2);
  CHECK_THAT(conflicting.err, Contains("--hidden cannot be combined with --resume"));
}

TEST_CASE("bad model files are refused and nothing existing is overwritten", "[cli][model]") {
  const Workspace w;
  REQUIRE(run_fnn(with(xor_training(w, "10"), {"--save", w.path("m.fnn")})).exit_code == 0);
  const std::string good = read_file(w.path("m.fnn"));
  write_file(w.path("p.csv"), "previous predictions\n");

  const auto predict_with = [&](const std::string& bytes) {
    write_file(w.path("bad.fnn"), bytes);
    return run_fnn({"predict", "--model", w.path("bad.fnn"), "--input", w.path("xor.csv"),
                    "--output", w.path("p.csv")});
  };
  SECTION("truncated") {
    const auto result = predict_with(good.substr(0, good.size() / 2));
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("bad.fnn") && Contains("truncated"));
  }
  SECTION("corrupted") {
    std::string corrupted = good;
    corrupted[corrupted.size() - 3] ^= 0x40;
    const auto result = predict_with(corrupted);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("bad.fnn") && Contains("checksum"));
  }
  SECTION("not a model at all") {
    const auto result = predict_with("a,b\n1,2\n");
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("bad.fnn"));
  }
  SECTION("missing") {
    const auto result = run_fnn({"eval", "--model", w.path("absent.fnn"), "--test",
                                 w.path("xor.csv")});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("absent.fnn"));
  }
  CHECK(read_file(w.path("p.csv")) == "previous predictions\n");

  SECTION("a failed training run leaves an existing --save file as it was") {
    write_file(w.path("ragged.csv"), "a,b,xor\n0,0,0\n0,1\n");
    const auto result = run_fnn({"train", "--train", w.path("ragged.csv"), "--save", w.path("m.fnn")});
    CHECK(result.exit_code == 1);
    CHECK(read_file(w.path("m.fnn")) == good);
  }
}

TEST_CASE("a model naming a component no loaded plugin provides is refused", "[cli][model]") {
  const Workspace w;
  fnn::test::TemporaryDirectory plugins;
  std::filesystem::copy_file(fnn::test::fixture("twin_a.so"), plugins.path() / "twin.so");
  const auto trained = run_fnn(with(xor_training(w, "5"),
                                    {"--activation", "twin", "--output-activation", "sigmoid",
                                     "--plugin-dir", plugins.path().string(), "--save",
                                     w.path("twin.fnn")}));
  REQUIRE(trained.exit_code == 0);
  // A name read from a file is not a typo: the file, the layer and the plugin to get, no guess
  // at another name; a data error of the model file (exit 1), whichever command reads it.
  const std::string model = w.path("twin.fnn");
  const std::string expected = model + ": layer 2 is 'twin', which no loaded plugin provides; "
                               "install the plugin that provides 'twin' or give its directory "
                               "with --plugin-dir (`fnn plugins` lists the plugins found)";
  const auto evaluated = run_fnn({"eval", "--model", model, "--test", w.path("xor.csv")});
  const auto predicted = run_fnn(
      {"predict", "--model", model, "--input", w.path("xor.csv"), "--output", w.path("p.csv")});
  const auto resumed = run_fnn({"train", "--resume", model, "--train", w.path("xor.csv"),
                                "--epochs", "6", "--progress", "plain"});
  for (const auto& result : {evaluated, predicted, resumed}) {
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains(expected) && !Contains("did you mean"));
    CHECK(result.out.empty());
  }
  CHECK_FALSE(std::filesystem::exists(w.path("p.csv")));
  const auto with_plugin = run_fnn({"eval", "--model", w.path("twin.fnn"), "--test",
                                    w.path("xor.csv"), "--plugin-dir", plugins.path().string()});
  CHECK(with_plugin.exit_code == 0);
}

TEST_CASE("a model whose loss or optimizer no loaded plugin provides still predicts; eval and "
          "resume name what is missing", "[cli][model]") {
  const Workspace w;
  REQUIRE(run_fnn(with(xor_training(w, "2"), {"--save", w.path("m.fnn")})).exit_code == 0);
  fnn::ModelFile edited = fnn::read_model_file(w.path("m.fnn"));
  edited.metadata["loss"] = "pinball:tau=0.3";      // a loss from a plugin not installed here
  edited.metadata["optimizer"] = "lion";            // and an optimizer
  fnn::write_model_file(w.path("m.fnn"), edited);
  const std::string model = w.path("m.fnn");

  // Prediction needs neither: a model trained elsewhere with a custom loss is still usable.
  CHECK(run_fnn({"predict", "--model", model, "--input", w.path("xor.csv"), "--output", "-"})
            .exit_code == 0);
  const auto evaluated = run_fnn({"eval", "--model", model, "--test", w.path("xor.csv")});
  CHECK(evaluated.exit_code == 1);
  CHECK_THAT(evaluated.err, Contains(model + ": the loss is 'pinball', which no loaded plugin "
                                             "provides; install the plugin that provides "
                                             "'pinball'") &&
                                !Contains("did you mean"));
  CHECK(evaluated.out.empty());
  edited.metadata["loss"] = "mse";
  fnn::write_model_file(w.path("m.fnn"), edited);
  const auto resumed = run_fnn({"train", "--resume", model, "--train", w.path("xor.csv"),
                                "--epochs", "4", "--progress", "plain"});
  CHECK(resumed.exit_code == 1);
  CHECK_THAT(resumed.err, Contains(model + ": the optimizer is 'lion', which no loaded plugin "
                                           "provides") &&
                              !Contains("did you mean"));
}
