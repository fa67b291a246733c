// fnn sweep's hand-out of trials across ranks (apps/fnn/sweep_ranks.cpp) over an in-process
// stand-in for the MPI module's messages: every rank a thread, so the protocol runs under the
// sanitizers too (the mpi tests run it under mpirun).
#include "sweep_ranks.hpp"

#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fnn/error.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "support/test_support.hpp"

namespace {

using fnn::JobMessages;
using fnn::SweepTrial;
using fnn::TrialOutcome;

// One mailbox per rank, shared by the ranks' JobMessages.
class Mailboxes {
 public:
  explicit Mailboxes(std::size_t ranks) : boxes_(ranks) {}
  void post(std::size_t to, JobMessages::Message message) {
    const std::lock_guard<std::mutex> guard(lock_);
    boxes_.at(to).push_back(std::move(message));
  }
  std::optional<JobMessages::Message> take(std::size_t rank) {
    const std::lock_guard<std::mutex> guard(lock_);
    if (boxes_.at(rank).empty()) return std::nullopt;
    JobMessages::Message message = std::move(boxes_[rank].front());
    boxes_[rank].pop_front();
    return message;
  }

 private:
  std::mutex lock_;
  std::vector<std::deque<JobMessages::Message>> boxes_;
};

class FakeMessages final : public JobMessages {
 public:
  FakeMessages(Mailboxes& mail, std::size_t rank, std::size_t ranks)
      : mail_(mail), rank_(rank), ranks_(ranks) {}
  std::size_t rank() const noexcept override { return rank_; }
  std::size_t ranks() const noexcept override { return ranks_; }
  void send(std::size_t to, const std::string& text) override { mail_.post(to, {rank_, text}); }
  std::optional<Message> receive() override { return mail_.take(rank_); }

 private:
  Mailboxes& mail_;
  std::size_t rank_;
  std::size_t ranks_;
};

// Long enough never to fire in these tests, however loaded the machine.
constexpr std::chrono::milliseconds no_deadline{std::chrono::hours(1)};

// A value whose shortest decimal has 17 digits: its bits must survive the message.
double measured(std::size_t t) {
  return 0.1 * static_cast<double>(t + 1) / 3.0;
}

// The trials run so far, by whom: a runner per rank that records itself, fails trial 2, and
// (when asked) requests a stop on its own rank after its first trial, as a signal would.
struct Record {
  std::mutex lock;
  std::vector<std::vector<std::size_t>> ran_by;  // per trial, the ranks that ran it

  fnn::TrialRunner runner(std::size_t rank, fnn::StopRequest* stop_after_first = nullptr,
                          std::chrono::milliseconds takes = std::chrono::milliseconds(5)) {
    return [this, rank, stop_after_first, takes](const SweepTrial& trial, const fnn::StopRequest&) {
      std::this_thread::sleep_for(takes);
      const std::size_t t = trial.configuration;
      {
        const std::lock_guard<std::mutex> guard(lock);
        ran_by.at(t).push_back(rank);
      }
      if (stop_after_first != nullptr) stop_after_first->request(SIGTERM);
      if (t == 2) return TrialOutcome{TrialOutcome::Status::failed, {}, "no such optimizer"};
      fnn::TrialResult result;
      result.epochs = 3;
      result.metrics = {{"validation_loss", measured(t)}};
      return TrialOutcome{TrialOutcome::Status::finished, result, {}};
    };
  }
};

std::vector<SweepTrial> trials_in(const std::filesystem::path& out, std::size_t count) {
  std::vector<SweepTrial> trials = fnn::sweep_trials(count, 0, out);
  for (const SweepTrial& trial : trials) std::filesystem::create_directories(trial.directory);
  return trials;
}

}  // namespace

TEST_CASE("trials handed out over 3 ranks: each run once, outcomes and results as run there",
          "[sweep][ranks]") {
  const fnn::test::TemporaryDirectory folder;
  const std::vector<SweepTrial> trials = trials_in(folder.path(), 7);
  Mailboxes mail(3);
  Record record;
  record.ran_by.resize(trials.size());
  std::vector<std::thread> others;
  for (std::size_t rank = 1; rank < 3; ++rank) {
    others.emplace_back([&, rank] {
      FakeMessages messages(mail, rank, 3);
      fnn::StopRequest stop;
      fnn::cli::serve_trials(messages, trials, record.runner(rank), stop, no_deadline);
    });
  }
  FakeMessages messages(mail, 0, 3);
  fnn::StopRequest stop;
  std::size_t started = 0;
  std::size_t ended = 0;
  const auto outcomes = fnn::cli::coordinate_trials(
      messages, trials, 1, record.runner(0), stop,
      {.on_start = [&](const SweepTrial&) { ++started; },
       .on_end = [&](const SweepTrial&, const TrialOutcome&) { ++ended; }},
      no_deadline);
  for (std::thread& rank : others) rank.join();

  CHECK(started == 7);
  CHECK(ended == 7);
  std::set<std::size_t> ranks;
  for (std::size_t t = 0; t < trials.size(); ++t) {
    INFO("trial " << t);
    REQUIRE(record.ran_by[t].size() == 1);
    ranks.insert(record.ran_by[t][0]);
    REQUIRE(outcomes[t]);
    if (t == 2) {
      CHECK(outcomes[t]->status == TrialOutcome::Status::failed);
      CHECK(outcomes[t]->error == "no such optimizer");
      CHECK_FALSE(std::filesystem::exists(fnn::result_file(trials[t])));
      continue;
    }
    CHECK(outcomes[t]->status == TrialOutcome::Status::finished);
    CHECK(outcomes[t]->result.epochs == 3);
    REQUIRE(outcomes[t]->result.metrics.size() == 1);
    CHECK(outcomes[t]->result.metrics[0].second == measured(t));  // every bit
    CHECK(std::filesystem::exists(fnn::result_file(trials[t])));  // written where it ran
  }
  CHECK(ranks == std::set<std::size_t>{0, 1, 2});
  CHECK_FALSE(mail.take(0));  // nothing left unread
  CHECK_FALSE(mail.take(1));

  SECTION("run again, the finished trials are not handed out; the failed one is") {
    for (auto& ran : record.ran_by) ran.clear();
    std::thread rank1([&] {
      FakeMessages others_messages(mail, 1, 2);
      fnn::StopRequest rank_stop;
      fnn::cli::serve_trials(others_messages, trials, record.runner(1), rank_stop, no_deadline);
    });
    FakeMessages two(mail, 0, 2);
    const auto again =
        fnn::cli::coordinate_trials(two, trials, 1, record.runner(0), stop, {}, no_deadline);
    rank1.join();
    for (std::size_t t = 0; t < trials.size(); ++t) {
      CHECK(record.ran_by[t].size() == (t == 2 ? 1U : 0U));
      REQUIRE(again[t]);
    }
  }
}

TEST_CASE("a stop on another rank stops the sweep: no more trials start, every rank returns",
          "[sweep][ranks]") {
  const fnn::test::TemporaryDirectory folder;
  const std::vector<SweepTrial> trials = trials_in(folder.path(), 20);
  Mailboxes mail(2);
  Record record;
  record.ran_by.resize(trials.size());
  fnn::StopRequest rank1_stop;
  std::thread rank1([&] {
    FakeMessages messages(mail, 1, 2);
    fnn::cli::serve_trials(messages, trials, record.runner(1, &rank1_stop), rank1_stop,
                           no_deadline);
  });
  FakeMessages messages(mail, 0, 2);
  fnn::StopRequest stop;
  // Rank 0's trials take 20 ms: the stop reaches it within a few.
  const auto outcomes = fnn::cli::coordinate_trials(
      messages, trials, 1, record.runner(0, nullptr, std::chrono::milliseconds(20)), stop, {},
      no_deadline);
  rank1.join();
  CHECK(stop.requested());
  CHECK(stop.signal() == SIGTERM);
  std::size_t never_started = 0;
  for (const auto& outcome : outcomes) never_started += outcome ? 0 : 1;
  CHECK(never_started >= 5);  // only a few ran before the stop reached rank 0
  std::size_t runs = 0;
  for (const auto& ran : record.ran_by) runs += ran.size();
  CHECK(runs == trials.size() - never_started);
}

TEST_CASE("a rank that reports a trial it was not given breaks the protocol: an error naming it",
          "[sweep][ranks]") {
  const fnn::test::TemporaryDirectory folder;
  const std::vector<SweepTrial> trials = trials_in(folder.path(), 3);
  Mailboxes mail(2);
  Record record;
  record.ran_by.resize(trials.size());
  mail.post(0, {1, "finished 2\nstatus = finished\nepochs = 1\nseconds = 0\n"});
  FakeMessages messages(mail, 0, 2);
  fnn::StopRequest stop;
  CHECK_THROWS_WITH(
      fnn::cli::coordinate_trials(messages, trials, 1, record.runner(0), stop, {}, no_deadline),
      Catch::Contains("rank 1 sent 'finished 2', an outcome of a trial it was not running"));
}

TEST_CASE("a rank that sends nothing for --exchange-timeout ends the sweep with an error naming it",
          "[sweep][ranks]") {
  const fnn::test::TemporaryDirectory folder;
  const std::vector<SweepTrial> trials = trials_in(folder.path(), 3);
  Mailboxes mail(2);
  Record record;
  record.ran_by.resize(trials.size());
  const auto deadline = std::chrono::milliseconds(300);
  SECTION("rank 1 silent: rank 0 gives it up") {
    FakeMessages messages(mail, 0, 2);
    fnn::StopRequest stop;
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(
        fnn::cli::coordinate_trials(messages, trials, 1, record.runner(0), stop, {}, deadline),
        Catch::Contains("rank 1 sent nothing for 0.3 s (--exchange-timeout) while the sweep ran"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  }
  SECTION("rank 0 silent: rank 1 gives it up") {
    FakeMessages messages(mail, 1, 2);
    fnn::StopRequest stop;
    CHECK_THROWS_WITH(
        fnn::cli::serve_trials(messages, trials, record.runner(1), stop, deadline),
        Catch::Contains("rank 0 sent nothing for 0.3 s (--exchange-timeout) while this rank "
                        "waited for its next step"));
  }
  SECTION("ranks that only say they are alive, for longer than the deadline, are kept") {
    std::thread rank1([&] {
      FakeMessages messages(mail, 1, 2);
      fnn::StopRequest stop;
      fnn::cli::serve_trials(messages, trials,
                             record.runner(1, nullptr, std::chrono::milliseconds(400)), stop,
                             deadline);
    });
    FakeMessages messages(mail, 0, 2);
    fnn::StopRequest stop;
    const auto outcomes = fnn::cli::coordinate_trials(
        messages, trials, 1, record.runner(0, nullptr, std::chrono::milliseconds(400)), stop, {},
        deadline);
    rank1.join();
    for (const auto& outcome : outcomes) CHECK(outcome.has_value());
  }
}
