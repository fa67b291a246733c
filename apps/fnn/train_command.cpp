// fnn train: read data, build or resume a network, train with progress, report, save.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fnn/atomic_file.hpp>
#include <fnn/error.hpp>
#include <fnn/interrupt.hpp>
#include <fnn/random.hpp>
#include <fnn/registry.hpp>
#include <fnn/schedule.hpp>
#include <fnn/trainer.hpp>
#include <iostream>
#include <numeric>

#include "command_line.hpp"
#include "commands.hpp"
#include "component_options.hpp"
#include "data_source.hpp"
#include "experiment.hpp"
#include "metrics_log.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "resume_command.hpp"
#include "saved_model.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

namespace {

po::options_description train_options() {
  po::options_description data("Data");
  data.add_options()
      ("train", po::value<std::string>()->value_name("FILE"),
       "training data: a CSV file (header optional), or an IDX image file, plain or gzip, "
       "with --train-labels")
      ("train-labels", po::value<std::string>()->value_name("FILE"),
       "IDX label file of the --train images")
      ("test", po::value<std::string>()->value_name("FILE"),
       "test data, read like --train (its columns by name when both have a header), "
       "evaluated after training")
      ("test-labels", po::value<std::string>()->value_name("FILE"), "IDX label file of --test")
      ("target", po::value<std::string>()->value_name("COLUMNS")->default_value(""),
       "CSV target columns by name or 0-based index, comma-separated (default: the last column)")
      ("classes", po::bool_switch(),
       "the target is a class label 0..n-1: one-hot it and report accuracy (implied for IDX)")
      ("scale", po::value<std::string>()->value_name("METHOD")->default_value("none"),
       "input scaling fitted on the training data: none, standardize or minmax")
      ("validation-split", po::value<double>()->value_name("FRACTION")->default_value(0.0),
       "fraction of the training samples held out (seeded) to report validation loss");
  po::options_description model("Network and training");
  model.add_options()
      ("hidden", po::value<std::string>()->value_name("WIDTHS")->default_value("16"),
       "hidden layer widths, e.g. 256,128; input and output widths come from the data")
      ("activation", po::value<std::string>()->value_name("NAME")->default_value("sigmoid"),
       "activation after each hidden layer. Components take options as NAME:KEY=VALUE,..., "
       "e.g. leaky_relu:slope=0.1; fnn plugins lists names and options")
      ("output-activation", po::value<std::string>()->value_name("NAME"),
       "activation after the output layer (default: --activation; 'none' for linear)")
      ("dropout", po::value<double>()->value_name("RATE")->default_value(0.0),
       "dropout rate after each hidden activation (0: none)")
      ("loss", po::value<std::string>()->value_name("NAME")->default_value("mse"),
       "loss, e.g. mse, cross_entropy (with --output-activation softmax), huber:delta=0.5")
      ("optimizer", po::value<std::string>()->value_name("NAME")->default_value("sgd"),
       "optimizer, e.g. sgd, sgd:momentum=0.9,nesterov=true, adam, rmsprop")
      ("learning-rate", po::value<double>()->value_name("RATE"),
       "optimizer step size (default: the optimizer's own, sgd 0.1, adam and rmsprop 0.001)")
      ("schedule", po::value<std::string>()->value_name("SCHEDULE")->default_value("constant"),
       "learning-rate schedule: constant; cosine, rate*(1+cos(pi*(e-1)/E))/2 in epoch e of E "
       "(E = --epochs: the full rate first, 0.0245*rate last for E = 10); or step:N:G (times G "
       "every N epochs)")
      ("batch-size", po::value<long long>()->value_name("N")->default_value(32),
       "samples per step")
      ("epochs", po::value<long long>()->value_name("N")->default_value(10),
       "total epochs (a resumed run continues up to this count)")
      ("init", po::value<std::string>()->value_name("NAME")->default_value("glorot_uniform"),
       "weight initializer")
      ("seed", po::value<long long>()->value_name("N")->default_value(1),
       "seeds initialisation, shuffling and the validation split");
  po::options_description output("Output");
  output.add_options()
      ("save", po::value<std::string>()->value_name("FILE"),
       "write the trained model (network, weights, optimizer state) to FILE, atomically")
      ("resume", po::value<std::string>()->value_name("FILE"),
       "continue training a model saved with --save: its network, loss, optimizer, scaling and "
       "epoch count come from FILE")
      ("checkpoint-every", po::value<std::string>()->value_name("N"),
       "write a checkpoint every N epochs (3 or 3epochs) or every N batches (500batches): a "
       "model file, written atomically, that --resume continues from exactly, also inside an "
       "epoch")
      ("checkpoint", po::value<std::string>()->value_name("FILE"),
       "where --checkpoint-every, and an interrupted run (Ctrl-C, SIGTERM, SIGHUP), write "
       "(default: the --save file with .checkpoint appended)")
      ("metrics", po::value<std::string>()->value_name("FILE"),
       "per-epoch metrics as CSV, or JSON lines if FILE ends in .jsonl")
      ("progress", po::value<std::string>()->value_name("STYLE")->default_value("auto"),
       "auto (a bar when stderr is a terminal), bar, or plain (one line per epoch)");
  po::options_description all("fnn train [options]\n\nTrains a network on a data set");
  all.add(data).add(model).add(output);
  return all;
}

// A resumed run takes these from its model file; giving them too would be ambiguous.
void refuse_with_resume(const po::variables_map& values) {
  for (const char* name : {"hidden", "activation", "output-activation", "dropout", "loss",
                           "optimizer", "init", "target", "classes", "scale"}) {
    const bool given = values.count(name) && !values[name].defaulted() &&
                       !(std::string(name) == "classes" && !values[name].as<bool>());
    if (given) {
      throw UsageError(std::string("fnn train: --") + name +
                       " cannot be combined with --resume: it comes from the model file");
    }
  }
}

// Holds out `fraction` of the samples, chosen by a seeded shuffle, as validation data.
Dataset hold_out(Dataset& data, double fraction, std::uint64_t seed) {
  const std::size_t rows = data.inputs.rows();
  const auto held = static_cast<std::size_t>(static_cast<double>(rows) * fraction);
  if (held == 0) return {};
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed ^ 0x5eed5eed5eed5eedULL);  // a stream of its own, apart from the shuffle's
  for (std::size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  const auto pick = [&](std::size_t first, std::size_t count) {
    Dataset part{Matrix(count, data.inputs.cols()), Matrix(count, data.targets.cols())};
    for (std::size_t r = 0; r < count; ++r) {
      std::ranges::copy(data.inputs.view().row(order[first + r]), part.inputs.view().row(r).begin());
      std::ranges::copy(data.targets.view().row(order[first + r]),
                        part.targets.view().row(r).begin());
    }
    return part;
  };
  Dataset validation = pick(rows - held, held);
  data = pick(0, rows - held);
  return validation;
}

// Where checkpoints go (--checkpoint, else beside --save; "" when neither is given) and how
// often: every `count` epochs, or batches; 0 when only an interrupt writes one.
struct CheckpointPlan {
  std::size_t count = 0;
  bool batches = false;
  std::string file;
};

CheckpointPlan checkpoint_plan(const po::variables_map& values) {
  CheckpointPlan plan;
  if (values.count("checkpoint")) {
    plan.file = values["checkpoint"].as<std::string>();
  } else if (values.count("save")) {
    plan.file = values["save"].as<std::string>() + ".checkpoint";
  }
  if (!values.count("checkpoint-every")) return plan;
  const std::string text = values["checkpoint-every"].as<std::string>();
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), plan.count);
  const std::string unit(end, text.data() + text.size());
  plan.batches = unit == "batches" || unit == "batch";
  if (error != std::errc{} || end == text.data() || plan.count == 0 ||
      !(plan.batches || unit.empty() || unit == "epochs" || unit == "epoch")) {
    throw UsageError("--checkpoint-every '" + text +
                     "': expected N epochs or N batches, N at least 1: e.g. 5, 5epochs or "
                     "500batches");
  }
  if (plan.file.empty()) {
    throw UsageError("fnn train: --checkpoint-every needs --checkpoint FILE, or --save FILE "
                     "(checkpoints then go to FILE.checkpoint)");
  }
  return plan;
}

// A fraction option in [0, 1) (NaN is refused too).
double fraction(const po::variables_map& values, const std::string& name) {
  const double value = values[name].as<double>();
  if (!(value >= 0.0 && value < 1.0)) {
    throw UsageError("--" + name + " must be at least 0 and below 1, got " + to_text(value));
  }
  return value;
}

// The training data must have samples and at least one input column, before a network is built
// from it (a one-column file would otherwise be blamed on --hidden).
void check_trainable(const Dataset& data, const std::string& file) {
  if (data.inputs.rows() == 0) throw DataError(file + ": there are no training samples");
  if (data.inputs.cols() == 0) {
    throw DataError(file + ": every column is a target (" + std::to_string(data.targets.cols()) +
                    "), so the network would have no inputs; give data with input columns, or "
                    "name fewer --target columns");
  }
}

std::string describe(const TrainingPosition& position);

// The end of a run stopped by a signal: a checkpoint where the run stands (if it has somewhere
// to go), the command that continues it, and the exit status a shell expects (128 + signal).
template <class WriteCheckpoint>
int interrupted(const po::variables_map& values, int signal, const std::string& checkpoint,
                const std::string& where, WriteCheckpoint&& write_checkpoint) {
  const std::string why = "fnn: " + signal_name(signal) + ": training stopped after " + where;
  if (checkpoint.empty()) {
    std::cerr << why << "; nothing was saved: give --save FILE or --checkpoint FILE to keep an "
              << "interrupted run's work\n";
  } else {
    write_checkpoint();
    std::cerr << why << "; saved the checkpoint " << checkpoint << "\ncontinue with:\n  "
              << resume_command(program_name(), values, checkpoint) << "\n";
  }
  return 128 + signal;
}

std::string describe(const TrainingPosition& position) {
  std::string text = "epoch " + std::to_string(position.epochs_done);
  if (position.batches_done > 0) {
    text = "batch " + std::to_string(position.batches_done) + " of epoch " +
           std::to_string(position.epochs_done + 1);
  }
  return text;
}

DataSource source(const po::variables_map& values, const std::string& data_option,
                  const std::string& labels_option) {
  DataSource result{values[data_option].as<std::string>(), std::nullopt, labels_option};
  if (values.count(labels_option)) result.labels = values[labels_option].as<std::string>();
  return result;
}

}  // namespace

int train_command(const std::vector<std::string>& args) {
  const po::options_description options = train_options();
  const auto parsed = parse_command("train", options, args);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  if (!values.count("train")) throw_missing("train", "train");
  std::vector<NamedFile> outputs = given_files(values, {"save", "checkpoint", "metrics"});
  if (!values.count("checkpoint") && values.count("save")) {  // the default checkpoint too
    outputs.push_back({"--checkpoint (--save + .checkpoint)",
                       values["save"].as<std::string>() + ".checkpoint"});
  }
  check_output_files(
      given_files(values, {"train", "train-labels", "test", "test-labels", "config", "resume"}),
      outputs);
  const auto start = std::chrono::steady_clock::now();

  std::optional<SavedModel> resumed;
  if (values.count("resume")) {
    refuse_with_resume(values);
    resumed = load(values["resume"].as<std::string>());
  }
  const std::size_t epochs = at_least(values, "epochs", 1);
  // A resumed run keeps its batch size and seed unless they are given again.
  const std::size_t batch_size = resumed && values["batch-size"].defaulted()
                                     ? resumed->batch_size
                                     : at_least(values, "batch-size", 1);
  const std::uint64_t seed = resumed && values["seed"].defaulted()
                                 ? resumed->seed
                                 : static_cast<std::uint64_t>(values["seed"].as<long long>());
  const std::size_t threads = thread_count(values);
  const auto thread_limit = limit_threads(threads);  // evaluation too, not only the trainer
  const Progress::Style style = Progress::parse(values["progress"].as<std::string>());
  const CheckpointPlan checkpoints = checkpoint_plan(values);
  // Every option is checked before any file is read.
  const std::string schedule_text = values["schedule"].as<std::string>();
  from_options("--schedule", [&] { return LearningRateSchedule::parse(schedule_text); });
  const std::vector<std::size_t> hidden =
      parse_widths("hidden", values["hidden"].as<std::string>());
  const double validation_split = fraction(values, "validation-split");
  const ComponentChoice activation =
      parse_component("--activation", values["activation"].as<std::string>());
  std::optional<ComponentChoice> output_activation = activation;
  if (values.count("output-activation")) {
    const std::string text = values["output-activation"].as<std::string>();
    output_activation = text == "none" ? std::nullopt
                                       : std::optional(parse_component("--output-activation", text));
  }
  const double dropout = fraction(values, "dropout");
  const ComponentChoice loss_choice = parse_component("--loss", values["loss"].as<std::string>());
  ComponentChoice optimizer_choice =
      parse_component("--optimizer", values["optimizer"].as<std::string>());
  if (values.count("learning-rate")) {
    if (optimizer_choice.options.has("learning_rate")) {
      throw UsageError("fnn train: the learning rate is given twice, by --learning-rate and "
                       "--optimizer; keep one");
    }
    optimizer_choice.options.set("learning_rate", to_text(values["learning-rate"].as<double>()));
  }
  const ComponentChoice init_choice = parse_component("--init", values["init"].as<std::string>());
  const auto scale = from_options("--scale", [&] {
    return Scaler::parse(values["scale"].as<std::string>());
  });

  const Registry registry = load_plugins(values);

  // Data: read, one-hot, split, scale.
  DataLayout layout = resumed ? resumed->layout
                              : DataLayout{split_list(values["target"].as<std::string>()), 0};
  Dataset train = load_dataset(source(values, "train", "train-labels"), layout,
                               !resumed && values["classes"].as<bool>(),
                               resumed ? ColumnNames::use : ColumnNames::record);
  check_trainable(train, values["train"].as<std::string>());
  const bool classes = layout.classes > 0;
  Dataset validation = hold_out(train, validation_split, seed);
  const Scaler scaler =
      resumed ? resumed->scaler
              : Scaler(scale, train.inputs);  // fitted on the training rows only
  scaler.apply(train.inputs);
  if (validation.inputs.rows()) scaler.apply(validation.inputs);

  // Network, loss, optimizer.
  SavedModel model = resumed ? *resumed : SavedModel{};
  if (!resumed) {
    model.loss = loss_choice;
    model.optimizer = optimizer_choice;
    model.init = init_choice;
    model.network = perceptron(train.inputs.cols(), hidden, activation, output_activation,
                               train.targets.cols(), dropout);
  } else if (values.count("learning-rate")) {
    model.optimizer.options.set("learning_rate", to_text(values["learning-rate"].as<double>()));
  }
  if (!resumed || !values["schedule"].defaulted()) model.schedule = schedule_text;
  const LearningRateSchedule schedule = LearningRateSchedule::parse(model.schedule);
  Network network = resumed ? restore_network(registry, *resumed, values["resume"].as<std::string>())
                            : from_options("--hidden/--activation/--output-activation/--dropout", [&] {
                                return Network(registry, model.network);
                              });
  check_fits(network, train, values["train"].as<std::string>());
  // A resumed run's components come from its model file: a bad one is that file's fault.
  const auto make_component = [&](const std::string& option_names, auto make) {
    return resumed ? from_model_file(values["resume"].as<std::string>(), make)
                   : from_options(option_names, make);
  };
  const auto loss = make_component(
      "--loss", [&] { return registry.make_loss(model.loss.name, model.loss.options); });
  const auto optimizer = make_component("--optimizer/--learning-rate", [&] {
    return registry.make_optimizer(model.optimizer.name, model.optimizer.options);
  });
  // Everything the run needs is checked before the first epoch: the test data too.
  std::optional<Dataset> test;
  if (values.count("test")) {
    test = load_dataset(source(values, "test", "test-labels"), layout, false, ColumnNames::use,
                        network.input_size());
    check_fits(network, *test, values["test"].as<std::string>());
    scaler.apply(test->inputs);
  }
  // The rate it starts from (its own default unless given), what a resumed run starts from too.
  model.optimizer.options.set("learning_rate", to_text(optimizer->learning_rate()));
  if (!resumed) {
    const auto init = from_options("--init", [&] {
      return registry.make_initializer(model.init.name, model.init.options);
    });
    Rng rng(seed);
    network.initialize(*init, rng);
  }

  StopRequest stop;  // set by a signal (InterruptHandler below)
  Trainer trainer(network, *loss, *optimizer,
                  {.batch_size = batch_size,
                   .epochs = epochs,
                   .seed = seed,
                   .threads = threads,
                   .schedule = schedule,
                   .stop = &stop});
  // Its batch memory, sized by the data: what cannot fit is refused before the first epoch.
  from_options("--batch-size", [&] { trainer.reserve(train.inputs.rows()); });
  if (resumed) {
    const std::span<float> state = optimizer->state();
    if (state.size() != resumed->optimizer_state.size()) {
      throw DataError(values["resume"].as<std::string>() + ": the optimizer state holds " +
                      std::to_string(resumed->optimizer_state.size()) + " values, " +
                      model.optimizer.name + " needs " + std::to_string(state.size()));
    }
    std::ranges::copy(resumed->optimizer_state, state.begin());
    trainer.resume(resumed->position);
    if (resumed->position.epochs_done >= epochs) {
      throw UsageError("fnn train: the model has already been trained for " +
                       std::to_string(resumed->position.epochs_done) +
                       " epochs; give --epochs a larger total");
    }
    if (resumed->position.batches_done > 0 && batch_size != resumed->batch_size) {
      throw UsageError("fnn train: " + values["resume"].as<std::string>() +
                       " is a checkpoint inside an epoch; it continues only with its own batch "
                       "size, " + std::to_string(resumed->batch_size));
    }
    std::cout << "resuming " << values["resume"].as<std::string>() << " after "
              << describe(resumed->position) << "\n";
    const std::string changed =
        schedule_change(model.schedule, optimizer->learning_rate(),
                        resumed->position.epochs_done + 1, resumed->total_epochs, epochs);
    if (!changed.empty()) std::cout << changed << "\n";
  }

  std::cout << "training on " << train.inputs.rows() << " samples (" << train.inputs.cols()
            << " inputs, " << train.targets.cols() << " outputs";
  if (validation.inputs.rows()) std::cout << ", " << validation.inputs.rows() << " for validation";
  std::cout << "), " << network.parameters().size() << " parameters" << std::endl;

  // The model file's training state as the run stands now: for checkpoints and --save. Weights
  // that are no longer finite are never written.
  const auto snapshot = [&] {
    const std::span<const float> parameters = network.parameters();
    const std::span<const float> state = optimizer->state();
    const TrainingPosition position = trainer.position();
    if (!all_finite(parameters) || !all_finite(state)) {
      throw TrainingError("training diverged by " + describe(position) +
                          ": the weights are no longer finite; the learning rate is likely too "
                          "high for this data");
    }
    model.parameters.assign(parameters.begin(), parameters.end());
    model.optimizer_state.assign(state.begin(), state.end());
    model.layout = layout;
    model.scaler = scaler;
    model.position = position;
    model.total_epochs = epochs;
    model.batch_size = batch_size;
    model.seed = seed;
  };
  std::optional<MetricsLog> metrics;
  if (values.count("metrics")) {
    metrics.emplace(values["metrics"].as<std::string>(),
                    resumed ? resumed->position.epochs_done : 0);
  }
  std::optional<TrainingPosition> checkpointed;  // the last checkpoint this run wrote
  const auto write_checkpoint = [&] {
    snapshot();
    save(checkpoints.file, model);
    checkpointed = model.position;
    if (metrics) metrics->sync();
  };

  Progress progress(style, epochs, train.inputs.rows());
  if (checkpoints.count > 0) {
    std::cout << "checkpoints every " << checkpoints.count
              << (checkpoints.batches ? " batches" : " epochs") << " to " << checkpoints.file
              << std::endl;
  }
  if (!checkpoints.file.empty()) remove_stale_temporaries(checkpoints.file);  // a killed run's
  const auto on_batch = [&](const BatchReport& b) {
    progress.batch_done(b);
    // Numbered across epochs, so a resumed run checkpoints where an unbroken one does.
    if (checkpoints.count > 0 && checkpoints.batches &&
        ((b.epoch - 1) * b.batches + b.batch) % checkpoints.count == 0) {
      write_checkpoint();
    }
  };
  // Ctrl-C, SIGTERM and SIGHUP end the run after the current batch, with a checkpoint.
  const InterruptHandler interrupts(
      stop, "fnn: interrupted: stopping after this batch" +
                std::string(checkpoints.file.empty() ? "" : " and saving a checkpoint") +
                " (interrupt again to quit at once)");
  try {
    while (trainer.epochs_done() < epochs && !stop.requested()) {
      EpochSummary summary;
      summary.training = trainer.train_epoch(train.inputs, train.targets, on_batch);
      if (summary.training.interrupted) break;
      if (validation.inputs.rows()) {
        const Evaluation checked = evaluate(network, *loss, validation, classes);
        summary.validation_loss = checked.loss;
        summary.validation_accuracy = checked.accuracy;
      }
      progress.epoch_done(summary);
      if (metrics) metrics->add(summary);
      if (checkpoints.count > 0 && !checkpoints.batches &&
          trainer.epochs_done() % checkpoints.count == 0) {
        write_checkpoint();
      }
    }
    if (stop.requested() && trainer.epochs_done() < epochs) {
      progress.clear_bar();
      return interrupted(values, stop.signal(), checkpoints.file,
                         describe(trainer.position()), write_checkpoint);
    }
    if (values.count("save")) snapshot();
    if (metrics) metrics->sync();
  } catch (const TrainingError& error) {
    if (checkpoints.count == 0) throw;
    throw TrainingError(std::string(error.what()) +
                        (checkpointed ? "; the last checkpoint, " + checkpoints.file + " (after " +
                                            describe(*checkpointed) +
                                            "), is kept: resume from it with a lower "
                                            "--learning-rate"
                                      : "; this run wrote no checkpoint"));
  }

  if (test) std::cout << "test: " << describe(evaluate(network, *loss, *test, classes)) << "\n";
  if (values.count("save")) {
    save(values["save"].as<std::string>(), model);
    std::cout << "saved " << values["save"].as<std::string>() << "\n";
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("done: %zu epochs in %.1f s\n", trainer.epochs_done(), elapsed.count());
  return 0;
}

}  // namespace fnn::cli
