// Sizes derived from input that wrap around or cannot fit in memory are refused, with what needed
// them, before anything is allocated: matrices, one-hot targets, networks, the trainer's memory.
#include <cstring>
#include <fnn/dataset.hpp>
#include <vector>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using fnn::test::error_message;

namespace {

std::string build_error(const fnn::NetworkSpec& spec) {
  return error_message([&] { fnn::Network network(fnn::test::plugins(), spec); });
}

// XOR's four samples, trained by a 2-4-1 sigmoid network for `epochs` epochs with `batch_size`.
std::vector<float> train_xor(std::size_t batch_size, std::size_t epochs) {
  fnn::NetworkSpec spec{2};
  spec.add("dense", {{"units", "4"}}).add("sigmoid").add("dense", {{"units", "1"}}).add("sigmoid");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(7);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd", {{"learning_rate", "2"}});
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = batch_size, .epochs = epochs});
  trainer.fit(fnn::Matrix{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, fnn::Matrix{{0}, {1}, {1}, {0}});
  return {network.parameters().begin(), network.parameters().end()};
}

}  // namespace

TEST_CASE("a matrix whose size wraps or cannot fit in memory is refused", "[sizes][matrix]") {
  CHECK(error_message([] { fnn::Matrix matrix(4, (std::size_t{1} << 62) + 1); }) ==
        "a matrix's rows × columns is too large: 4 × 4611686018427387905 is more than "
        "18446744073709551615");
  // 2^50 floats: 4 PiB.
  CHECK_THAT(error_message([] { fnn::Matrix matrix(std::size_t{1} << 20, std::size_t{1} << 30); }),
             StartsWith("a 1048576 × 1073741824 matrix needs 4.0 PiB; this machine has "));
  CHECK(fnn::Matrix(0, std::size_t{1} << 62).values().empty());
}

TEST_CASE("one-hot targets that cannot fit in memory are refused naming the source",
          "[sizes][dataset]") {
  const std::vector<float> labels{0, 1, 0, 1};
  const auto message = [&](std::size_t classes) {
    return error_message([&] { (void)fnn::one_hot(labels, classes, "labels.csv"); });
  };
  // 2^42 floats: 16 TiB.
  CHECK_THAT(message(std::size_t{1} << 40),
             StartsWith("labels.csv: one-hot targets for 4 rows of 1099511627776 classes need "
                        "16.0 TiB; this machine has "));
  // 4 × (2^62 + 1) floats, whose count wraps to 4 in 64 bits.
  CHECK_THAT(message((std::size_t{1} << 62) + 1),
             StartsWith("labels.csv: one-hot targets for 4 rows of 4611686018427387905 classes "
                        "need 64.0 EiB"));
  CHECK_THROWS_AS(fnn::one_hot(labels, std::size_t{1} << 40, "labels.csv"), fnn::DataError);
}

TEST_CASE("a network whose parameter count wraps or cannot fit in memory is refused",
          "[sizes][network]") {
  SECTION("the layers' counts, 3·u and u + 1, add up to 4·u + 1, which wraps to 17") {
    fnn::NetworkSpec spec{2};
    spec.add("dense", {{"units", "4611686018427387908"}})
        .add("sigmoid")
        .add("dense", {{"units", "1"}});
    CHECK(build_error(spec) ==
          "network layer 3 (dense): the network's parameter count is too large: "
          "13835058055282163724 + 4611686018427387909 is more than 18446744073709551615");
  }
  SECTION("inputs × units wraps inside one layer") {
    fnn::NetworkSpec spec{4};
    spec.add("dense", {{"units", "4611686018427387904"}});
    CHECK(build_error(spec) ==
          "network layer 1 (dense): its weight count (inputs × units) is too large: "
          "4 × 4611686018427387904 is more than 18446744073709551615");
  }
  SECTION("10^14 parameters: 364 TiB") {
    fnn::NetworkSpec spec{2};
    spec.add("dense", {{"units", "10000000"}}).add("dense", {{"units", "10000000"}});
    CHECK_THAT(build_error(spec),
               StartsWith("the network's 100000040000000 parameters need 363.8 TiB; this machine "
                          "has "));
  }
}

TEST_CASE("the trainer's batch memory is sized by the rows it trains on, not by the batch size",
          "[sizes][trainer]") {
  // A batch size of 10^12 on 4 rows is one batch of 4 rows: the same run as batch size 4.
  const std::vector<float> whole = train_xor(4, 20);
  const std::vector<float> huge_batch = train_xor(1'000'000'000'000, 20);
  REQUIRE(huge_batch.size() == whole.size());
  CHECK(std::memcmp(huge_batch.data(), whole.data(), whole.size() * sizeof(float)) == 0);
}

TEST_CASE("training memory that cannot fit is refused before the first batch", "[sizes][trainer]") {
  // 1 → 10^6 → 250 identity layers → 1: about 2.5·10^8 floats of workspace per sample, so
  // batches of 10^6 samples would need about 920 TiB; the network itself is 8 MB.
  fnn::NetworkSpec spec{1};
  spec.add("dense", {{"units", "1000000"}, {"bias", "false"}});
  for (int i = 0; i < 250; ++i) spec.add("identity");
  spec.add("dense", {{"units", "1"}});
  fnn::Network network(fnn::test::plugins(), spec);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  const fnn::Matrix inputs(1'000'000, 1);
  const fnn::Matrix targets(1'000'000, 1);
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 1'000'000});
  CHECK_THAT(
      error_message([&] { trainer.train_epoch(inputs, targets); }),
      StartsWith("training in batches of 1000000 samples (the parameters, their gradient and "
                 "a batch's outputs and gradients) needs ") &&
          Contains(" TiB; this machine has "));
  CHECK(trainer.epochs_done() == 0);
}

TEST_CASE("a thread count above the maximum is refused", "[sizes][trainer][threads]") {
  fnn::NetworkSpec spec{2};
  spec.add("dense", {{"units", "1"}});
  fnn::Network network(fnn::test::plugins(), spec);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  CHECK(error_message([&] { fnn::Trainer trainer(network, *loss, *sgd, {.threads = 1025}); }) ==
        "the thread count must be at most 1024, got 1025");
}
