// A training outcome for the catalogue together: three Gaussian blobs in the plane, classified
// by dense → relu → dense → softmax trained with cross_entropy (fused) and adam.
#include "support/test_support.hpp"

namespace {

constexpr std::size_t per_class = 100;
constexpr std::size_t classes = 3;

// Samples around three centres about 5 apart, spread 1 in each coordinate: separable almost
// everywhere, so a small network should classify nearly all of them.
void blobs(fnn::Matrix& inputs, fnn::Matrix& targets) {
  const float centres[classes][2] = {{0.0F, 3.0F}, {-2.5F, -1.5F}, {2.5F, -1.5F}};
  inputs = fnn::Matrix(per_class * classes, 2);
  targets = fnn::Matrix(per_class * classes, classes);
  fnn::Rng rng(2024);
  for (std::size_t i = 0; i < per_class * classes; ++i) {
    const std::size_t label = i % classes;
    inputs(i, 0) = centres[label][0] + rng.normal();
    inputs(i, 1) = centres[label][1] + rng.normal();
    targets(i, label) = 1.0F;
  }
}

double accuracy(const fnn::Network& network, const fnn::Matrix& inputs,
                const fnn::Matrix& targets) {
  const fnn::Matrix predictions = network.predict(inputs);
  std::size_t right = 0;
  for (std::size_t r = 0; r < inputs.rows(); ++r) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < classes; ++c) {
      if (predictions(r, c) > predictions(r, best)) best = c;
    }
    right += targets(r, best) == 1.0F ? 1 : 0;
  }
  return static_cast<double>(right) / static_cast<double>(inputs.rows());
}

}  // namespace

TEST_CASE("three Gaussian blobs: relu, softmax, cross_entropy and adam reach 95% accuracy",
          "[cross_entropy][softmax][adam][e2e]") {
  fnn::Matrix inputs;
  fnn::Matrix targets;
  blobs(inputs, targets);
  fnn::NetworkSpec spec{2};
  spec.add("dense", {{"units", "16"}})
      .add("relu")
      .add("dense", {{"units", std::to_string(classes)}})
      .add("softmax");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(7);
  network.initialize(*fnn::test::plugins().make_initializer("he_uniform"), rng);
  const auto loss = fnn::test::plugins().make_loss("cross_entropy");
  const auto adam = fnn::test::plugins().make_optimizer("adam", {{"learning_rate", "0.01"}});
  fnn::Trainer trainer(network, *loss, *adam, {.batch_size = 32, .epochs = 60, .seed = 7});
  const fnn::EpochReport last = trainer.fit(inputs, targets);
  INFO("final loss " << last.train_loss);
  CHECK(last.train_loss < 0.2);
  CHECK(accuracy(network, inputs, targets) >= 0.95);
}
