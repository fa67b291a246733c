#include "fnn/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <fnn/atomic_file.hpp>
#include <fnn/error.hpp>
#include <fnn/metrics_table.hpp>
#include <fnn/names.hpp>
#include <fnn/random.hpp>
#include <fnn/sizes.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

namespace fnn {

namespace {

std::string in_quotes(const std::string& text) {
  std::string result = "'";
  result += text;
  result += '\'';
  return result;
}

// "NAME=REST" → {NAME, REST}; SpecError for a missing name or '='.
std::pair<std::string, std::string> name_and_rest(const std::string& option,
                                                  const std::string& text,
                                                  const std::string& expected) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw SpecError(option + " " + in_quotes(text) + ": expected " + expected);
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

// Does `text` at `at` start a component option "KEY=" (letters, digits, '_', '-', then '=')?
bool starts_component_option(const std::string& text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                               text[end] == '_' || text[end] == '-')) {
    ++end;
  }
  return end > at && end < text.size() && text[end] == '=';
}

std::optional<double> number(const std::string& text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Uniform in [0, 1) with 53 random bits.
double unit_draw(Rng& rng) {
  return static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
}

std::string draw(const SweepParameter& parameter, Rng& rng) {
  if (!parameter.range) return parameter.values[rng.below(parameter.values.size())];
  const SweepRange& range = *parameter.range;
  switch (range.kind) {
    case SweepRange::Kind::integer: {
      const auto low = static_cast<long long>(range.low);
      const auto span = static_cast<std::size_t>(static_cast<long long>(range.high) - low) + 1;
      return std::to_string(low + static_cast<long long>(rng.below(span)));
    }
    case SweepRange::Kind::log_uniform: {
      const double low = std::log(range.low);
      const double value = std::exp(low + (std::log(range.high) - low) * unit_draw(rng));
      return to_text(std::clamp(value, range.low, std::nextafter(range.high, range.low)));
    }
    case SweepRange::Kind::uniform:
      break;
  }
  return to_text(range.low + (range.high - range.low) * unit_draw(rng));
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string field = "\"";
  for (const char c : text) field += c == '"' ? std::string("\"\"") : std::string(1, c);
  return field + "\"";
}

}  // namespace

// The result file's text and back: "key = value" lines, numbers as to_text writes them.
std::string trial_result_text(const TrialResult& result) {
  std::string text = "status = finished\nepochs = " + std::to_string(result.epochs) +
                     "\nseconds = " + to_text(result.seconds) + "\n";
  for (const auto& [name, value] : result.metrics)
    text += "metric." + name + " = " + to_text(value) + "\n";
  return text;
}

TrialResult parse_trial_result(const std::string& text, const std::string& where) {
  std::istringstream in(text);
  TrialResult result;
  std::size_t line_number = 0;
  bool finished = false;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    const std::size_t equals = line.find(" = ");
    const std::string key = line.substr(0, equals);
    const std::string value_text = equals == std::string::npos ? "" : line.substr(equals + 3);
    const std::optional<double> parsed = number(value_text);
    const double value = parsed.value_or(0.0);
    if (key == "status" && value_text == "finished") {
      finished = true;
    } else if (!parsed) {
      throw DataError(where + ":" + std::to_string(line_number) +
                      ": not a line of a trial's result: " + in_quotes(line) +
                      "; delete the file to run the trial again");
    } else if (key == "epochs") {
      result.epochs = static_cast<std::size_t>(value);
    } else if (key == "seconds") {
      result.seconds = value;
    } else if (key.starts_with("metric.")) {
      result.metrics.emplace_back(key.substr(7), value);
    }
  }
  if (!finished) {
    throw DataError(where +
                    ": not a finished trial's result (no 'status = finished'); "
                    "delete the file to run the trial again");
  }
  return result;
}

namespace {

TrialResult read_result(const std::filesystem::path& file) {
  std::ifstream in(file);
  return parse_trial_result(std::string(std::istreambuf_iterator<char>(in), {}), file.string());
}

SweepStatistic statistic(const std::string& name, const std::vector<double>& values) {
  SweepStatistic result{name};
  if (values.empty()) return result;
  const auto n = static_cast<double>(values.size());
  result.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0.0;
  for (const double value : values) squares += (value - result.mean) * (value - result.mean);
  result.std = std::sqrt(squares / n);
  return result;
}

}  // namespace

SweepParameter parse_grid_axis(const std::string& text) {
  const std::string expected = "NAME=VALUE,VALUE,... (e.g. learning-rate=0.05,0.1)";
  auto [name, rest] = name_and_rest("--grid", text, expected);
  SweepParameter axis{name, {}, std::nullopt};
  std::size_t at = 0;
  while (true) {
    std::string value;
    if (at < rest.size() && rest[at] == '"') {
      const std::size_t close = rest.find('"', at + 1);
      if (close == std::string::npos) {
        throw SpecError("--grid " + in_quotes(text) +
                        ": a value opens a double quote it never closes");
      }
      value = rest.substr(at + 1, close - at - 1);
      at = close + 1;
      if (at < rest.size() && rest[at] != ',') {
        throw SpecError("--grid " + in_quotes(text) + ": expected a comma after the quoted value " +
                        in_quotes(value));
      }
    } else {
      std::size_t end = at;
      while (true) {
        end = rest.find(',', end);
        if (end == std::string::npos || !starts_component_option(rest, end + 1)) break;
        ++end;
      }
      value = rest.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? rest.size() : end;
      if (value.empty()) {
        throw SpecError("--grid " + in_quotes(text) + ": value " +
                        std::to_string(axis.values.size() + 1) + " of " + in_quotes(name) +
                        " is empty; expected " + expected);
      }
    }
    axis.values.push_back(value);
    if (at >= rest.size()) break;
    ++at;  // the comma
    if (at == rest.size()) {
      throw SpecError("--grid " + in_quotes(text) + ": ends with a comma; expected " + expected);
    }
  }
  return axis;
}

SweepParameter parse_sweep_range(const std::string& text) {
  const std::string expected = "NAME=LOW:HIGH, NAME=log:LOW:HIGH or NAME=int:LOW:HIGH";
  const auto [name, rest] = name_and_rest("--range", text, expected);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  SweepRange range;
  if (parts.size() == 3 && parts[0] == "log")
    range.kind = SweepRange::Kind::log_uniform;
  else if (parts.size() == 3 && parts[0] == "int")
    range.kind = SweepRange::Kind::integer;
  else if (parts.size() != 2)
    throw SpecError("--range " + in_quotes(text) + ": expected " + expected);
  const std::optional<double> low = number(parts[parts.size() - 2]);
  const std::optional<double> high = number(parts[parts.size() - 1]);
  const auto refuse = [&](const std::string& why) {
    throw SpecError("--range " + in_quotes(text) + ": " + why);
  };
  if (!low || !high) refuse("the bounds must be finite numbers; expected " + expected);
  range.low = *low;
  range.high = *high;
  if (range.kind == SweepRange::Kind::integer) {
    constexpr double limit = 0x1.0p52;  // whole numbers a double holds exactly, and their span too
    if (range.low != std::floor(range.low) || range.high != std::floor(range.high) ||
        std::abs(range.low) > limit || std::abs(range.high) > limit) {
      refuse("int bounds must be whole numbers (of magnitude below 2^52)");
    }
    if (range.low > range.high) refuse("LOW must not be above HIGH");
  } else if (!(range.low < range.high)) {
    refuse("LOW must be below HIGH");
  }
  if (range.kind == SweepRange::Kind::log_uniform && range.low <= 0.0) {
    refuse("a log range needs LOW above 0");
  }
  return {name, {}, range};
}

std::vector<SweepConfiguration> grid_configurations(const std::vector<SweepParameter>& axes) {
  std::size_t count = 1;
  for (const SweepParameter& axis : axes) {
    if (axis.range || axis.values.empty()) {
      throw SpecError("a grid needs a list of values for " + in_quotes(axis.name) +
                      ", not a range (ranges are for --random)");
    }
    count = checked_multiply(count, axis.values.size(), "the number of grid configurations");
  }
  std::vector<SweepConfiguration> configurations;
  configurations.reserve(count);
  for (std::size_t index = 0; index < count; ++index) {
    SweepConfiguration configuration(axes.size());
    std::size_t rest = index;
    for (std::size_t a = axes.size(); a-- > 0;) {  // the last axis varies fastest
      configuration[a] = {axes[a].name, axes[a].values[rest % axes[a].values.size()]};
      rest /= axes[a].values.size();
    }
    configurations.push_back(std::move(configuration));
  }
  return configurations;
}

std::vector<SweepConfiguration> random_configurations(const std::vector<SweepParameter>& parameters,
                                                      std::size_t count, std::uint64_t seed) {
  Rng rng(seed ^ 0x5ee9c0f16ULL);  // a stream apart from the trials' own uses of the seed
  std::vector<SweepConfiguration> configurations(count);
  for (SweepConfiguration& configuration : configurations) {
    for (const SweepParameter& parameter : parameters) {
      configuration.emplace_back(parameter.name, draw(parameter, rng));
    }
  }
  return configurations;
}

std::vector<std::size_t> fold_of_rows(std::size_t rows, std::size_t folds, std::uint64_t seed,
                                      std::span<const std::size_t> classes) {
  if (folds < 2 || folds > rows) {
    throw SpecError(std::to_string(folds) + " folds of " + std::to_string(rows) +
                    " rows: cross-validation needs at least 2 folds and at least one row in each");
  }
  if (!classes.empty() && classes.size() != rows) {
    throw SpecError("fold_of_rows: " + std::to_string(classes.size()) + " classes for " +
                    std::to_string(rows) + " rows");
  }
  std::vector<std::size_t> order(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(seed ^ 0xf01df01df01dULL);  // a stream of its own, apart from the shuffle's
  for (std::size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  // Rows of one class next to each other (in shuffled order within it), then dealt to the folds
  // in turn: each class, and the whole, is spread as evenly as it can be.
  if (!classes.empty()) {
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return classes[a] < classes[b]; });
  }
  std::vector<std::size_t> fold(rows);
  for (std::size_t i = 0; i < rows; ++i) fold[order[i]] = i % folds;
  return fold;
}

std::vector<SweepTrial> sweep_trials(std::size_t configurations, std::size_t folds,
                                     const std::filesystem::path& out) {
  const std::size_t width =
      std::to_string(configurations).size() < 2 ? 2 : std::to_string(configurations).size();
  std::vector<SweepTrial> trials;
  for (std::size_t c = 0; c < configurations; ++c) {
    const std::string number = std::to_string(c + 1);
    std::string name = "c";
    name.append(width - number.size(), '0');
    name += number;
    if (folds < 2) {
      trials.push_back({c, 0, out / name});
      continue;
    }
    for (std::size_t fold = 1; fold <= folds; ++fold) {
      trials.push_back({c, fold, out / name / ("fold-" + std::to_string(fold))});
    }
  }
  return trials;
}

TrialResult read_trial_metrics(const std::filesystem::path& file) {
  const MetricsTable table = read_metrics_table(file);
  TrialResult result;
  result.epochs = static_cast<std::size_t>(table.epochs.back());
  std::size_t chosen = table.epochs.size() - 1;
  const std::vector<double>* best_epoch = table.column("best_epoch");
  if (best_epoch && !std::isnan(best_epoch->back())) {
    const double best = best_epoch->back();
    const auto found = std::find(table.epochs.begin(), table.epochs.end(), best);
    if (found == table.epochs.end()) {
      throw DataError("metrics file '" + file.string() + "': best_epoch " + to_text(best) +
                      " has no row");
    }
    chosen = static_cast<std::size_t>(found - table.epochs.begin());
  }
  for (const auto& [name, values] : table.columns) {
    if (name == "seconds") {
      for (const double seconds : values) result.seconds += std::isnan(seconds) ? 0.0 : seconds;
    } else if (!std::isnan(values[chosen])) {
      result.metrics.emplace_back(name, values[chosen]);
    }
  }
  return result;
}

std::filesystem::path result_file(const SweepTrial& trial) {
  return trial.directory / "result.ini";
}

std::optional<TrialResult> finished_result(const SweepTrial& trial) {
  std::error_code error;
  if (!std::filesystem::exists(result_file(trial), error)) return std::nullopt;
  return read_result(result_file(trial));
}

std::vector<std::optional<TrialOutcome>> earlier_outcomes(const std::vector<SweepTrial>& trials) {
  std::vector<std::optional<TrialOutcome>> outcomes(trials.size());
  for (std::size_t t = 0; t < trials.size(); ++t) {
    if (auto result = finished_result(trials[t])) {
      outcomes[t] = TrialOutcome{TrialOutcome::Status::finished, std::move(*result), {}};
    }
  }
  return outcomes;
}

TrialOutcome run_and_record(const SweepTrial& trial, const TrialRunner& runner,
                            const StopRequest& stop) {
  try {
    TrialOutcome outcome = runner(trial, stop);
    if (outcome.status == TrialOutcome::Status::finished) {
      write_file_atomically(result_file(trial), trial_result_text(outcome.result));
    }
    return outcome;
  } catch (const std::exception& error) {
    return {TrialOutcome::Status::failed, {}, error.what()};
  }
}

std::vector<std::optional<TrialOutcome>> run_trials(const std::vector<SweepTrial>& trials,
                                                    std::size_t jobs, const TrialRunner& runner,
                                                    const StopRequest* stop,
                                                    const SweepEvents& events) {
  // Finished before: read now, so that a bad result file fails the sweep before any run.
  std::vector<std::optional<TrialOutcome>> outcomes = earlier_outcomes(trials);
  std::mutex lock;
  std::size_t next = 0;
  const StopRequest never;
  const StopRequest& asked = stop != nullptr ? *stop : never;
  const auto work = [&] {
    while (true) {
      std::size_t t = 0;
      {
        const std::lock_guard<std::mutex> guard(lock);
        while (next < trials.size() && outcomes[next]) ++next;
        if (next == trials.size() || asked.requested()) return;
        t = next++;
        if (events.on_start) events.on_start(trials[t]);
      }
      TrialOutcome outcome = run_and_record(trials[t], runner, asked);
      const std::lock_guard<std::mutex> guard(lock);
      outcomes[t] = outcome;
      if (events.on_end) events.on_end(trials[t], outcome);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t j = 1; j < std::max<std::size_t>(jobs, 1); ++j) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
  return outcomes;
}

std::vector<ConfigurationSummary> summarize(
    std::size_t configurations, const std::vector<SweepTrial>& trials,
    const std::vector<std::optional<TrialOutcome>>& outcomes) {
  std::vector<ConfigurationSummary> summaries(configurations);
  for (std::size_t c = 0; c < configurations; ++c) {
    std::vector<std::string> names;  // in first-seen order
    std::map<std::string, std::vector<double>> values;
    std::vector<double> epochs;
    std::vector<double> seconds;
    for (std::size_t t = 0; t < trials.size(); ++t) {
      if (trials[t].configuration != c || !outcomes[t]) continue;
      if (outcomes[t]->status == TrialOutcome::Status::failed) ++summaries[c].failed;
      if (outcomes[t]->status != TrialOutcome::Status::finished) continue;
      ++summaries[c].trials;
      const TrialResult& result = outcomes[t]->result;
      for (const auto& [name, value] : result.metrics) {
        if (!values.contains(name)) names.push_back(name);
        values[name].push_back(value);
      }
      epochs.push_back(static_cast<double>(result.epochs));
      seconds.push_back(result.seconds);
    }
    for (const std::string& name : names)
      summaries[c].metrics.push_back(statistic(name, values[name]));
    summaries[c].epochs = statistic("epochs", epochs);
    summaries[c].seconds = statistic("seconds", seconds);
  }
  return summaries;
}

std::pair<std::string, bool> monitored_column(const std::string& monitor) {
  if (monitor == "val_loss") return {"validation_loss", true};
  if (monitor == "val_accuracy") return {"validation_accuracy", false};
  if (monitor == "loss") return {"train_loss", true};
  if (monitor == "accuracy") return {"train_accuracy", false};
  throw SpecError("monitor " + in_quotes(monitor) +
                  ": expected val_loss, val_accuracy, loss or accuracy");
}

std::optional<std::size_t> best_configuration(const std::vector<ConfigurationSummary>& summaries,
                                              const std::string& monitor) {
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  const auto monitored = monitored_column(monitor);
  const std::string& column = monitored.first;
  const bool lower_is_better = monitored.second;
  std::optional<std::size_t> best;
  double best_value = 0.0;
  for (std::size_t c = 0; c < summaries.size(); ++c) {
    if (summaries[c].failed > 0 || summaries[c].trials == 0) continue;
    const auto found = std::find_if(summaries[c].metrics.begin(), summaries[c].metrics.end(),
                                    [&](const SweepStatistic& s) { return s.name == column; });
    if (found == summaries[c].metrics.end() || !std::isfinite(found->mean)) continue;
    if (!best || (lower_is_better ? found->mean < best_value : found->mean > best_value)) {
      best = c;
      best_value = found->mean;
    }
  }
  return best;
}

std::string summary_csv(const std::vector<SweepConfiguration>& configurations,
                        const std::vector<ConfigurationSummary>& summaries) {
  std::vector<std::string> swept;
  for (const SweepConfiguration& configuration : configurations) {
    for (const auto& [name, value] : configuration) {
      if (std::find(swept.begin(), swept.end(), name) == swept.end()) swept.push_back(name);
    }
  }
  std::vector<std::string> metrics;
  for (const ConfigurationSummary& summary : summaries) {
    for (const SweepStatistic& metric : summary.metrics) {
      if (std::find(metrics.begin(), metrics.end(), metric.name) == metrics.end()) {
        metrics.push_back(metric.name);
      }
    }
  }
  std::string text = "configuration";
  for (const std::string& name : swept) (text += ',') += csv_field(name);
  text += ",trials,failed";
  for (const std::string& name : metrics) ((((text += ',') += name) += "_mean,") += name) += "_std";
  text += ",epochs_mean,epochs_std,seconds_mean,seconds_std\n";
  const auto pair = [](const SweepStatistic& s, bool present) {
    std::string fields = ",";
    if (present) fields += to_text(s.mean);
    fields += ',';
    if (present) fields += to_text(s.std);
    return fields;
  };
  for (std::size_t c = 0; c < summaries.size(); ++c) {
    const ConfigurationSummary& summary = summaries[c];
    text += std::to_string(c + 1);
    for (const std::string& name : swept) {
      const auto found = std::find_if(configurations[c].begin(), configurations[c].end(),
                                      [&](const auto& setting) { return setting.first == name; });
      text += ',';
      if (found != configurations[c].end()) text += csv_field(found->second);
    }
    ((text += ',') += std::to_string(summary.trials)) += ',';
    text += std::to_string(summary.failed);
    for (const std::string& name : metrics) {
      const auto found = std::find_if(summary.metrics.begin(), summary.metrics.end(),
                                      [&](const SweepStatistic& s) { return s.name == name; });
      text += pair(found == summary.metrics.end() ? SweepStatistic{} : *found,
                   found != summary.metrics.end());
    }
    text +=
        pair(summary.epochs, summary.trials > 0) + pair(summary.seconds, summary.trials > 0) + "\n";
  }
  return text;
}

SweepConfiguration with_settings(SweepConfiguration base, const SweepConfiguration& changes) {
  for (const auto& change : changes) {
    const auto found = std::find_if(base.begin(), base.end(), [&](const auto& setting) {
      return setting.first == change.first;
    });
    if (found != base.end())
      found->second = change.second;
    else
      base.push_back(change);
  }
  return base;
}

std::string ini_text(const SweepConfiguration& settings) {
  std::string text;
  for (const auto& [key, value] : settings) text += key + " = " + value + "\n";
  return text;
}

}  // namespace fnn
