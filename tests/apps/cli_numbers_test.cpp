// Numbers the fnn tool reports: losses of confidently wrong models, and the learning-rate schedule
// of a resumed run.
#include <algorithm>
#include <cmath>
#include <fnn/csv.hpp>
#include <fnn/model_file.hpp>
#include <fnn/network.hpp>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace {

// A file `name` in a test's own temporary directory.
class Files {
 public:
  std::string path(const std::string& name) const { return (directory_.path() / name).string(); }

 private:
  fnn::test::TemporaryDirectory directory_;
};

// The number printed after `label` in `text`, e.g. "loss " in "test: loss 41.86".
double number_after(const std::string& text, const std::string& label) {
  const std::size_t at = text.rfind(label);
  REQUIRE(at != std::string::npos);
  return std::stod(text.substr(at + label.size()));
}

// The logits of a saved model whose last layer is an activation: the network without that layer,
// with the saved weights (the activation has none), predicting `inputs`.
fnn::Matrix saved_logits(const std::string& file, const fnn::Matrix& inputs) {
  const fnn::ModelFile model = fnn::read_model_file(file);
  fnn::NetworkSpec spec = model.network;
  spec.layers.pop_back();
  fnn::Network network(fnn::test::plugins(), spec);
  const std::vector<float>& parameters = model.tensors.at("parameters");
  REQUIRE(parameters.size() == network.parameters().size());
  std::ranges::copy(parameters, network.parameters().begin());
  return network.predict(inputs);
}

double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

}  // namespace

// A model trained on x < 0 → 1 and evaluated on the opposite labels is confidently wrong: its
// logits pass 16.6, where a float sigmoid rounds to 1 and the old probability-based loss charged
// every such sample −log(FLT_MIN) = 87.3 instead of its logit.
TEST_CASE(
    "eval and train report the binary cross-entropy of a confidently wrong model from its "
    "logits",
    "[cli][loss]") {
  const Files w;
  write_file(w.path("right.csv"), "x,y\n-3,1\n-2,1\n-1,1\n1,0\n2,0\n3,0\n");
  write_file(w.path("wrong.csv"), "x,y\n-3,0\n-2,0\n-1,0\n1,1\n2,1\n3,1\n");
  const auto trained = run_fnn({"train",
                                "--train",
                                w.path("right.csv"),
                                "--hidden",
                                "4",
                                "--activation",
                                "relu",
                                "--output-activation",
                                "sigmoid",
                                "--loss",
                                "binary_cross_entropy",
                                "--learning-rate",
                                "1",
                                "--batch-size",
                                "6",
                                "--epochs",
                                "200",
                                "--progress",
                                "plain",
                                "--save",
                                w.path("m.fnn")});
  REQUIRE(trained.exit_code == 0);

  const fnn::CsvTable table = fnn::read_csv(w.path("wrong.csv"));
  fnn::Matrix inputs(table.values.rows(), 1);
  for (std::size_t r = 0; r < table.values.rows(); ++r) inputs(r, 0) = table.values(r, 0);
  const fnn::Matrix logits = saved_logits(w.path("m.fnn"), inputs);
  double expected = 0.0;
  double largest_logit_of_a_0 = 0.0;
  for (std::size_t r = 0; r < logits.rows(); ++r) {
    const bool zero = table.values(r, 1) == 0.0F;
    // Binary cross-entropy of logit z and target y: softplus(z) − y·z.
    expected += softplus(zero ? logits(r, 0) : -logits(r, 0));
    if (zero) largest_logit_of_a_0 = std::max(largest_logit_of_a_0, double{logits(r, 0)});
  }
  expected /= static_cast<double>(logits.rows());
  INFO("largest logit of a sample labelled 0: " << largest_logit_of_a_0);
  REQUIRE(largest_logit_of_a_0 > 17.0);  // where the float sigmoid has rounded to 1

  const auto evaluated =
      run_fnn({"eval", "--model", w.path("m.fnn"), "--test", w.path("wrong.csv")});
  INFO(evaluated.out << evaluated.err);
  REQUIRE(evaluated.exit_code == 0);
  CHECK(number_after(evaluated.out, "loss ") == Approx(expected).epsilon(1e-5));

  // One more epoch of one batch on the same rows reports the loss before its step: the same.
  const auto resumed = run_fnn({"train", "--resume", w.path("m.fnn"), "--train",
                                w.path("wrong.csv"), "--epochs", "201", "--progress", "plain"});
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(number_after(resumed.out, "train loss ") == Approx(expected).epsilon(1e-5));
}

TEST_CASE("train --help states the cosine schedule's formula", "[cli][schedule]") {
  const auto help = run_fnn({"train", "--help"});
  REQUIRE(help.exit_code == 0);
  CHECK_THAT(help.out, Contains("rate*(1+cos(pi*(e-1)/E))/2") && !Contains("down to 0"));
}

// The cosine schedule spans the run's --epochs. A finished 10-epoch run resumed to 20 trains epoch
// 11 at half the rate, not at the 0.025 × rate its schedule had reached: the run says so.
TEST_CASE("a cosine run resumed with another --epochs says how its schedule changed",
          "[cli][schedule]") {
  const Files w;
  write_file(w.path("xor.csv"), "a,b,xor\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  const std::vector<std::string> training{"train",      "--train",    w.path("xor.csv"),
                                          "--schedule", "cosine",     "--learning-rate",
                                          "0.4",        "--progress", "plain"};
  const auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), training.begin(), training.end());
    return more;
  };
  REQUIRE(run_fnn(with({"--epochs", "10", "--save", w.path("ten.fnn")})).exit_code == 0);

  const auto longer = run_fnn({"train", "--resume", w.path("ten.fnn"), "--train", w.path("xor.csv"),
                               "--epochs", "20", "--progress", "plain"});
  INFO(longer.out << longer.err);
  REQUIRE(longer.exit_code == 0);
  CHECK_THAT(longer.out,
             Contains("the cosine schedule now spans 20 epochs instead of the 10 it was saved "
                      "with: epoch 11 trains at 0.2 (0.5 × 0.4)"));

  // A run resumed to its own total (a checkpoint inside it) keeps its schedule and says nothing.
  REQUIRE(
      run_fnn(with({"--epochs", "10", "--checkpoint-every", "4", "--checkpoint", w.path("cp.fnn")}))
          .exit_code == 0);
  const auto same = run_fnn({"train", "--resume", w.path("cp.fnn"), "--train", w.path("xor.csv"),
                             "--epochs", "10", "--progress", "plain"});
  INFO(same.out << same.err);
  REQUIRE(same.exit_code == 0);
  CHECK_THAT(same.out, !Contains("schedule"));
}
