#include "sweep_ranks.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <fnn/error.hpp>
#include <fnn/names.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace fnn::cli {

namespace {

// How long the main thread waits for a trial of its own before it looks at the messages again.
constexpr std::chrono::milliseconds message_poll{20};

// The trials this rank runs, each on a thread of its own that waits for its child process.
class LocalTrials {
 public:
  LocalTrials(const std::vector<SweepTrial>& trials, const TrialRunner& runner, StopRequest& stop)
      : trials_(trials), runner_(runner), stop_(stop) {}
  // Left by an error: the trials still running are stopped (with checkpoints) and waited for.
  ~LocalTrials() {
    if (!threads_.empty()) stop_.request();
    for (auto& entry : threads_) entry.second.join();
  }
  LocalTrials(const LocalTrials&) = delete;
  LocalTrials& operator=(const LocalTrials&) = delete;

  void start(std::size_t t) {
    threads_.emplace(t, std::thread([this, t] {
                       TrialOutcome outcome = run_and_record(trials_[t], runner_, stop_);
                       const std::lock_guard<std::mutex> guard(lock_);
                       ended_.emplace_back(t, std::move(outcome));
                       changed_.notify_all();
                     }));
  }

  std::size_t running() const { return threads_.size(); }

  // The trials that ended since the last call; waits up to `wait` when none has.
  std::vector<std::pair<std::size_t, TrialOutcome>> ended(std::chrono::milliseconds wait) {
    std::vector<std::pair<std::size_t, TrialOutcome>> ended;
    {
      std::unique_lock<std::mutex> guard(lock_);
      changed_.wait_for(guard, wait, [&] { return !ended_.empty(); });
      ended.swap(ended_);
    }
    for (const auto& entry : ended) {
      threads_.at(entry.first).join();
      threads_.erase(entry.first);
    }
    return ended;
  }

 private:
  const std::vector<SweepTrial>& trials_;
  const TrialRunner& runner_;
  StopRequest& stop_;
  std::map<std::size_t, std::thread> threads_;  // touched by the main thread only
  std::mutex lock_;
  std::condition_variable changed_;
  std::vector<std::pair<std::size_t, TrialOutcome>> ended_;
};

// When each other rank was last heard from, and when this one last said it is alive.
class Liveness {
 public:
  using Clock = std::chrono::steady_clock;
  Liveness(std::size_t ranks, std::chrono::milliseconds deadline)
      : deadline_(deadline), heard_(ranks, Clock::now()), said_(Clock::now()) {}

  void heard(std::size_t rank) { heard_.at(rank) = Clock::now(); }

  // Sends "alive" to `to` when a quarter of the deadline has passed since the last time.
  void beat(JobMessages& messages, const std::vector<std::size_t>& to) {
    if (Clock::now() - said_ < deadline_ / 4) return;
    for (const std::size_t rank : to) messages.send(rank, "alive");
    said_ = Clock::now();
  }

  // fnn::Error naming `rank` when it has been silent for the deadline.
  void check(std::size_t rank, const std::string& doing) const {
    if (Clock::now() - heard_.at(rank) <= deadline_) return;
    throw Error("fnn sweep: rank " + std::to_string(rank) + " sent nothing for " +
                to_text(std::chrono::duration<double>(deadline_).count()) +
                " s (--exchange-timeout) " + doing +
                ": it is stuck or lost; ending the job (its trials stop with checkpoints)");
  }

 private:
  std::chrono::milliseconds deadline_;
  std::vector<Clock::time_point> heard_;
  Clock::time_point said_;
};

// A message split into its first line's kind and number, and the rest.
struct Parsed {
  std::string kind;
  std::size_t number = 0;
  std::string body;
};

Parsed parse(const JobMessages::Message& message) {
  const std::string& text = message.text;
  const std::size_t line_end = std::min(text.find('\n'), text.size());
  const std::size_t space = std::min(text.find(' '), line_end);
  Parsed parsed;
  parsed.kind.assign(text, 0, space);
  if (line_end < text.size()) parsed.body.assign(text, line_end + 1);
  if (space < line_end) {
    const char* begin = text.data() + space + 1;
    const char* end = text.data() + line_end;
    const auto result = std::from_chars(begin, end, parsed.number);
    if (result.ec != std::errc{} || result.ptr != end)
      parsed.kind.clear();  // not a step of the protocol
  }
  return parsed;
}

[[noreturn]] void unexpected(const JobMessages::Message& message, const std::string& why) {
  throw Error("fnn sweep: rank " + std::to_string(message.from) + " sent " +
              in_quotes(message.text.substr(0, message.text.find('\n'))) + ", " + why +
              "; every rank must run the same fnn with the same options");
}

std::string outcome_message(std::size_t t, const TrialOutcome& outcome) {
  std::string text;
  switch (outcome.status) {
    case TrialOutcome::Status::finished:
      text.append("finished ").append(std::to_string(t)).append("\n");
      return text.append(trial_result_text(outcome.result));
    case TrialOutcome::Status::failed:
      text.append("failed ").append(std::to_string(t)).append("\n");
      return text.append(outcome.error);
    case TrialOutcome::Status::stopped:
      break;
  }
  return text.append("stopped ").append(std::to_string(t));
}

TrialOutcome outcome_of(const JobMessages::Message& message, const Parsed& parsed) {
  if (parsed.kind == "finished") {
    return {
        TrialOutcome::Status::finished,
        parse_trial_result(parsed.body, "the result rank " + std::to_string(message.from) +
                                            " sent for trial " + std::to_string(parsed.number + 1)),
        {}};
  }
  if (parsed.kind == "failed") return {TrialOutcome::Status::failed, {}, parsed.body};
  return {TrialOutcome::Status::stopped, {}, {}};
}

}  // namespace

std::vector<std::optional<TrialOutcome>> coordinate_trials(
    JobMessages& messages, const std::vector<SweepTrial>& trials, std::size_t jobs,
    const TrialRunner& runner, StopRequest& stop, const SweepEvents& events,
    std::chrono::milliseconds deadline) {
  std::vector<std::optional<TrialOutcome>> outcomes = earlier_outcomes(trials);
  const std::size_t ranks = messages.ranks();
  Liveness liveness(ranks, deadline);
  std::vector<std::size_t> others;
  for (std::size_t rank = 1; rank < ranks; ++rank) others.push_back(rank);
  std::vector<std::size_t> free_slots(ranks, std::max<std::size_t>(jobs, 1));
  std::map<std::size_t, std::size_t> running;  // trial -> the rank running it
  std::size_t next = 0;
  bool stop_sent = false;
  LocalTrials local(trials, runner, stop);
  const auto record = [&](std::size_t t, const TrialOutcome& outcome) {
    ++free_slots[running.at(t)];
    running.erase(t);
    outcomes[t] = outcome;
    if (events.on_end) events.on_end(trials[t], outcome);
  };
  for (;;) {
    for (std::size_t rank = 0; rank < ranks && !stop.requested(); ++rank) {
      while (free_slots[rank] > 0) {
        while (next < trials.size() && outcomes[next]) ++next;
        if (next == trials.size()) break;
        const std::size_t t = next++;
        --free_slots[rank];
        running.emplace(t, rank);
        if (events.on_start) events.on_start(trials[t]);
        if (rank == 0) {
          local.start(t);
        } else {
          messages.send(rank, "run " + std::to_string(t));
        }
      }
    }
    if (stop.requested() && !stop_sent) {
      for (std::size_t rank = 1; rank < ranks; ++rank) {
        messages.send(rank, "stop " + std::to_string(stop.signal()));
      }
      stop_sent = true;
    }
    const bool more = next < trials.size() && !stop.requested();
    if (running.empty() && !more) break;
    for (const auto& [t, outcome] : local.ended(message_poll)) record(t, outcome);
    liveness.beat(messages, others);
    while (const auto message = messages.receive()) {
      liveness.heard(message->from);
      const Parsed parsed = parse(*message);
      if (parsed.kind == "alive") continue;
      if (parsed.kind == "stop") {
        if (!stop.requested()) stop.request(static_cast<int>(parsed.number));
        continue;
      }
      if (parsed.kind != "finished" && parsed.kind != "failed" && parsed.kind != "stopped") {
        unexpected(*message, "which is not a trial's outcome");
      }
      const auto given = running.find(parsed.number);
      if (given == running.end() || given->second != message->from) {
        unexpected(*message, "an outcome of a trial it was not running");
      }
      record(parsed.number, outcome_of(*message, parsed));
    }
    for (const std::size_t rank : others) liveness.check(rank, "while the sweep ran");
  }
  for (std::size_t rank = 1; rank < ranks; ++rank) messages.send(rank, "end");
  return outcomes;
}

void serve_trials(JobMessages& messages, const std::vector<SweepTrial>& trials,
                  const TrialRunner& runner, StopRequest& stop,
                  std::chrono::milliseconds deadline) {
  LocalTrials local(trials, runner, stop);
  Liveness liveness(messages.ranks(), deadline);
  bool ended = false;
  bool stop_told = false;  // rank 0 knows of the stop (it asked for it, or was told)
  while (!ended || local.running() > 0) {
    while (const auto message = messages.receive()) {
      const Parsed parsed = parse(*message);
      if (message->from != 0) unexpected(*message, "but only rank 0 hands out trials");
      liveness.heard(0);
      if (parsed.kind == "alive") continue;
      if (parsed.kind == "run" && parsed.number < trials.size()) {
        if (stop.requested()) {  // crossed the stop: it never starts here
          messages.send(0, outcome_message(parsed.number, {TrialOutcome::Status::stopped, {}, {}}));
        } else {
          local.start(parsed.number);
        }
      } else if (parsed.kind == "stop") {
        stop_told = true;
        if (!stop.requested()) stop.request(static_cast<int>(parsed.number));
      } else if (parsed.kind == "end") {
        ended = true;
      } else {
        unexpected(*message, "which is not a step of a sweep");
      }
    }
    if (stop.requested() && !stop_told) {
      messages.send(0, "stop " + std::to_string(stop.signal()));
      stop_told = true;
    }
    for (const auto& [t, outcome] : local.ended(message_poll)) {
      messages.send(0, outcome_message(t, outcome));
    }
    liveness.beat(messages, {0});
    if (!ended) liveness.check(0, "while this rank waited for its next step");
  }
}

}  // namespace fnn::cli
