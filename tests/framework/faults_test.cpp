// Misbehaving plugins: what they throw surfaces as an fnn::Error naming the component, also from
// inside parallel TBB tasks, and nothing hangs.
#include "support/test_support.hpp"

using Catch::Matchers::Contains;

TEST_CASE("a layer that throws inside parallel tasks stops training with its name", "[faults]") {
  fnn::Registry registry = fnn::Registry::with_plugins();
  registry.load_plugin(fnn::test::fixture("throwing.so"));
  fnn::NetworkSpec spec{3};
  spec.add("dense", {{"units", "4"}}).add("throwing").add("dense", {{"units", "1"}});
  fnn::Network network(registry, spec);
  const auto loss = registry.make_loss("mse");
  const auto sgd = registry.make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 64, .threads = 2});
  const fnn::Matrix inputs(128, 3);
  const fnn::Matrix targets(128, 1);
  for (int attempt = 0; attempt < 2; ++attempt) {  // and the trainer stays usable afterwards
    try {
      trainer.train_epoch(inputs, targets);
      FAIL("no error");
    } catch (const fnn::TrainingError& error) {
      CHECK_THAT(error.what(), Contains("network layer 2 (throwing) failed in forward") &&
                                   Contains("the layer is broken"));
    }
  }
  // Evaluation passes do not throw: the network itself is intact.
  CHECK(network.predict(inputs).rows() == 128);
}

TEST_CASE("a component whose constructor throws is reported with its plugin", "[faults]") {
  fnn::Registry registry;
  registry.load_plugin(fnn::test::fixture("throwing.so"));
  CHECK_THAT(fnn::test::error_message([&] { registry.make_activation("throwing_factory"); }),
             Contains("activation 'throwing_factory'") && Contains("throwing.so") &&
                 Contains("failed to construct: cannot open its lookup table"));
}
