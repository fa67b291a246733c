// A host application: trains a classifier on a CSV file with a header and saves a model that the
// fnn command line opens as its own (`fnn eval`, `fnn predict`, `fnn train --resume`), then loads
// it back as a ready network.
//   usage: fnn_example_host_app DATA.csv MODEL.fnn    (the class label is the column "species")
#include <cstdio>
#include <fnn/fnn.hpp>

int main(int argc, char** argv) try {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DATA.csv MODEL.fnn\n", argv[0]);
    return 2;
  }
  const fnn::Registry registry = fnn::Registry::with_plugins();

  // The data: inputs by header name, class labels one-hot, 20% held out, standardized.
  fnn::ModelInfo info;
  info.layout.target_columns = {"species"};
  fnn::Dataset train = fnn::load_dataset({argv[1], std::nullopt, ""}, info.layout,
                                         /*classes_from_labels=*/true, fnn::ColumnNames::record);
  fnn::Dataset validation = fnn::split_validation(train, 0.2, 7);
  info.scaler = fnn::Scaler(fnn::Scaler::Method::standardize, train.inputs);
  info.scaler.apply(train.inputs);
  info.scaler.apply(validation.inputs);

  fnn::NetworkSpec spec{train.inputs.cols()};
  spec.add("dense", {{"units", "16"}}).add("relu");
  spec.add("dense", {{"units", std::to_string(info.layout.classes)}}).add("softmax");
  fnn::Network network(registry, spec);
  fnn::Rng rng(7);
  network.initialize(*registry.make_initializer("he_uniform"), rng);

  // How it trains; kept in the model file, so `fnn train --resume` can continue the run.
  info.loss = {"cross_entropy", {}};
  fnn::TrainingState& training = info.training.emplace();
  training.optimizer = {"adam", {{"learning_rate", "0.01"}}};
  training.total_epochs = 40;
  training.batch_size = 16;
  training.seed = 7;
  fnn::TrainingRun run(registry, network, info, {});
  run.train(train, validation, {.on_batch = {}, .on_epoch = [](const fnn::EpochSummary& epoch) {
    if (epoch.training.epoch % 10 == 0) {
      std::printf("epoch %zu: loss %.4f, validation accuracy %.3f\n", epoch.training.epoch,
                  epoch.training.train_loss, epoch.validation_accuracy.value_or(0.0));
    }
  }});
  run.save(argv[2]);

  // Loading it back: the network, built and with its weights, and everything else the file holds.
  fnn::LoadedModel loaded = fnn::load_model(argv[2], registry);
  const auto loss = registry.make_loss(loaded.info.loss.name, loaded.info.loss.options);
  const fnn::Evaluation result = fnn::evaluate(loaded.network, *loss, validation, true);
  std::printf("saved %s; reloaded, on the validation rows: %s\n", argv[2],
              fnn::describe(result).c_str());
  return 0;
} catch (const fnn::Error& error) {
  std::fprintf(stderr, "host-app: %s\n", error.what());
  return 1;
}
