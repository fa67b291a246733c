// A host application: load fnn's plugins, build a 2-4-1 sigmoid network, train it on XOR.
#include <cstdio>
#include <fnn/fnn.hpp>

int main() try {
  const fnn::Registry registry = fnn::Registry::with_plugins();

  fnn::NetworkSpec spec{2};
  spec.add("dense", {{"units", "4"}}).add("sigmoid").add("dense", {{"units", "1"}}).add("sigmoid");
  fnn::Network network(registry, spec);
  fnn::Rng rng(7);
  network.initialize(*registry.make_initializer("glorot_uniform"), rng);

  const fnn::Matrix inputs{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const fnn::Matrix targets{{0}, {1}, {1}, {0}};
  const auto loss = registry.make_loss("mse");
  const auto sgd = registry.make_optimizer("sgd", {{"learning_rate", "2"}});
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 4, .epochs = 3000});
  const fnn::EpochReport last = trainer.fit(inputs, targets);

  const fnn::Matrix predictions = network.predict(inputs);
  std::printf("after %zu epochs, loss %.5f\n", last.epoch, last.train_loss);
  for (std::size_t i = 0; i < inputs.rows(); ++i) {
    std::printf("%g xor %g -> %.3f\n", inputs(i, 0), inputs(i, 1), predictions(i, 0));
  }
} catch (const fnn::Error& error) {
  std::fprintf(stderr, "xor: %s\n", error.what());
  return 1;
}
