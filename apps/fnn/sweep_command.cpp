// fnn sweep: many fnn train runs of one base configuration with options varied (a grid, or a
// random sample), optionally K-fold cross-validated, J at a time, each a child process in its own
// directory; run again, it continues. The sweep itself is fnn::run_trials (fnn/sweep.hpp).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tbb/info.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fnn/atomic_file.hpp>
#include <fnn/error.hpp>
#include <fnn/interrupt.hpp>
#include <fnn/names.hpp>
#include <fnn/sweep.hpp>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <thread>

#include "command_line.hpp"
#include "commands.hpp"
#include "continue_command.hpp"
#include "distributed.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "resume_command.hpp"
#include "stopping_options.hpp"
#include "sweep_parent.hpp"
#include "sweep_plot.hpp"
#include "sweep_ranks.hpp"
#include "train_options.hpp"
#include "usage_error.hpp"

extern char** environ;

namespace fnn::cli {

namespace {

namespace fs = std::filesystem;

// Train options the sweep sets for each trial itself; they cannot be swept or passed through.
const std::vector<std::string> per_trial_options{"save",     "resume", "metrics", "checkpoint",
                                                 "progress", "folds",  "fold"};
// Train options that name input files: written to trial configs as absolute paths, so that a
// trial's config.ini runs from any directory.
const std::vector<std::string> input_file_options{"train", "train-labels", "test", "test-labels",
                                                  "validation"};

// Whether this process talks for the sweep: it runs alone, or is rank 0 of a job (the other
// ranks only run the trials they are given, and say nothing but errors).
bool speaks_for_the_sweep() { return current_job() == nullptr || current_job()->rank == 0; }

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string in_quotes(const std::string& text) {
  std::string result = "'";
  result += text;
  result += '\'';
  return result;
}

po::options_description sweep_options(const po::options_description& train) {
  po::options_description sweep("Sweep");
  // clang-format off
  sweep.add_options()
      ("out", po::value<std::string>()->value_name("DIR"),
       "the sweep's directory: a directory per trial (config.ini, metrics.csv, model.fnn, log), "
       "summary.csv, best.ini. Run the same command again to continue a stopped sweep")
      ("grid", po::value<std::vector<std::string>>()->value_name("NAME=V1,V2,...")->composing(),
       "sweep an fnn train option over values (repeatable: every combination is run); a comma "
       "followed by KEY= stays in the value (sgd:momentum=0.9,nesterov=true), a value in double "
       "quotes is taken whole")
      ("range", po::value<std::vector<std::string>>()->value_name("NAME=RANGE")->composing(),
       "with --random: sample an option from LOW:HIGH (uniform), log:LOW:HIGH (log-uniform) or "
       "int:LOW:HIGH (whole numbers, both ends included)")
      ("random", po::value<long long>()->value_name("N"),
       "run N configurations sampled from --seed (--grid values become choices)")
      ("folds", po::value<long long>()->value_name("K"),
       "K-fold cross-validation of each configuration (stratified for --classes, folds fixed "
       "by --seed): summary.csv reports the mean and standard deviation over the folds")
      ("jobs", po::value<long long>()->value_name("J")->default_value(1),
       "trials run at once (on each rank under mpirun or srun); each gets max(1, T / J) threads "
       "of the budget T (--threads, else the cores), so J must be at most T");
  // clang-format on
  if (train.find_nothrow("monitor", false) == nullptr) {
    sweep.add_options()("monitor", po::value<std::string>()->value_name("NAME"),
                        "what ranks the configurations: val_loss, val_accuracy, loss or "
                        "accuracy (default: val_loss with validation data, else loss)");
  }
  po::options_description all(
      "fnn sweep --config BASE.ini --grid NAME=V1,V2 ... --out DIR [train options]\n\n"
      "Runs fnn train for every configuration (and fold), J at a time");
  all.add(sweep);
  po::options_description passed("Train options (the base configuration; see fnn train --help)");
  for (const auto& option : train.options()) {
    if (option->long_name() != "folds" && option->long_name() != "fold") passed.add(option);
  }
  all.add(passed);
  return all;
}

// Runs `make`; its SpecError (whose message names the option and text) is a usage error.
template <class Make>
auto usage_of(Make&& make) {
  try {
    return make();
  } catch (const SpecError& error) {
    throw UsageError(std::string("fnn sweep: ") + error.what());
  }
}

std::string configuration_text(const SweepConfiguration& configuration) {
  std::string text;
  for (const auto& [name, value] : configuration) {
    if (!text.empty()) text += ' ';
    text += name + "=" + value;
  }
  return text;
}

// The swept parameters, their names checked against fnn train's options.
std::vector<SweepParameter> swept_parameters(const po::variables_map& values,
                                             const po::options_description& train) {
  std::vector<std::string> train_names;
  for (const auto& option : train.options()) train_names.push_back(option->long_name());
  std::vector<SweepParameter> parameters;
  const auto add = [&](const std::string& option, auto parse) {
    if (!values.count(option)) return;
    for (const std::string& text : values[option].as<std::vector<std::string>>()) {
      SweepParameter parameter = usage_of([&] { return parse(text); });
      const std::string& name = parameter.name;
      if (contains(per_trial_options, name) || !contains(train_names, name)) {
        const std::string nearest = nearest_name(name, train_names);
        throw UsageError(
            "fnn sweep: --" + option + " " + in_quotes(text) + ": " +
            (contains(per_trial_options, name)
                 ? "--" + name + " is set for each trial by the sweep and cannot be swept"
                 : in_quotes(name) + " is not an option of fnn train" +
                       (nearest.empty() ? "" : "; did you mean '" + nearest + "'?")));
      }
      for (const SweepParameter& other : parameters) {
        if (other.name == name) {
          throw UsageError("fnn sweep: --" + option + " " + in_quotes(text) + ": " +
                           in_quotes(name) + " is swept twice");
        }
      }
      parameters.push_back(std::move(parameter));
    }
  };
  add("grid", parse_grid_axis);
  add("range", parse_sweep_range);
  return parameters;
}

// The base settings: every train option given on the command line or in --config, in
// fnn train's order, without those the sweep sets per trial.
SweepConfiguration base_settings(const po::variables_map& values,
                                 const po::options_description& train) {
  SweepConfiguration settings;
  for (const auto& option : train.options()) {
    const std::string name = option->long_name();
    if (!values.count(name) || values[name].defaulted()) continue;
    if (contains(per_trial_options, name)) {
      if (speaks_for_the_sweep())
        std::cerr << "fnn sweep: note: --" << name << " is set for each trial by the sweep; "
                << in_quotes(value_text(values[name].value())) << " is not used\n";
      continue;
    }
    std::string text = value_text(values[name].value());
    if (contains(input_file_options, name) && text != "-") text = fs::absolute(text).string();
    settings.emplace_back(name, text);
  }
  for (const fs::path& directory : plugin_directories(values)) {
    settings.emplace_back("plugin-dir", fs::absolute(directory).string());
  }
  return settings;
}

// Parses a trial's configuration as fnn train would read it: a value of the wrong type is a
// usage error of the sweep, found before anything runs.
void check_parses(const std::string& ini, const SweepConfiguration& swept, std::size_t number) {
  po::options_description options = train_options();
  options.add(common_options());
  std::istringstream in(ini);
  try {
    po::variables_map parsed;
    po::store(po::parse_config_file(in, options, false), parsed);
    po::notify(parsed);
  } catch (const po::error& error) {
    throw UsageError("fnn sweep: configuration " + std::to_string(number) + " (" +
                     configuration_text(swept) +
                     ") is not one fnn train accepts: " + std::string(error.what()));
  }
}

std::size_t at_least_option(const po::variables_map& values, const std::string& name,
                            long long minimum) {
  return values.count(name) ? at_least(values, name, minimum) : 0;
}

// The last non-empty line of a file (a failed trial's error), or "".
std::string last_line(const fs::path& file) {
  std::ifstream in(file);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

// The environment for a trial: this one without a launcher's variables (Open MPI's OMPI_*,
// PMIx's PMIX_*, PMI's PMI_*). A trial of a sweep across ranks is one process on its own; with
// them it would take itself for a rank (fnn::detect_launcher) and be refused. The sweep's process
// id is added (sweep_parent.hpp).
std::vector<char*> trial_environment() {
  std::vector<char*> kept{const_cast<char*>(sweep_parent_entry())};
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string_view text(*variable);
    const bool launcher = text.starts_with("OMPI_") || text.starts_with("PMIX_") ||
                          text.starts_with("PMI_") || text.starts_with("FNN_SWEEP_PARENT=");
    if (!launcher) kept.push_back(*variable);
  }
  kept.push_back(nullptr);
  return kept;
}

// One trial as a child process: fnn train on its config.ini, output to its log. Children run in
// a process group of their own, so that a Ctrl-C reaches them once, forwarded by the sweep.
class TrialProcess {
 public:
  TrialProcess(const fs::path& directory, std::vector<std::string> args) {
    args.insert(args.begin(), program_name());
    std::vector<char*> argv;
    for (std::string& word : args) argv.push_back(word.data());
    argv.push_back(nullptr);
    const std::string log = (directory / "log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    std::vector<char*> environment = trial_environment();
    const int failed = posix_spawn(&pid_, "/proc/self/exe", &actions, &attributes, argv.data(),
                                   environment.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) {
      throw Error("cannot start fnn train for " + directory.string() + ": " +
                  std::strerror(failed));
    }
  }

  // Waits for the end, forwarding a stop request once as the signal that made it. The child's
  // pidfd wakes the wait the moment it ends (a sleep would add its latency to every trial);
  // every 20 ms the stop request is looked at.
  int wait(const StopRequest& stop) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    bool forwarded = false;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (stop.requested() && !forwarded) {
        ::kill(pid_, stop.signal() != 0 ? stop.signal() : SIGTERM);
        forwarded = true;
      }
      if (pidfd >= 0) {
        pollfd ended{pidfd, POLLIN, 0};
        ::poll(&ended, 1, 20);
      } else {  // a kernel before 5.3
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (pidfd >= 0) ::close(pidfd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = 0;
};

struct SweepPlan {
  std::vector<SweepConfiguration> swept;  // per configuration: the swept values
  std::vector<SweepTrial> trials;
  std::vector<std::string> configs;         // per trial: its config.ini
  std::vector<std::string> resume_configs;  // the same without what a checkpoint holds
  std::size_t threads = 1;                  // per trial
};

std::string resume_config(const SweepConfiguration& settings) {
  SweepConfiguration kept;
  for (const auto& setting : settings) {
    if (!contains(options_from_model_file(), setting.first) &&
        !contains(stopping_option_names(), setting.first)) {
      kept.push_back(setting);
    }
  }
  return ini_text(kept);
}

// A trial that neither stops early nor follows a plateau watches nothing: the sweep's --monitor
// then only ranks the configurations, and fnn train would refuse it.
SweepConfiguration without_idle_watching(SweepConfiguration settings) {
  const auto setting = [&](const std::string& name) {
    return std::find_if(settings.begin(), settings.end(),
                        [&](const auto& entry) { return entry.first == name; });
  };
  const auto schedule = setting("schedule");
  const bool plateau = schedule != settings.end() && schedule->second.starts_with("plateau:");
  if (plateau || setting("early-stopping") != settings.end()) return settings;
  std::erase_if(settings,
                [](const auto& entry) { return contains(watching_option_names(), entry.first); });
  return settings;
}

TrialOutcome run_trial(const SweepPlan& plan, std::size_t index, const StopRequest& stop) {
  const SweepTrial& trial = plan.trials[index];
  const fs::path& directory = trial.directory;
  const fs::path metrics = directory / "metrics.csv";
  const fs::path model = directory / "model.fnn";
  const fs::path checkpoint = directory / "checkpoint.fnn";
  fs::create_directories(directory);
  if (const Job* job = current_job()) {
    // Another host may not see the directory rank 0 wrote; the log says which rank ran the trial.
    if (!fs::exists(directory / "config.ini")) {
      write_file_atomically(directory / "config.ini", plan.configs[index]);
    }
    std::ofstream(directory / "log", std::ios::app)
        << "fnn sweep: trial run by " << job->name() << ", process " << ::getpid() << "\n";
  }
  std::vector<std::string> args{"train", "--config", (directory / "config.ini").string()};
  if (fs::exists(checkpoint)) {
    write_file_atomically(directory / "resume.ini", plan.resume_configs[index]);
    args = {"train", "--config", (directory / "resume.ini").string(), "--resume",
            checkpoint.string()};
  }
  for (const auto& [option, value] : {std::pair<std::string, std::string>{"--save", model.string()},
                                      {"--metrics", metrics.string()},
                                      {"--checkpoint", checkpoint.string()},
                                      {"--threads", std::to_string(plan.threads)},
                                      {"--progress", "plain"}}) {
    args.insert(args.end(), {option, value});
  }
  TrialProcess process(directory, args);
  const int status = process.wait(stop);
  if (status == 0) return {TrialOutcome::Status::finished, read_trial_metrics(metrics), {}};
  if (stop.requested() && status > 128) return {TrialOutcome::Status::stopped, {}, {}};
  return {TrialOutcome::Status::failed,
          {},
          "exit status " + std::to_string(status) + ": " + last_line(directory / "log")};
}

// A value for people: 6 significant digits (summary.csv keeps every digit).
std::string short_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// "c03": the directory of configuration `c` (its folds' parent).
std::string configuration_name(const SweepPlan& plan, std::size_t c) {
  const auto first =
      std::find_if(plan.trials.begin(), plan.trials.end(),
                   [&](const SweepTrial& trial) { return trial.configuration == c; });
  const fs::path& directory = first->directory;
  return (first->fold > 0 ? directory.parent_path() : directory).filename().string();
}

// summary.png: the monitored metric of each configuration (± its spread over folds) against each
// swept option, and the best configuration's learning curves (its first trial's). Without gnuplot
// the sweep's results stand: a warning, not a failure.
void draw_summary(const SweepPlan& plan, const std::vector<ConfigurationSummary>& summaries,
                  const std::optional<std::size_t>& best, const std::string& monitor,
                  const fs::path& out) {
  SweepPlotData data;
  data.metric = monitored_column(monitor).first;
  for (const ConfigurationSummary& summary : summaries) {
    const auto metric =
        std::find_if(summary.metrics.begin(), summary.metrics.end(),
                     [&](const SweepStatistic& m) { return m.name == data.metric; });
    const bool present = metric != summary.metrics.end() && summary.trials > 0;
    data.values.push_back(present ? metric->mean : std::numeric_limits<double>::quiet_NaN());
    data.deviations.push_back(present ? metric->std : 0.0);
  }
  for (std::size_t option = 0; option < plan.swept.front().size(); ++option) {
    SweepPlotData::Parameter parameter{plan.swept.front()[option].first, {}};
    for (const SweepConfiguration& swept : plan.swept) {
      parameter.values.push_back(swept[option].second);
    }
    data.parameters.push_back(std::move(parameter));
  }
  if (best) {
    data.best_trial = *best;
    const auto first = std::find_if(plan.trials.begin(), plan.trials.end(),
                                    [&](const SweepTrial& t) { return t.configuration == *best; });
    data.best_metrics = first->directory / "metrics.csv";
    data.best_name = configuration_name(plan, *best);
  }
  try {
    write_sweep_plot(data, out / "summary.png");
    std::cout << "wrote " << (out / "summary.png").string() << "\n";
  } catch (const Error& error) {
    std::cerr << "fnn sweep: warning: summary.png was not drawn: " << error.what() << "\n";
  }
}

std::string trial_name(const SweepTrial& trial, const fs::path& out) {
  return fs::relative(trial.directory, out).string();
}

// The sweep's progress on stderr: a line redrawn in place on a terminal, else one line per
// finished trial.
class SweepProgress {
 public:
  SweepProgress(const SweepPlan& plan, const fs::path& out, std::string monitor)
      : plan_(plan),
        out_(out),
        monitor_(std::move(monitor)),
        terminal_(::isatty(STDERR_FILENO) != 0) {
    for (const SweepTrial& trial : plan.trials) {  // finished by an earlier run of the sweep
      std::optional<TrialResult> result = finished_result(trial);
      if (result)
        outcomes_.push_back(TrialOutcome{TrialOutcome::Status::finished, *result, {}});
      else
        outcomes_.emplace_back();
      done_ += result ? 1 : 0;
    }
  }

  void started(const SweepTrial&) {
    ++running_;
    if (terminal_) draw("");
  }

  void ended(const SweepTrial& trial, const TrialOutcome& outcome) {
    --running_;
    const auto index = static_cast<std::size_t>(&trial - plan_.trials.data());
    if (outcome.status == TrialOutcome::Status::stopped) return;
    outcomes_[index] = outcome;
    ++done_;
    ++run_here_;
    std::string what = trial_name(trial, out_);
    what += outcome.status == TrialOutcome::Status::failed ? " failed" : " finished";
    draw(what + "; ");
  }

  void finish() {
    if (terminal_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  void draw(const std::string& prefix) {
    const std::size_t total = plan_.trials.size();
    std::string line = "sweep: " + prefix + std::to_string(done_) + "/" + std::to_string(total) +
                       " trials done, " + std::to_string(running_) + " running";
    const auto summaries = summarize(plan_.swept.size(), plan_.trials, outcomes_);
    if (const auto best = best_configuration(summaries, monitor_)) {
      const std::string column = monitored_column(monitor_).first;
      for (const SweepStatistic& metric : summaries[*best].metrics) {
        if (metric.name == column) {
          line += ", best so far " + configuration_name(plan_, *best) + " " + monitor_ + " " +
                  short_number(metric.mean);
        }
      }
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (run_here_ > 0 && done_ < total) {
      const double per_trial = elapsed / static_cast<double>(run_here_);
      line +=
          ", about " + format_duration(per_trial * static_cast<double>(total - done_)) + " left";
    }
    if (terminal_)
      std::cerr << "\r\033[K" << line << std::flush;
    else
      std::cerr << line << "\n";
  }

  const SweepPlan& plan_;
  fs::path out_;
  std::string monitor_;
  std::vector<std::optional<TrialOutcome>> outcomes_;
  bool terminal_;
  std::size_t done_ = 0;
  std::size_t running_ = 0;
  std::size_t run_here_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Refuses an --out that is a file (an input, say) or whose summary.csv or best.ini would
// replace an input, before anything is written.
void check_out(const po::variables_map& values, const fs::path& out) {
  std::error_code error;
  if (fs::exists(out, error) && !fs::is_directory(out, error)) {
    throw UsageError("fnn sweep: --out " + in_quotes(out.string()) +
                     " is a file, not a directory; name a new or existing directory");
  }
  if (!fs::is_directory(out, error)) return;  // a new directory holds no input
  check_output_files(
      given_files(values, {"config", "train", "train-labels", "test", "test-labels"}),
      {{"--out (summary.csv)", (out / "summary.csv").string()},
       {"--out (best.ini)", (out / "best.ini").string()}});
}

std::string continue_command(const std::vector<std::string>& args) {
  std::string command = shell_quoted(program_name()) + " sweep";
  for (const std::string& word : args) (command += ' ') += shell_quoted(word);
  return command;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  const po::options_description train = train_options();
  const auto parsed = parse_command("sweep", sweep_options(train), args);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;
  if (!values.count("out")) throw_missing("sweep", "out");
  const fs::path out = values["out"].as<std::string>();

  // Every text is checked before anything is written.
  const std::vector<SweepParameter> parameters = swept_parameters(values, train);
  const std::size_t random = at_least_option(values, "random", 1);
  const std::size_t folds = at_least_option(values, "folds", 2);
  const std::size_t jobs = at_least(values, "jobs", 1);
  const bool has_range = std::any_of(parameters.begin(), parameters.end(),
                                     [](const SweepParameter& p) { return p.range.has_value(); });
  if (has_range && random == 0) {
    throw UsageError(
        "fnn sweep: --range samples values for --random N; give --random, or "
        "list values with --grid");
  }
  if (random > 0 && parameters.empty()) {
    throw UsageError("fnn sweep: --random needs something to sample: --range or --grid");
  }
  if (folds > 0 && !values["validation-split"].defaulted()) {
    throw UsageError("fnn sweep: --folds chooses the validation rows; drop --validation-split");
  }
  std::size_t budget = thread_count(values);
  if (budget == 0) {  // one per core, as fnn train counts them (affinity and cgroup limits too)
    budget = static_cast<std::size_t>(std::max(1, tbb::info::default_concurrency()));
  }
  if (jobs > budget) {
    throw UsageError("fnn sweep: --jobs " + std::to_string(jobs) +
                     " would run more trials than "
                     "the " +
                     std::to_string(budget) +
                     " threads of the budget (--threads, else "
                     "the cores); give --jobs at most " +
                     std::to_string(budget));
  }
  const bool validating =
      folds > 0 || !values["validation-split"].defaulted() || values.count("validation") > 0;
  const std::string monitor = values.count("monitor") ? values["monitor"].as<std::string>()
                              : validating            ? "val_loss"
                                                      : "loss";
  usage_of([&] { return monitored_column(monitor); });
  const auto seed = static_cast<std::uint64_t>(values["seed"].as<long long>());

  SweepPlan plan;
  plan.swept = random > 0 ? random_configurations(parameters, random, seed)
                          : usage_of([&] { return grid_configurations(parameters); });
  plan.trials = sweep_trials(plan.swept.size(), folds, out);
  plan.threads = std::max<std::size_t>(1, budget / jobs);
  SweepConfiguration base = base_settings(values, train);
  // Ranking by training accuracy needs every trial to measure it (a pass over its rows per epoch).
  if (monitor == "accuracy") base = with_settings(base, {{"train-accuracy", "true"}});
  for (const SweepTrial& trial : plan.trials) {
    SweepConfiguration settings =
        without_idle_watching(with_settings(base, plan.swept[trial.configuration]));
    if (trial.fold > 0) {
      settings.emplace_back("folds", std::to_string(folds));
      settings.emplace_back("fold", std::to_string(trial.fold));
    }
    plan.configs.push_back(ini_text(settings));
    plan.resume_configs.push_back(resume_config(settings));
    if (trial.fold <= 1)
      check_parses(plan.configs.back(), plan.swept[trial.configuration], trial.configuration + 1);
  }
  const TrialRunner runner = [&](const SweepTrial& trial, const StopRequest& asked) {
    return run_trial(plan, static_cast<std::size_t>(&trial - plan.trials.data()), asked);
  };
  const Job* job = current_job();
  const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(exchange_timeout(values)));
  if (job != nullptr && job->rank != 0) {  // runs what rank 0 hands out; rank 0 writes the rest
    StopRequest stop;
    const InterruptHandler interrupts(stop, "fnn sweep: " + job->name() +
                                                ": interrupted: stopping its trials at their "
                                                "next batch, with checkpoints");
    serve_trials(job->mpi.messages(), plan.trials, runner, stop, deadline);
    mark_ended_together();
    return 0;
  }
  check_out(values, out);
  // A directory of an earlier sweep continues only with the same trials: sweep.txt lists them.
  std::string listing;
  for (std::size_t t = 0; t < plan.trials.size(); ++t) {
    ((listing += "[") += trial_name(plan.trials[t], out)) += "]\n";
    listing += plan.configs[t];
  }
  const fs::path listing_file = out / "sweep.txt";
  if (std::error_code error; fs::exists(listing_file, error)) {
    std::ifstream in(listing_file);
    if (std::string(std::istreambuf_iterator<char>(in), {}) != listing) {
      throw UsageError("fnn sweep: " + out.string() +
                       " holds another sweep (its sweep.txt lists "
                       "other trials or configurations); give a new --out, or remove it to start "
                       "over");
    }
  }
  fs::create_directories(out);
  write_file_atomically(listing_file, listing);
  for (std::size_t t = 0; t < plan.trials.size(); ++t) {
    fs::create_directories(plan.trials[t].directory);
    write_file_atomically(plan.trials[t].directory / "config.ini", plan.configs[t]);
  }

  std::cerr << "sweep: " << plan.swept.size() << " configurations"
            << (folds > 0 ? " x " + std::to_string(folds) + " folds" : std::string()) << ", "
            << jobs << " at a time"
            << (job != nullptr ? " on each of " + std::to_string(job->size) + " ranks" : "")
            << " with " << plan.threads << " threads each, in " << out.string() << "\n";
  StopRequest stop;
  const InterruptHandler interrupts(
      stop,
      "fnn sweep: interrupted: stopping the running trials at their next batch, with "
      "checkpoints (interrupt again to quit at once)");
  SweepProgress progress(plan, out, monitor);
  const SweepEvents events{
      .on_start = [&](const SweepTrial& trial) { progress.started(trial); },
      .on_end = [&](const SweepTrial& trial,
                    const TrialOutcome& outcome) { progress.ended(trial, outcome); }};
  // Across ranks every rank runs trials, rank 0 hands them out (sweep_ranks.hpp).
  const auto outcomes =
      job != nullptr
          ? coordinate_trials(job->mpi.messages(), plan.trials, jobs, runner, stop, events,
                              deadline)
          : run_trials(plan.trials, jobs, runner, &stop, events);
  if (job != nullptr) mark_ended_together();
  progress.finish();

  const auto finished = static_cast<std::size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [](const auto& outcome) {
        return outcome && outcome->status == TrialOutcome::Status::finished;
      }));
  if (stop.requested()) {
    // In one write, so that under mpirun no other rank's line lands inside it.
    std::cerr << "fnn sweep: " + signal_name(stop.signal()) + ": stopped with " +
                     std::to_string(finished) + " of " + std::to_string(plan.trials.size()) +
                     " trials finished; the interrupted ones continue from their checkpoints\n" +
                     continue_lines(continue_command(args), job != nullptr ? job->size : 1)
              << std::flush;
    return 128 + (stop.signal() != 0 ? stop.signal() : SIGTERM);
  }

  const std::vector<ConfigurationSummary> summaries =
      summarize(plan.swept.size(), plan.trials, outcomes);
  write_file_atomically(out / "summary.csv", summary_csv(plan.swept, summaries));
  std::cout << "wrote " << (out / "summary.csv").string() << "\n";
  const std::optional<std::size_t> best = best_configuration(summaries, monitor);
  draw_summary(plan, summaries, best, monitor, out);
  int status = 0;
  for (std::size_t t = 0; t < plan.trials.size(); ++t) {
    if (outcomes[t] && outcomes[t]->status == TrialOutcome::Status::failed) {
      std::cerr << "fnn sweep: " << trial_name(plan.trials[t], out) << " failed ("
                << outcomes[t]->error
                << "); its log: " << (plan.trials[t].directory / "log").string() << "\n";
      status = 1;
    }
  }
  if (best) {
    SweepConfiguration settings = with_settings(base, plan.swept[*best]);
    write_file_atomically(out / "best.ini", ini_text(settings));
    const std::string column = monitored_column(monitor).first;
    for (const SweepStatistic& metric : summaries[*best].metrics) {
      if (metric.name != column) continue;
      std::cout << "best: configuration " << *best + 1 << " (" << configuration_name(plan, *best)
                << ": " << configuration_text(plan.swept[*best]) << "), " << monitor << " "
                << short_number(metric.mean);
      if (folds > 0)
        std::cout << " ± " << short_number(metric.std) << " over " << folds << " folds";
      std::cout << "\nwrote " << (out / "best.ini").string() << " (fnn train --config "
                << shell_quoted((out / "best.ini").string()) << ")\n";
    }
  } else {
    std::cerr << "fnn sweep: no configuration finished every trial with a " << monitor
              << " value, so there is no best.ini\n";
    status = 1;
  }
  return status;
}

}  // namespace fnn::cli
