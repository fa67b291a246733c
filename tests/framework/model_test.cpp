// fnn::save_model / load_model (the whole model file) and fnn::TrainingRun, from C++ as a host
// app uses them.
#include <catch2/catch.hpp>
#include <cstring>
#include <fnn/fnn.hpp>

#include "support/test_support.hpp"

namespace {

using Catch::Matchers::Contains;
using fnn::test::error_message;

// A 3-input, 2-class network with random parameters.
fnn::Network classifier() {
  fnn::NetworkSpec spec{3};
  spec.add("dense", {{"units", "5"}}).add("tanh").add("dense", {{"units", "2"}}).add("softmax");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

// 40 rows: class 1 when the inputs sum above 0.
fnn::Dataset separable_data() {
  fnn::Dataset data{fnn::Matrix(40, 3), fnn::Matrix(40, 2)};
  fnn::Rng rng(11);
  for (std::size_t r = 0; r < 40; ++r) {
    float sum = 0.0F;
    for (std::size_t c = 0; c < 3; ++c) sum += data.inputs(r, c) = rng.uniform(-1.0F, 1.0F);
    data.targets(r, sum > 0.0F ? 1 : 0) = 1.0F;
  }
  return data;
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// A model file with a network and its parameters only, as a tool other than fnn might write.
fnn::ModelFile bare_model_file(const fnn::Network& network) {
  fnn::ModelFile bare;
  bare.network = network.spec();
  bare.tensors["parameters"].assign(network.parameters().begin(), network.parameters().end());
  return bare;
}

fnn::ModelInfo classifier_info(std::size_t epochs) {
  fnn::ModelInfo info;
  info.loss = {"cross_entropy", {}};
  info.layout.classes = 2;
  fnn::TrainingState& training = info.training.emplace();
  training.optimizer = {"sgd", {{"learning_rate", "0.3"}, {"momentum", "0.9"}}};
  training.total_epochs = epochs;
  training.batch_size = 7;  // 40 rows: an uneven last batch
  training.seed = 5;
  return info;
}

}  // namespace

TEST_CASE("save_model and load_model keep a network and everything about it", "[model]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "m.fnn";
  const fnn::Network network = classifier();
  fnn::ModelInfo info;
  info.loss = {"huber", {{"delta", "0.5"}}};
  info.layout = {{"label"}, 2, {"a", "b, with a comma", "%c\xff"}, {"label"}};
  info.scaler = fnn::Scaler(fnn::Scaler::Method::standardize, {1, 2, 3}, {0.5F, 0.25F, 2});
  fnn::TrainingState& training = info.training.emplace();
  training.optimizer = {"adam", {{"learning_rate", "0.01"}}};
  training.optimizer_state = {1.5F, -2.0F};
  training.schedule = "step:3:0.5";
  training.total_epochs = 9;
  training.position = {4, 2, "12345 678", 0.1 + 0.2};
  training.batch_size = 8;
  training.seed = 99;
  fnn::save_model(file, network, info);

  const fnn::LoadedModel loaded = fnn::load_model(file, fnn::test::plugins());
  CHECK(same_bits(loaded.network.parameters(), network.parameters()));
  CHECK(loaded.network.spec().layers.size() == 4);
  CHECK(fnn::to_text(loaded.info.loss) == "huber:delta=0.5");
  CHECK(loaded.info.layout.target_columns == info.layout.target_columns);
  CHECK(loaded.info.layout.classes == 2);
  CHECK(loaded.info.layout.input_names == info.layout.input_names);
  CHECK(loaded.info.scaler.offsets() == info.scaler.offsets());
  CHECK(loaded.info.scaler.factors() == info.scaler.factors());
  REQUIRE(loaded.info.training);
  const fnn::TrainingState& read = *loaded.info.training;
  CHECK(fnn::to_text(read.optimizer) == "adam:learning_rate=0.01");
  CHECK(read.optimizer_state == training.optimizer_state);
  CHECK(read.schedule == "step:3:0.5");
  CHECK(read.total_epochs == 9);
  CHECK(read.position.epochs_done == 4);
  CHECK(read.position.batches_done == 2);
  CHECK(read.position.rng_state == "12345 678");
  CHECK(read.position.loss_sum == 0.1 + 0.2);  // exactly: the shortest text that reads back
  CHECK(read.batch_size == 8);
  CHECK(read.seed == 99);
}

TEST_CASE("a model file with only a network and its parameters loads with the documented defaults",
          "[model]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "bare.fnn";
  const fnn::Network network = classifier();
  fnn::write_model_file(file, bare_model_file(network));

  const fnn::LoadedModel loaded = fnn::load_model(file, fnn::test::plugins());
  CHECK(same_bits(loaded.network.parameters(), network.parameters()));
  CHECK(fnn::to_text(loaded.info.loss) == "mse");
  CHECK(loaded.info.layout.target_columns.empty());
  CHECK(loaded.info.layout.classes == 0);
  CHECK(loaded.info.layout.input_names.empty());
  CHECK(loaded.info.scaler.method() == fnn::Scaler::Method::none);
  CHECK_FALSE(loaded.info.training);
}

TEST_CASE("a training state with keys missing is refused with one message naming them all",
          "[model]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "part.fnn";
  const fnn::Network network = classifier();
  fnn::ModelFile part = bare_model_file(network);
  part.metadata["optimizer"] = "sgd";
  part.metadata["batch_size"] = "4";
  fnn::write_model_file(file, part);
  CHECK(error_message([&] { fnn::load_model(file, fnn::test::plugins()); }) ==
        file.string() +
            ": this fnn model has a training state without 'epochs_done', 'shuffle_state', "
            "'seed': a model that can be resumed needs all of optimizer, epochs_done, "
            "shuffle_state, batch_size and seed (docs/model-format.md)");
}

TEST_CASE("a model file names itself when its network or parameters do not fit", "[model]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "bad.fnn";
  const fnn::Network network = classifier();
  fnn::ModelFile model;
  model.network = network.spec();
  model.tensors["parameters"] = std::vector<float>(network.parameters().size() - 1);
  fnn::write_model_file(file, model);
  CHECK(error_message([&] { fnn::load_model(file, fnn::test::plugins()); }) ==
        file.string() + ": the model holds 31 parameters, but its network needs 32");

  model.tensors["parameters"] = std::vector<float>(network.parameters().size());
  model.network.layers[1].name = "no_such_activation";
  fnn::write_model_file(file, model);
  CHECK_THAT(error_message([&] { fnn::load_model(file, fnn::test::plugins()); }),
             Contains(file.string() + ": ") && Contains("no_such_activation"));
}

TEST_CASE("save_model refuses a model whose metadata does not fit its network", "[model]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "m.fnn";
  const fnn::Network network = classifier();
  fnn::ModelInfo info;
  info.layout.classes = 3;
  CHECK(error_message([&] { fnn::save_model(file, network, info); }) ==
        "cannot save " + file.string() + ": the model says 3 classes, but its network has 2 "
        "outputs");
  info.layout.classes = 2;
  info.scaler = fnn::Scaler(fnn::Scaler::Method::min_max, {0, 0}, {1, 1});
  CHECK(error_message([&] { fnn::save_model(file, network, info); }) ==
        "cannot save " + file.string() + ": the scaler has 2 offsets and 2 factors, but the "
        "network takes 3 inputs");
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("Network::set_parameters takes exactly the parameter count", "[model]") {
  fnn::Network network = classifier();
  const std::vector<float> before(network.parameters().begin(), network.parameters().end());
  const std::vector<float> short_by_one(before.size() - 1, 0.5F);
  CHECK(error_message([&] { network.set_parameters(short_by_one); }) ==
        "the network has 32 parameters, got 31");
  CHECK(same_bits(network.parameters(), before));  // unchanged
  const std::vector<float> ones(before.size(), 1.0F);
  network.set_parameters(ones);
  CHECK(same_bits(network.parameters(), ones));
}

TEST_CASE("a TrainingRun continued from its checkpoint ends bit for bit as an unbroken one",
          "[model][run]") {
  const fnn::test::TemporaryDirectory directory;
  const fnn::Dataset data = separable_data();
  const fnn::Registry& registry = fnn::test::plugins();

  fnn::Network unbroken = classifier();
  fnn::TrainingRun whole(registry, unbroken, classifier_info(6), {});
  REQUIRE(whole.train(data, {}));

  // The same run, stopped after batch 10 (inside epoch 2) with a checkpoint, then continued
  // from the file alone.
  fnn::Network first_half = classifier();
  fnn::StopRequest stop;
  fnn::RunOptions options;
  options.checkpoints.file = directory.path() / "run.checkpoint";
  options.stop = &stop;
  fnn::TrainingRun interrupted(registry, first_half, classifier_info(6), options);
  std::size_t batches = 0;
  const bool complete = interrupted.train(data, {}, {.on_batch = [&](const fnn::BatchReport&) {
    if (++batches == 10) stop.request();
  }, .on_epoch = {}});
  REQUIRE_FALSE(complete);
  CHECK(fnn::describe(interrupted.position()) == "batch 4 of epoch 2");

  fnn::LoadedModel checkpoint = fnn::load_model(options.checkpoints.file, registry);
  REQUIRE(checkpoint.info.training);
  CHECK(checkpoint.info.training->position.batches_done == 4);
  fnn::TrainingRun continued(registry, checkpoint.network, checkpoint.info, {});
  REQUIRE(continued.train(data, {}));
  CHECK(continued.epochs_done() == 6);
  CHECK(same_bits(checkpoint.network.parameters(), unbroken.parameters()));
}

TEST_CASE("a TrainingRun learns, reports validation, and refuses what it cannot run",
          "[model][run]") {
  const fnn::test::TemporaryDirectory directory;
  fnn::Dataset train = separable_data();
  const fnn::Dataset validation = fnn::split_validation(train, 0.25, 1);
  CHECK(validation.inputs.rows() == 10);
  CHECK(train.inputs.rows() == 30);
  fnn::Network network = classifier();
  fnn::RunOptions options;
  options.metrics = directory.path() / "metrics.csv";
  fnn::TrainingRun run(fnn::test::plugins(), network, classifier_info(30), options);
  std::vector<fnn::EpochSummary> epochs;
  run.train(train, validation,
            {.on_batch = {}, .on_epoch = [&](const fnn::EpochSummary& e) { epochs.push_back(e); }});
  REQUIRE(epochs.size() == 30);
  REQUIRE(epochs.back().validation_accuracy);
  CHECK(*epochs.back().validation_accuracy >= 0.9);
  CHECK(epochs.back().training.train_loss < epochs.front().training.train_loss / 2);
  CHECK(std::filesystem::file_size(options.metrics) > 30 * 10);

  fnn::ModelInfo no_training;
  CHECK_THAT(error_message([&] { fnn::TrainingRun(fnn::test::plugins(), network, no_training, {}); }),
             Contains("needs the model's training state"));
  fnn::ModelInfo bad_state = classifier_info(3);
  bad_state.training->optimizer_state = {1, 2, 3};
  CHECK(error_message([&] { fnn::TrainingRun(fnn::test::plugins(), network, bad_state, {}); }) ==
        "the optimizer state holds 3 values, sgd needs 32");
}
