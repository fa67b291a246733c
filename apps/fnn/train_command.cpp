// fnn train: read data, build or resume a network, train with progress, report, save.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fnn/atomic_file.hpp>
#include <fnn/blas.hpp>
#include <fnn/data_source.hpp>
#include <fnn/error.hpp>
#include <fnn/evaluation.hpp>
#include <fnn/interrupt.hpp>
#include <fnn/random.hpp>
#include <fnn/registry.hpp>
#include <fnn/schedule.hpp>
#include <fnn/trainer.hpp>
#include <fnn/version.hpp>
#include <fnn/training_run.hpp>
#include <iostream>
#include <numeric>
#include <tbb/info.h>

#include "command_line.hpp"
#include "commands.hpp"
#include "component_options.hpp"
#include "continue_command.hpp"
#include "distributed.hpp"
#include "experiment.hpp"
#include "layers_option.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "resume_command.hpp"
#include "stopping_options.hpp"
#include "sweep_parent.hpp"
#include "train_options.hpp"
#include "training_data.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

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
       "fraction of the training samples held out (seeded) to report validation loss")
      ("validation", po::value<std::string>()->value_name("FILE"),
       "validation data in a file of its own, read like --test and scaled as the training data")
      ("validation-labels", po::value<std::string>()->value_name("FILE"),
       "IDX label file of --validation")
      ("folds", po::value<long long>()->value_name("K"),
       "K-fold cross-validation: with --fold, validate on one of K folds (stratified by class, "
       "fixed by --seed) and train on the others")
      ("fold", po::value<long long>()->value_name("k"), "the validation fold, 1 to --folds");
  po::options_description model("Network and training");
  model.add_options()
      ("layers", po::value<std::string>()->value_name("SPEC"),
       "the whole network in order, entries NAME[:KEY=VALUE,...] separated by spaces, any "
       "layer or activation (fnn plugins lists them), e.g. \"dense:units=256 relu "
       "dropout:rate=0.2 dense:units=128 relu dense softmax\"; the last dense layer's units, "
       "when left out, come from the data. Instead of the shorthand below")
      ("hidden", po::value<std::string>()->value_name("WIDTHS")->default_value("16"),
       "shorthand for --layers: hidden layer widths, e.g. 256,128; input and output widths "
       "come from the data")
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
       "every N epochs); or plateau:P:F[:MIN] (times F when the --monitor value has not improved "
       "for P epochs, not below the rate MIN)")
      ("batch-size", po::value<long long>()->value_name("N")->default_value(32),
       "samples per step")
      ("shards", po::value<long long>()->value_name("S")->default_value(1),
       "cut every batch into S fixed shards added by a fixed tree (docs/distributed.md); under "
       "mpirun or srun with N processes, a multiple of N, default N")
      ("exchange-timeout", po::value<double>()->value_name("SECONDS")->default_value(60.0),
       "under mpirun or srun: how long a rank waits for the others at start-up and for their "
       "shards of each batch (fnn sweep: for any word from a rank) before the job is ended, "
       "naming the step (a stuck or lost rank)")
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
       "where --checkpoint-every, and an interrupted run (Ctrl-C, SIGTERM, SIGHUP, SIGUSR1/2), "
       "write (default: the --save file with .checkpoint appended)")
      ("metrics", po::value<std::string>()->value_name("FILE"),
       "per-epoch metrics as CSV, or JSON lines if FILE ends in .jsonl")
      ("train-accuracy", po::bool_switch(),
       "evaluate the training rows after each epoch (class targets): the training accuracy in "
       "the metrics file (train_accuracy) and what fnn sweep --monitor accuracy ranks by")
      ("progress", po::value<std::string>()->value_name("STYLE")->default_value("auto"),
       "auto (a bar when stderr is a terminal), bar, or plain (one line per epoch)");
  po::options_description all("fnn train [options]\n\nTrains a network on a data set");
  all.add(data).add(model).add(stopping_options()).add(output);
  return all;
}

double exchange_timeout(const po::variables_map& values) {
  const double seconds = values["exchange-timeout"].as<double>();
  if (!(seconds > 0.0 && seconds <= 1e9)) {
    throw UsageError("--exchange-timeout must be above 0 and at most 1e9 seconds, got " +
                     to_text(seconds));
  }
  return seconds;
}

const std::vector<std::string>& options_from_model_file() {
  static const std::vector<std::string> names{"layers", "hidden", "activation", "output-activation",
                                              "dropout", "loss", "optimizer", "init", "target",
                                              "classes", "scale"};
  return names;
}

namespace {

// A resumed run takes these from its model file; giving them too would be ambiguous.
void refuse_with_resume(const po::variables_map& values) {
  for (const std::string& name : options_from_model_file()) {
    const bool given = values.count(name) && !values[name].defaulted() &&
                       !(name == "classes" && !values[name].as<bool>());
    if (given) {
      throw UsageError(std::string("fnn train: --") + name +
                       " cannot be combined with --resume: it comes from the model file");
    }
  }
}

// The shorthand options expand to a --layers spec; both at once would be ambiguous.
void refuse_shorthand_with_layers(const po::variables_map& values) {
  if (!values.count("layers")) return;
  for (const char* name : {"hidden", "activation", "output-activation", "dropout"}) {
    if (values.count(name) && !values[name].defaulted()) {
      throw UsageError(std::string("fnn train: --") + name +
                       " cannot be combined with --layers: it is shorthand for a --layers spec; "
                       "name the whole network in --layers");
    }
  }
}

// Where checkpoints go (--checkpoint, else beside --save; none when neither is given) and how
// often.
CheckpointPolicy checkpoint_policy(const po::variables_map& values) {
  CheckpointPolicy plan;
  if (values.count("checkpoint")) {
    plan.file = values["checkpoint"].as<std::string>();
  } else if (values.count("save")) {
    plan.file = values["save"].as<std::string>() + ".checkpoint";
  }
  if (!values.count("checkpoint-every")) return plan;
  const std::string text = values["checkpoint-every"].as<std::string>();
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), plan.every);
  const std::string unit(end, text.data() + text.size());
  plan.batches = unit == "batches" || unit == "batch";
  if (error != std::errc{} || end == text.data() || plan.every == 0 ||
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

// The end of a run stopped by a signal: a checkpoint where the run stands (if it has somewhere
// to go), the command that continues it, and the exit status a shell expects (128 + signal).
int interrupted(const po::variables_map& values, int signal, const std::string& checkpoint,
                const std::string& where) {
  std::string text = "fnn: " + signal_name(signal) + ": training stopped after " + where;
  if (checkpoint.empty()) {
    text += "; nothing was saved: give --save FILE or --checkpoint FILE to keep an interrupted "
            "run's work\n";
  } else {
    const Job* job = current_job();  // its ranks resume under the launcher again
    text += "; saved the checkpoint " + checkpoint + "\n" +
            continue_lines(resume_command(program_name(), values, checkpoint), job ? job->size : 1);
  }
  // In one write: under mpirun the other ranks' notices, written at the same moment, would
  // otherwise land inside these lines.
  std::cerr << text << std::flush;
  return 128 + signal;
}

// --folds K --fold k as (k, K), checked before any file is read; none without --folds.
std::optional<std::pair<std::size_t, std::size_t>> validation_fold(const po::variables_map& values) {
  if (!values.count("folds") && !values.count("fold")) return std::nullopt;
  if (!values.count("folds") || !values.count("fold")) {
    throw UsageError("fnn train: --folds K and --fold k go together (validate on fold k of K)");
  }
  if (!values["validation-split"].defaulted() || values.count("validation")) {
    throw UsageError("fnn train: --folds chooses the validation rows; drop --validation-split "
                     "and --validation");
  }
  const std::size_t folds = at_least(values, "folds", 2);
  const std::size_t fold = at_least(values, "fold", 1);
  if (fold > folds) {
    throw UsageError("--fold must be at most --folds (" + std::to_string(folds) + "), got " +
                     std::to_string(fold));
  }
  return std::pair(fold, folds);
}

// What the ranks of a job must agree on before training: the same fnn, plugin files and BLAS
// core, network, data (after scaling), options, and as many parameters and optimizer values to
// broadcast.
Fingerprint fingerprint(const Registry& registry, const ModelInfo& info, const Network& network,
                        const std::string& train, const std::string& validation) {
  const TrainingState& training = *info.training;
  Fingerprint result{
      {"fnn", std::string(version) + " (plugin ABI " + std::to_string(abi_version) + ")"},
      {"BLAS", blas::describe()},
      {"CPU", math_library_variant()},
      {"network", std::to_string(network.input_size()) + " inputs, " +
                      to_text(network.spec().layers)},
      {"training data", train},
      {"validation", validation},
      {"--loss", to_text(info.loss)},
      {"--optimizer", to_text(training.optimizer)},
      {"--schedule", training.schedule},
      {"--batch-size", std::to_string(training.batch_size)},
      {"--shards", std::to_string(training.shards)},
      {"--epochs", std::to_string(training.total_epochs)},
      {"--seed", std::to_string(training.seed)},
      {"position", describe(training.position)},
      {"parameters", std::to_string(network.parameters().size())},
      {"optimizer state", std::to_string(training.optimizer_state.size()) + " values"}};
  const Fingerprint plugins = plugin_fingerprint(registry.plugin_files());
  result.insert(result.begin() + 2, plugins.begin(), plugins.end());
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
      given_files(values, {"train", "train-labels", "test", "test-labels", "validation",
                           "validation-labels", "config", "resume"}),
      outputs);
  const auto start = std::chrono::steady_clock::now();

  const bool resuming = values.count("resume") > 0;
  const std::string resume_file = resuming ? values["resume"].as<std::string>() : "";
  if (resuming) refuse_with_resume(values);
  refuse_shorthand_with_layers(values);
  const std::size_t epochs = at_least(values, "epochs", 1);
  const std::size_t threads = thread_count(values);
  // One thread more than --threads for the trainer's prefetching reader where a core is left
  // for it (with none, a third thread on two cores stalls the parallel loops more than the
  // overlap gains: measured, docs/performance.md); the trainer's batches and TrainingRun's
  // evaluations keep to `threads` in arenas of their own.
  const std::size_t cores = static_cast<std::size_t>(tbb::info::default_concurrency());
  const auto thread_limit =
      limit_threads(threads == 0 || threads >= cores ? threads : threads + 1);
  const Progress::Style style = Progress::parse(values["progress"].as<std::string>());
  const CheckpointPolicy checkpoints = checkpoint_policy(values);
  const double timeout = exchange_timeout(values);
  // Every option is checked before any file is read.
  const std::string schedule_text = values["schedule"].as<std::string>();
  const auto schedule =
      from_options("--schedule", [&] { return LearningRateSchedule::parse(schedule_text); });
  const std::optional<Monitoring> monitoring =
      resuming ? std::nullopt : monitoring_from_options(values, schedule);
  const std::vector<std::size_t> hidden =
      parse_widths("hidden", values["hidden"].as<std::string>());
  const double validation_split = fraction(values, "validation-split");
  const auto fold = validation_fold(values);
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
  std::optional<LayersOption> layers;
  if (values.count("layers")) {
    layers.emplace(registry, values["layers"].as<std::string>());
  } else if (!resuming) {
    require_activation(registry, "--activation", activation);
    if (output_activation) require_activation(registry, "--output-activation", *output_activation);
  }
  std::optional<LoadedModel> resumed;
  if (resuming) {
    resumed.emplace(load_model(resume_file, registry));
    if (!resumed->info.training) {
      throw DataError(resume_file + ": this model was saved without its training state, so "
                      "there is no run to resume; train a new one (docs/model-format.md)");
    }
  }
  ModelInfo info = resumed ? resumed->info : ModelInfo{};
  TrainingState& training = info.training ? *info.training : info.training.emplace();
  const std::size_t saved_epochs = training.total_epochs;  // 0 for a new run
  // A resumed run keeps its batch size and seed unless they are given again.
  if (!resumed || !values["batch-size"].defaulted()) {
    training.batch_size = at_least(values, "batch-size", 1);
  }
  const Job* const job = current_job();
  if (!resumed || !values["shards"].defaulted()) {
    training.shards = at_least(values, "shards", 1);
    if (training.shards > max_shards) {
      throw UsageError("--shards must be at most " + std::to_string(max_shards) + ", got " +
                       std::to_string(training.shards));
    }
    if (job && values["shards"].defaulted()) training.shards = job->size;  // one shard a rank
  }
  if (job && training.shards % job->size != 0) {
    if (resumed && values["shards"].defaulted()) {
      // The count comes from the file, not the command line: say so, and which jobs can run it.
      std::string divisors;
      for (std::size_t n = 1; n <= training.shards; ++n) {
        if (training.shards % n != 0) continue;
        divisors += (divisors.empty() ? "" : ", ") + std::to_string(n);
      }
      throw UsageError(resume_file + " was trained with " + std::to_string(training.shards) +
                       " shards a batch, which the job's " + std::to_string(job->size) +
                       " processes cannot share evenly: resume it on " + divisors +
                       " processes (the shard count is part of the run, docs/distributed.md)");
    }
    throw UsageError("--shards " + std::to_string(training.shards) +
                     " must be a multiple of the job's " + std::to_string(job->size) +
                     " processes: each computes the same number of shards of every batch");
  }
  if (!resumed || !values["seed"].defaulted()) {
    training.seed = static_cast<std::uint64_t>(values["seed"].as<long long>());
  }
  if (resumed) {
    const TrainingState& saved = *resumed->info.training;
    if (saved.position.epochs_done >= epochs) {
      throw UsageError("fnn train: the model has already been trained for " +
                       std::to_string(saved.position.epochs_done) +
                       " epochs; give --epochs a larger total");
    }
    check_resumed_monitoring(values, saved.monitoring, saved.schedule);
    if (saved.monitor_state.stopped_epoch > 0) {
      throw UsageError("fnn train: early stopping ended the run of " + resume_file + " at epoch " +
                       std::to_string(saved.monitor_state.stopped_epoch) +
                       "; there is nothing to continue");
    }
    if (saved.position.batches_done > 0 && training.batch_size != saved.batch_size) {
      throw UsageError("fnn train: " + resume_file +
                       " is a checkpoint inside an epoch; it continues only with its own batch "
                       "size, " + std::to_string(saved.batch_size));
    }
    if (saved.position.batches_done > 0 && training.shards != saved.shards) {
      throw UsageError("fnn train: " + resume_file + " is a checkpoint inside an epoch; it "
                       "continues only with its own shard count, " + std::to_string(saved.shards));
    }
  }
  training.total_epochs = epochs;
  if (!resumed) training.monitoring = monitoring;

  // Data: read, one-hot, split, scale.
  DataLayout& layout = info.layout;
  if (!resumed) layout = DataLayout{split_list(values["target"].as<std::string>()), 0};
  // A data store streams: its rows are read as batches need them, never loaded whole
  // (training_data.hpp).
  TrainingData data(values, layout, !resumed, !resumed && values["classes"].as<bool>(),
                    fold.has_value());
  const bool classes = layout.classes > 0;
  check_monitored_classes(training.monitoring, classes);
  if (values["train-accuracy"].as<bool>() && !classes) {
    throw UsageError("fnn train: --train-accuracy needs class targets: give --classes (IDX data "
                     "has them)");
  }
  data.hold_out(validation_split, fold, training.seed, classes);
  if (!resumed) info.scaler = data.fit(scale);  // fitted on the training rows only
  data.scale(info.scaler);

  // Network, loss, optimizer.
  if (!resumed) {
    info.loss = loss_choice;
    training.optimizer = optimizer_choice;
    training.init = init_choice;
  } else if (values.count("learning-rate")) {
    training.optimizer.options.set("learning_rate", to_text(values["learning-rate"].as<double>()));
  }
  if (!resumed || !values["schedule"].defaulted()) training.schedule = schedule_text;
  const auto built = [&] {
    const std::size_t inputs = data.input_count();
    const std::size_t targets = data.target_count();
    return Network(registry, layers ? layers->network(inputs, targets)
                                    : perceptron(inputs, hidden, activation, output_activation,
                                                 targets, dropout));
  };
  const char* network_options =
      layers ? "--layers" : "--hidden/--activation/--output-activation/--dropout";
  Network network = resumed ? std::move(resumed->network) : from_options(network_options, built);
  data.check_fits(network);
  // A resumed run's components come from its model file: a bad one is that file's fault.
  const auto make_component = [&](const std::string& option_names, auto make) {
    return resumed ? from_model_file(resume_file, make) : from_options(option_names, make);
  };
  make_component("--loss", [&] { return registry.make_loss(info.loss.name, info.loss.options); });
  const auto optimizer = make_component("--optimizer/--learning-rate", [&] {
    return registry.make_optimizer(training.optimizer.name, training.optimizer.options);
  });
  // Everything the run needs is checked before the first epoch: the test data too.
  data.open_evaluation(values, layout, network, info.scaler);
  if (!resumed) {
    const auto init = from_options("--init", [&] {
      return registry.make_initializer(training.init.name, training.init.options);
    });
    Rng rng(training.seed);
    network.initialize(*init, rng);
  }

  if (job) {  // every rank starts from rank 0's parameters and optimizer state
    job->mpi.exchange().set_deadline(timeout);  // every exchange from here on
    stall_for_test(*job, "agreement");
    agree(*job, fingerprint(registry, info, network, data.train_fingerprint(),
                            data.validation_fingerprint()));
    stall_for_test(*job, "parameters");
    job->mpi.exchange().broadcast(network.parameters());
    job->mpi.exchange().broadcast(training.optimizer_state);
  }

  StopRequest stop;  // set by a signal (InterruptHandler below)
  RunOptions run_options{.threads = threads,
                         .checkpoints = checkpoints,
                         .metrics = {},
                         .stop = &stop,
                         .exchange = job ? &job->mpi.exchange() : nullptr,
                         .writes_files = !job || job->rank == 0,
                         .training_accuracy = values["train-accuracy"].as<bool>()};
  if (values.count("metrics")) run_options.metrics = values["metrics"].as<std::string>();
  std::optional<TrainingRun> run;
  make_component("--loss/--optimizer", [&] { run.emplace(registry, network, info, run_options); });
  // Its batch memory, sized by the data: what cannot fit is refused before the first epoch.
  const SampleSource& train_rows = data.train();
  const SampleSource* validation_rows = &data.validation();
  from_options("--batch-size", [&] { run->reserve(train_rows.rows()); });
  if (resumed) {
    const TrainingPosition& position = resumed->info.training->position;
    std::cout << "resuming " << resume_file << " after " << describe(position) << "\n";
    const std::string changed =
        schedule_change(training.schedule, optimizer->learning_rate(), position.epochs_done + 1,
                        saved_epochs, epochs);
    if (!changed.empty()) std::cout << changed << "\n";
  }

  std::cout << "training on " << train_rows.rows() << " samples (" << train_rows.input_count()
            << " inputs, " << train_rows.target_count() << " outputs";
  if (validation_rows->rows()) std::cout << ", " << validation_rows->rows() << " for validation";
  std::cout << "), " << network.parameters().size() << " parameters" << std::endl;

  Progress progress(style, epochs, train_rows.rows());
  if (checkpoints.every > 0) {
    std::cout << "checkpoints every " << checkpoints.every
              << (checkpoints.batches ? " batches" : " epochs") << " to "
              << checkpoints.file.string() << std::endl;
  }
  // Ctrl-C, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 end the run after the current batch, with a
  // checkpoint.
  // In a job every rank stops after the same batch: the one whose exchange first carries a
  // rank's stop request (docs/distributed.md).
  const InterruptHandler interrupts(
      stop, "fnn: " + (job ? job->name() + ": " : std::string()) + "interrupted: stopping after " +
                (job ? "the next batch on every rank" : "this batch") +
                std::string(checkpoints.file.empty() ? "" : " and saving a checkpoint") +
                " (interrupt again to quit at once)");
  stop_with_the_sweep();  // a trial of a sweep that died stops too
  const bool complete =
      run->train(train_rows, validation_rows,
                 {.on_batch = [&](const BatchReport& b) { progress.batch_done(b); },
                  .on_epoch = [&](const EpochSummary& summary) { progress.epoch_done(summary); }});
  progress.finish();  // the lines the throttle held back: the best epoch's, the last one's
  const bool keeps_best = training.monitoring && training.monitoring->patience > 0;
  const bool writes_files = !job || job->rank == 0;
  if (!complete) {
    if (keeps_best && values.count("save") && run->monitor_state().best_epoch > 0 &&
        writes_files) {
      run->save(values["save"].as<std::string>());  // the best so far; the checkpoint: the latest
      std::cerr << "fnn: saved the best model so far (epoch " << run->monitor_state().best_epoch
                << ") to " << values["save"].as<std::string>() << "\n";
    }
    if (job) {
      mark_ended_together();  // every rank stops here: main ends the job normally
      if (!writes_files) return 128 + run->stop_signal();  // rank 0 says where and how to go on
    }
    return interrupted(values, run->stop_signal(), checkpoints.file.string(),
                       describe(run->position()));
  }
  if (const std::string line = stopping_report(training.monitoring, run->monitor_state());
      !line.empty()) {
    std::cout << line << "\n";
  }
  if (const EvaluationData* test = data.test()) {
    std::cout << "test: " << describe(run->evaluate(test->rows(), classes)) << "\n";
  }
  if (values.count("save") && writes_files) {
    run->save(values["save"].as<std::string>());
    std::cout << "saved " << values["save"].as<std::string>() << "\n";
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("done: %zu epochs in %.1f s\n", run->epochs_done(), elapsed.count());
  return 0;
}

}  // namespace fnn::cli
