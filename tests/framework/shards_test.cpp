// Shards of a batch (TrainingOptions::shards) and the fixed tree that adds them
// (fnn/gradient_exchange.hpp): its shape, its exactness against hand-made sums, bit-identity
// across thread counts, and a run shared by simulated processes through GradientExchange.
#include <barrier>
#include <cmath>
#include <cstring>
#include <thread>

#include "support/test_support.hpp"

namespace {

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<float> copy(std::span<const float> values) { return {values.begin(), values.end()}; }

// 203 samples, 6 features, 2 targets: batches of 32 leave an uneven last batch of 11.
struct Data {
  static constexpr std::size_t samples = 203;
  fnn::Matrix inputs{samples, 6};
  fnn::Matrix targets{samples, 2};
  Data() {
    fnn::Rng rng(17);
    for (float& x : inputs.values()) x = rng.uniform(-1.0F, 1.0F);
    for (std::size_t r = 0; r < samples; ++r) {
      targets(r, 0) = inputs(r, 0) * inputs(r, 1) > 0 ? 0.9F : 0.1F;
      targets(r, 1) = 0.5F + 0.4F * inputs(r, 2);
    }
  }
};

// With dropout, so that the shards' masks must not depend on the cut.
fnn::Network make_network() {
  fnn::NetworkSpec spec{6};
  spec.add("dense", {{"units", "24"}}).add("relu").add("dropout", {{"rate", "0.25"}});
  spec.add("dense", {{"units", "2"}}).add("sigmoid");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(4);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

// Passes every step on to a real optimizer and keeps the gradients it was given.
class RecordingOptimizer final : public fnn::Optimizer {
 public:
  RecordingOptimizer() : fnn::Optimizer({{"learning_rate", "0.1"}}, 0.1) {}
  void step(std::span<float> parameters, std::span<const float> gradient) override {
    gradients.push_back(copy(gradient));
    for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i] -= 0.1F * gradient[i];
  }
  std::vector<std::vector<float>> gradients;
};

struct Result {
  std::vector<float> parameters;
  std::vector<float> optimizer_state;
};

Result train(const fnn::Options& optimizer_options, const std::string& optimizer,
             fnn::TrainingOptions options, const Data& data = {}) {
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto step = fnn::test::plugins().make_optimizer(optimizer, optimizer_options);
  fnn::Trainer trainer(network, *loss, *step, options);
  trainer.fit(data.inputs, data.targets);
  return {copy(network.parameters()), copy(step->state())};
}

// The training pass's gradient of rows [begin, end) of the first, unshuffled batch, scaled by
// 1 / batch rows, and its loss sum.
std::vector<float> shard_gradient(const fnn::Network& network, const Data& data, std::size_t begin,
                                  std::size_t end, std::size_t batch, std::uint64_t seed) {
  std::vector<float> gradient(network.parameters().size());
  fnn::Workspace workspace(network, batch);
  const auto loss = fnn::test::plugins().make_loss("mse");
  network.backpropagate(data.inputs.view().row_block(begin, end - begin),
                        data.targets.view().row_block(begin, end - begin), *loss,
                        1.0F / static_cast<float>(batch), gradient, workspace,
                        {.training = true, .seed = seed, .first_row = begin});
  return gradient;
}

// The gradient the trainer hands the optimizer in its first step, for batches of `batch`, data
// in order, and the batch seed it used.
std::vector<float> first_gradient(std::size_t batch, std::size_t shards, std::uint64_t& seed) {
  const Data data;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  RecordingOptimizer recorder;
  fnn::Trainer trainer(network, *loss, recorder,
                       {.batch_size = batch, .shards = shards, .epochs = 1, .seed = 7,
                        .shuffle = false, .threads = 2});
  trainer.train_epoch(data.inputs, data.targets);
  fnn::Rng rng(7);
  seed = rng.next();  // the first batch's seed: no shuffle draws before it
  return recorder.gradients.front();
}

}  // namespace

TEST_CASE("shards cut a batch by s·m/S, with empty shards when m < S", "[shards]") {
  CHECK(fnn::shard_rows(10, 4, 0) == fnn::ShardRange{0, 2});
  CHECK(fnn::shard_rows(10, 4, 1) == fnn::ShardRange{2, 5});
  CHECK(fnn::shard_rows(10, 4, 3) == fnn::ShardRange{7, 10});
  CHECK(fnn::shard_rows(2, 4, 0).size() == 0);
  CHECK(fnn::shard_rows(2, 4, 1) == fnn::ShardRange{0, 1});
  CHECK(fnn::shard_rows(2, 4, 3) == fnn::ShardRange{1, 2});
  CHECK(fnn::participant_shards(4, 3, 2) == fnn::ShardRange{2, 4});
  CHECK(fnn::participant_shards(2, 4, 0).size() == 0);  // more participants than shards
}

TEST_CASE("the tree's subtrees a participant sums itself are the largest nodes in its range",
          "[shards]") {
  using Ranges = std::vector<fnn::ShardRange>;
  CHECK(fnn::subtree_roots(6, {0, 6}) == Ranges{{0, 6}});
  CHECK(fnn::subtree_roots(6, {1, 5}) == Ranges{{1, 2}, {2, 4}, {4, 5}});
  CHECK(fnn::subtree_roots(6, {0, 3}) == Ranges{{0, 2}, {2, 3}});
  CHECK(fnn::subtree_roots(6, {3, 6}) == Ranges{{3, 4}, {4, 6}});
  CHECK(fnn::subtree_roots(5, {4, 5}) == Ranges{{4, 5}});
  CHECK(fnn::subtree_roots(4, {2, 2}).empty());
}

TEST_CASE("the tree adds in its documented order, also when finished from partial sums",
          "[shards]") {
  // In floats 1e8 + 2 == 1e8, so the order of adding shows: the tree for S = 6,
  // ((0+1)+(2+3))+(4+5), gives (0 + 1e8) + -1e8 = 0; left to right gives 1.
  const std::vector<float> leaves{1e8F, -1e8F, 2.0F, 1e8F, -1e8F, 1.0F};
  std::vector<float> gradients = leaves;
  std::vector<double> losses{1, 2, 3, 4, 5, 6};
  const fnn::ShardSums sums{gradients, losses, 1};
  fnn::combine_shards(sums, {0, 6});
  const float expected = ((leaves[0] + leaves[1]) + (leaves[2] + leaves[3])) + (leaves[4] + leaves[5]);
  CHECK(gradients[0] == expected);
  CHECK(expected != ((((leaves[0] + leaves[1]) + leaves[2]) + leaves[3]) + leaves[4]) + leaves[5]);
  CHECK(losses[0] == 21.0);

  // Participant 1 of 2 holds [3, 6): its subtrees summed, then the tree finished from both.
  std::vector<float> split = leaves;
  std::vector<double> split_losses{1, 2, 3, 4, 5, 6};
  const fnn::ShardSums parts{split, split_losses, 1};
  std::vector<fnn::ShardRange> done;
  for (const fnn::ShardRange mine : {fnn::ShardRange{0, 3}, fnn::ShardRange{3, 6}}) {
    for (const fnn::ShardRange root : fnn::subtree_roots(6, mine)) {
      fnn::combine_shards(parts, root);
      done.push_back(root);
    }
  }
  fnn::combine_shards(parts, {0, 6}, done);
  CHECK(std::memcmp(&split[0], &gradients[0], sizeof(float)) == 0);
}

TEST_CASE("one shard hands the optimizer exactly the whole batch's backward pass", "[shards]") {
  std::uint64_t seed = 0;
  const std::vector<float> trained = first_gradient(32, 1, seed);
  const Data data;
  CHECK(same_bits(trained, shard_gradient(make_network(), data, 0, 32, 32, seed)));
}

TEST_CASE("S shards give the tree's sum of the shards' passes exactly, and the whole batch's "
          "gradient to float rounding",
          "[shards]") {
  const Data data;
  const fnn::Network network = make_network();
  std::uint64_t seed = 0;
  const std::vector<float> four = first_gradient(30, 4, seed);
  // Shards of 30 rows: [0,7) [7,15) [15,22) [22,30), added (0+1)+(2+3).
  std::vector<std::vector<float>> parts;
  for (const auto& [begin, end] : {std::pair{0, 7}, {7, 15}, {15, 22}, {22, 30}}) {
    parts.push_back(shard_gradient(network, data, begin, end, 30, seed));
  }
  const std::vector<float> whole = shard_gradient(network, data, 0, 30, 30, seed);
  std::vector<float> tree(whole.size());
  double largest_error = 0.0;
  for (std::size_t i = 0; i < tree.size(); ++i) {
    tree[i] = (parts[0][i] + parts[1][i]) + (parts[2][i] + parts[3][i]);
    largest_error = std::max(largest_error, std::abs(double{four[i]} - double{whole[i]}));
  }
  CHECK(same_bits(four, tree));
  CHECK(largest_error <= 1e-6);
  CHECK(largest_error > 0.0);  // or the comparison would prove nothing about the cut
}

TEST_CASE("a batch smaller than its shard count leaves shards empty and still adds up",
          "[shards]") {
  const Data data;
  std::uint64_t seed = 0;
  const std::vector<float> gradient = first_gradient(3, 5, seed);  // shards of 0,1,0,1,1 rows
  const std::vector<float> whole = shard_gradient(make_network(), data, 0, 3, 3, seed);
  for (std::size_t i = 0; i < whole.size(); ++i) CHECK(gradient[i] == Approx(whole[i]).margin(1e-6));
  const fnn::Options adam{{"learning_rate", "0.01"}};
  const fnn::TrainingOptions options{.batch_size = 3, .shards = 5, .epochs = 2, .seed = 2,
                                     .threads = 1};
  fnn::TrainingOptions two = options;
  two.threads = 2;
  CHECK(same_bits(train(adam, "adam", options).parameters, train(adam, "adam", two).parameters));
}

TEST_CASE("S = 2 and 4 shards, uneven last batch, dropout, adam and nesterov: bit-identical on 1 "
          "and 2 threads",
          "[shards][threads]") {
  const std::size_t shards = GENERATE(2, 4);
  const bool adam = GENERATE(false, true);
  INFO(shards << " shards, " << (adam ? "adam" : "sgd with nesterov momentum"));
  const fnn::Options options = adam ? fnn::Options{{"learning_rate", "0.01"}}
                                    : fnn::Options{{"learning_rate", "0.2"},
                                                   {"momentum", "0.9"},
                                                   {"nesterov", "true"}};
  const std::string name = adam ? "adam" : "sgd";
  const Result one = train(options, name,
                           {.batch_size = 32, .shards = shards, .epochs = 3, .seed = 8,
                            .threads = 1});
  const Result two = train(options, name,
                           {.batch_size = 32, .shards = shards, .epochs = 3, .seed = 8,
                            .threads = 2});
  CHECK(same_bits(one.parameters, two.parameters));
  CHECK(same_bits(one.optimizer_state, two.optimizer_state));
  // And the cut is part of the run: one shard gives other bits.
  const Result single = train(options, name, {.batch_size = 32, .epochs = 3, .seed = 8,
                                              .threads = 1});
  CHECK_FALSE(same_bits(one.parameters, single.parameters));
}

namespace {

// Participants of a simulated distributed run, one thread each: every one posts its subtree
// sums on a shared board, all wait, and each copies the others' into its own slots.
class BoardExchange final : public fnn::GradientExchange {
 public:
  struct Board {
    Board(std::size_t participants, std::size_t shards, std::size_t parameters)
        : gradients(shards * parameters), losses(shards), stops(participants),
          barrier(static_cast<std::ptrdiff_t>(participants)) {}
    std::vector<float> gradients;
    std::vector<double> losses;
    std::vector<int> stops;  // each participant's word on stopping
    std::barrier<> barrier;
  };
  BoardExchange(Board& board, std::size_t participants, std::size_t participant)
      : board_(board), participants_(participants), participant_(participant) {}
  std::size_t participants() const noexcept override { return participants_; }
  std::size_t participant() const noexcept override { return participant_; }
  void share(std::span<const std::vector<fnn::ShardRange>> roots,
             const fnn::ShardSums& sums) override {
    share_with_stops(roots, sums, {});
  }
  // The words on stopping go on the board with the sums (none when `stops` is empty).
  void share_with_stops(std::span<const std::vector<fnn::ShardRange>> roots,
                        const fnn::ShardSums& sums, std::span<int> stops) override {
    const fnn::ShardSums board{board_.gradients, board_.losses, sums.parameters};
    for (const fnn::ShardRange root : roots[participant_]) move(sums, board, root.begin);
    if (!stops.empty()) board_.stops[participant_] = stops[participant_];
    board_.barrier.arrive_and_wait();
    for (std::size_t p = 0; p < participants_; ++p) {
      if (!stops.empty()) stops[p] = board_.stops[p];
      if (p == participant_) continue;
      for (const fnn::ShardRange root : roots[p]) move(board, sums, root.begin);
    }
    board_.barrier.arrive_and_wait();  // nobody posts the next batch before all have read
  }

 private:
  static void move(const fnn::ShardSums& from, const fnn::ShardSums& to, std::size_t shard) {
    std::ranges::copy(from.gradient(shard), to.gradient(shard).begin());
    to.losses[shard] = from.losses[shard];
  }
  Board& board_;
  std::size_t participants_;
  std::size_t participant_;
};

}  // namespace

TEST_CASE("participants that each compute their shards and share them through a GradientExchange "
          "end bit-identical to one process",
          "[shards]") {
  const std::size_t participants = GENERATE(2, 3, 4);
  INFO(participants << " participants, 4 shards");
  const fnn::Options nesterov{{"learning_rate", "0.2"}, {"momentum", "0.9"}, {"nesterov", "true"}};
  const fnn::TrainingOptions options{.batch_size = 32, .shards = 4, .epochs = 2, .seed = 8,
                                     .threads = 1};
  const Result alone = train(nesterov, "sgd", options);

  const Data data;
  BoardExchange::Board board(participants, 4, make_network().parameters().size());
  std::vector<Result> results(participants);
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < participants; ++p) {
    threads.emplace_back([&, p] {
      BoardExchange exchange(board, participants, p);
      fnn::TrainingOptions mine = options;
      mine.exchange = &exchange;
      results[p] = train(nesterov, "sgd", mine, data);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Result& result : results) {
    CHECK(same_bits(alone.parameters, result.parameters));
    CHECK(same_bits(alone.optimizer_state, result.optimizer_state));
  }
}

TEST_CASE("a stop request on one participant stops every participant after the same batch, with "
          "its signal",
          "[shards][interrupt]") {
  const Data data;
  const std::size_t asker = GENERATE(0, 1);
  INFO("participant " << asker << " of 2 asks to stop after batch 3");
  const fnn::TrainingOptions options{.batch_size = 32, .shards = 2, .epochs = 2, .seed = 8,
                                     .threads = 1};
  BoardExchange::Board board(2, 2, make_network().parameters().size());
  std::vector<fnn::StopRequest> stops(2);
  std::vector<fnn::EpochReport> reports(2);
  std::vector<fnn::TrainingPosition> positions(2);
  std::vector<Result> results(2);
  std::vector<int> signals(2);
  std::vector<int> stopping(2);  // not vector<bool>: each thread writes its own element
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < 2; ++p) {
    threads.emplace_back([&, p] {
      BoardExchange exchange(board, 2, p);
      fnn::TrainingOptions mine = options;
      mine.exchange = &exchange;
      mine.stop = &stops[p];
      fnn::Network network = make_network();
      const auto loss = fnn::test::plugins().make_loss("mse");
      const auto sgd = fnn::test::plugins().make_optimizer("sgd");
      fnn::Trainer trainer(network, *loss, *sgd, mine);
      reports[p] = trainer.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport& b) {
        // Between exchanges: the request travels with batch 4's sums.
        if (p == asker && b.batch == 3) stops[p].request(15);
      });
      positions[p] = trainer.position();
      signals[p] = trainer.stop_signal();
      stopping[p] = trainer.stop_requested();
      results[p] = {copy(network.parameters()), copy(sgd->state())};
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (std::size_t p = 0; p < 2; ++p) {
    CHECK(reports[p].interrupted);
    CHECK(positions[p].batches_done == 4);
    CHECK(positions[p].epochs_done == 0);
    CHECK(signals[p] == 15);
    CHECK(stopping[p]);
    CHECK(stops[p].requested() == (p == asker));  // the other's own request stays untouched
  }
  CHECK(same_bits(results[0].parameters, results[1].parameters));
}

namespace {

// Participant 0 of 2 whose peer's gathered text is fixed: for the default share_with_stops.
class GatheringExchange final : public fnn::GradientExchange {
 public:
  std::size_t participants() const noexcept override { return 2; }
  std::size_t participant() const noexcept override { return 0; }
  void share(std::span<const std::vector<fnn::ShardRange>>, const fnn::ShardSums&) override {
    ++shared;
  }
  std::vector<std::string> gather(const std::string& text) override { return {text, "15"}; }
  int shared = 0;
};

}  // namespace

TEST_CASE("without a way of its own an exchange carries the words on stopping by share and gather",
          "[shards][interrupt]") {
  GatheringExchange exchange;
  std::vector<int> stops{fnn::no_stop, fnn::no_stop};
  exchange.share_with_stops({}, {}, stops);
  CHECK(exchange.shared == 1);
  CHECK(stops == std::vector<int>{fnn::no_stop, 15});
}

TEST_CASE("one process stops after the batch its request came in, and says so without an "
          "exchange",
          "[shards][interrupt]") {
  const Data data;
  fnn::StopRequest stop;
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd,
                       {.batch_size = 32, .shards = 2, .epochs = 2, .seed = 8, .threads = 1,
                        .stop = &stop});
  CHECK_FALSE(trainer.stop_requested());
  const fnn::EpochReport report =
      trainer.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport& b) {
        if (b.batch == 3) stop.request(2);
      });
  CHECK(report.interrupted);
  CHECK(trainer.position().batches_done == 3);
  CHECK(trainer.stop_requested());
  CHECK(trainer.stop_signal() == 2);
}

TEST_CASE("a run with shards resumed inside an epoch ends bit-identical to an unbroken one",
          "[shards][resume]") {
  const Data data;
  const auto loss = fnn::test::plugins().make_loss("mse");
  const fnn::Options adam{{"learning_rate", "0.01"}};
  const fnn::TrainingOptions options{.batch_size = 32, .shards = 3, .epochs = 3, .seed = 5,
                                     .threads = 2};
  const Result unbroken = train(adam, "adam", options, data);

  fnn::Network first = make_network();
  const auto first_adam = fnn::test::plugins().make_optimizer("adam", adam);
  fnn::Trainer before(first, *loss, *first_adam, options);
  fnn::TrainingPosition position;
  Result saved;
  before.train_epoch(data.inputs, data.targets, [&](const fnn::BatchReport& report) {
    if (report.batch != 4) return;
    position = before.position();
    saved = {copy(first.parameters()), copy(first_adam->state())};
  });

  fnn::Network second = make_network();
  second.set_parameters(saved.parameters);
  const auto second_adam = fnn::test::plugins().make_optimizer("adam", adam);
  fnn::Trainer after(second, *loss, *second_adam, options);
  std::ranges::copy(saved.optimizer_state, second_adam->state().begin());
  after.resume(position);
  after.fit(data.inputs, data.targets);
  CHECK(same_bits(unbroken.parameters, second.parameters()));
  CHECK(same_bits(unbroken.optimizer_state, second_adam->state()));
}

TEST_CASE("a shard count of 0 or above max_shards is refused", "[shards]") {
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  CHECK_THROWS_AS(fnn::Trainer(network, *loss, *sgd, {.shards = 0}), fnn::TrainingError);
  CHECK_THROWS_WITH(fnn::Trainer(network, *loss, *sgd, {.shards = fnn::max_shards + 1}),
                    "the shard count must be 1 to 4096, got 4097");
}

TEST_CASE("a model file stores the shard count; files from before it read 1, bad counts are "
          "refused naming the file",
          "[model][shards]") {
  const fnn::test::TemporaryDirectory directory;
  const auto file = directory.path() / "m.fnn";
  const fnn::Network network = make_network();
  fnn::ModelInfo info;
  info.training.emplace().shards = 6;
  info.training->position.rng_state = fnn::Rng(1).state();
  fnn::save_model(file, network, info);
  CHECK(fnn::load_model(file, fnn::test::plugins()).info.training->shards == 6);

  fnn::ModelFile contents = fnn::read_model_file(file);
  contents.metadata.erase("shards");
  fnn::write_model_file(file, contents);
  CHECK(fnn::load_model(file, fnn::test::plugins()).info.training->shards == 1);

  contents.metadata["shards"] = std::to_string(0);
  fnn::write_model_file(file, contents);
  CHECK(fnn::test::error_message([&] { fnn::load_model(file, fnn::test::plugins()); }) ==
        file.string() + ": this fnn model entry 'shards' is '0', expected 1 to 4096");
}

TEST_CASE("a gradient per shard that cannot fit is refused before the first batch, naming the "
          "shard count",
          "[shards][sizes]") {
  // 2.5·10^7 parameters (100 MB) in 4096 shards: 410 GB of shard gradients.
  fnn::NetworkSpec spec{1000};
  spec.add("dense", {{"units", "25000"}, {"bias", "false"}});
  fnn::Network network(fnn::test::plugins(), spec);
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd, {.batch_size = 8, .shards = fnn::max_shards});
  CHECK_THAT(fnn::test::error_message([&] { trainer.reserve(8); }),
             Catch::Matchers::StartsWith("training in batches of 8 samples in 4096 shards (the "
                                         "parameters, a gradient per shard and") &&
                 Catch::Matchers::EndsWith("use a smaller batch size, network or shard count"));
}
