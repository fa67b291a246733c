#include <algorithm>
#include <chrono>
#include <cstring>
#include <fnn/data_store.hpp>
#include <fnn/gradient_exchange.hpp>
#include <fnn/sample_source.hpp>
#include <fnn/training_run.hpp>
#include <fstream>
#include <functional>
#include <numeric>
#include <vector>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::TemporaryDirectory;

namespace {

constexpr std::size_t rows = 5000;  // two blocks of the store, the second short
constexpr std::size_t input_count = 6;
constexpr std::size_t classes = 3;

// Inputs of differing scales, so that standardizing changes every column; labels from them.
fnn::Dataset raw_data() {
  fnn::Dataset data{fnn::Matrix(rows, input_count), fnn::Matrix(rows, 1)};
  fnn::Rng rng(17);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < input_count; ++c) {
      data.inputs(r, c) =
          rng.uniform(-1.0F, 1.0F) * static_cast<float>(c + 1) + 0.3F * static_cast<float>(c);
    }
    data.targets(r, 0) =
        static_cast<float>((data.inputs(r, 0) > 0 ? 1 : 0) + (data.inputs(r, 1) > 1 ? 1 : 0));
  }
  return data;
}

void write_store(const std::filesystem::path& file, const fnn::Dataset& data) {
  fnn::DataStoreWriter writer(file, input_count, 1, {}, {}, true);
  for (std::size_t r = 0; r < rows; ++r)
    writer.add_row(data.inputs.view().row(r), data.targets.view().row(r));
  writer.finish();
}

fnn::Network make_network() {
  fnn::NetworkSpec spec{input_count};
  spec.add("dense", {{"units", "12"}}).add("relu").add("dropout", {{"rate", "0.2"}});
  spec.add("dense", {{"units", "3"}}).add("softmax");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return network;
}

std::vector<float> copy(std::span<const float> values) {
  return {values.begin(), values.end()};
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

struct Trained {
  std::vector<float> parameters;
  std::vector<float> optimizer_state;
  std::vector<double> validation_losses;
};

// Trains with a TrainingRun on `train` and `validation`, stopping after batch `stop_after`
// (counted across epochs; 0: never) and resuming from that position in a new run.
Trained run(const fnn::SampleSource& train, const fnn::SampleSource& validation,
            std::size_t threads, std::size_t stop_after) {
  fnn::ModelInfo info;
  info.loss.name = "cross_entropy";
  info.layout.classes = classes;
  fnn::TrainingState& training = info.training.emplace();
  training.total_epochs = 3;
  training.batch_size = 50;
  training.seed = 7;
  training.optimizer.name = "sgd";
  training.optimizer.options = {{"learning_rate", "0.2"}, {"momentum", "0.9"}};
  Trained result;
  fnn::Network network = make_network();
  fnn::StopRequest stop;
  std::size_t batches = 0;
  const fnn::RunCallbacks callbacks{
      .on_batch =
          [&](const fnn::BatchReport&) {
            if (++batches == stop_after) stop.request(2);
          },
      .on_epoch =
          [&](const fnn::EpochSummary& summary) {
            result.validation_losses.push_back(summary.validation_loss.value_or(-1.0));
          }};
  fnn::TrainingRun first(fnn::test::plugins(), network, info,
                         {.threads = threads,
                          .checkpoints = {},
                          .metrics = {},
                          .stop = &stop,
                          .exchange = nullptr,
                          .writes_files = true,
                          .training_accuracy = true});
  if (!first.train(train, &validation, callbacks)) {
    const fnn::ModelInfo saved = first.snapshot();  // what a checkpoint holds
    fnn::StopRequest none;
    fnn::TrainingRun rest(fnn::test::plugins(), network, saved,
                          {.threads = threads,
                           .checkpoints = {},
                           .metrics = {},
                           .stop = &none,
                           .exchange = nullptr,
                           .writes_files = true,
                           .training_accuracy = true});
    REQUIRE(rest.train(train, &validation, callbacks));
  }
  result.parameters = copy(network.parameters());
  return result;
}

}  // namespace

TEST_CASE("a scaler fitted block by block equals one fitted to all rows, bit for bit",
          "[stream][scaler]") {
  const fnn::Dataset data = raw_data();
  for (const auto method : {fnn::Scaler::Method::standardize, fnn::Scaler::Method::min_max,
                            fnn::Scaler::Method::none}) {
    const fnn::Scaler whole(method, data.inputs);
    for (const std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, rows}) {
      fnn::ScalerFit fit(method, input_count);
      for (bool again = true; again;) {
        for (std::size_t first = 0; first < rows; first += block) {
          fit.add(data.inputs.view().row_block(first, std::min(block, rows - first)));
        }
        again = fit.needs_another_pass();
        if (again) fit.next_pass();
      }
      const fnn::Scaler blocks = fit.result();
      CHECK(same_bits(blocks.offsets(), whole.offsets()));
      CHECK(same_bits(blocks.factors(), whole.factors()));
    }
  }
}

TEST_CASE("training streamed from a store equals training on the loaded data, byte for byte",
          "[stream][store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  const fnn::Dataset raw = raw_data();
  write_store(file, raw);

  // In memory, as fnn train does it: one-hot, split, fit the scaler on the kept rows, scale.
  fnn::Dataset loaded{raw.inputs, fnn::one_hot(raw.targets.values(), classes, "labels")};
  fnn::Dataset held = fnn::split_validation(loaded, 0.2, 7);
  const fnn::Scaler scaler(fnn::Scaler::Method::standardize, loaded.inputs);
  scaler.apply(loaded.inputs);
  scaler.apply(held.inputs);

  // Streamed: the same rows chosen as row lists, the scaler fitted through them.
  fnn::StoreSource store(file, classes);
  REQUIRE(store.target_count() == classes);
  const fnn::RowSplit split = fnn::split_validation_rows(rows, 0.2, 7);
  const fnn::SubsetSource kept(store, split.kept);
  const fnn::SubsetSource validation(store, split.held);
  const fnn::Scaler streamed_scaler = fnn::fit_scaler(fnn::Scaler::Method::standardize, kept);
  CHECK(same_bits(streamed_scaler.offsets(), scaler.offsets()));
  CHECK(same_bits(streamed_scaler.factors(), scaler.factors()));
  store.set_scaler(streamed_scaler);

  const std::size_t threads = GENERATE(1, 2);
  const std::size_t stop_after = GENERATE(0, 37, 80);  // never; inside epoch 1; inside epoch 2
  INFO(threads << " threads, stopped after batch " << stop_after);
  const fnn::MatrixSource memory_train(loaded);
  const fnn::MatrixSource memory_validation(held);
  const Trained in_memory = run(memory_train, memory_validation, threads, 0);
  const Trained from_store = run(kept, validation, threads, stop_after);
  CHECK(same_bits(in_memory.parameters, from_store.parameters));
  CHECK(in_memory.validation_losses == from_store.validation_losses);
  CHECK(in_memory.validation_losses.size() == 3);
}

TEST_CASE("a store source refuses a damaged block when it is opened", "[stream][store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  write_store(file, raw_data());
  {
    std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekp(-8, std::ios::end);  // inside the last block of the targets
    bytes.put('\x7f');
  }
  CHECK_THROWS_WITH(fnn::StoreSource(file, classes), Contains("damaged") && Contains("checksum"));
}

namespace {

// Overwrites the stored label of row `row` (0-based) in place.
void write_label(const std::filesystem::path& file, std::size_t row, float label) {
  std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
  std::uint64_t length = 0;
  bytes.read(reinterpret_cast<char*>(&length), sizeof length);
  const std::uint64_t targets = 8 + length + std::uint64_t{rows} * input_count * sizeof(float);
  bytes.seekp(static_cast<std::streamoff>(targets + row * sizeof(float)));
  bytes.write(reinterpret_cast<const char*>(&label), sizeof label);
}

}  // namespace

TEST_CASE("a store source gathers rows in any order as the same rows in memory do",
          "[stream][store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  const fnn::Dataset raw = raw_data();
  write_store(file, raw);
  const fnn::Dataset one_hot{raw.inputs, fnn::one_hot(raw.targets.values(), classes, "labels")};
  // Near ones (sharing a read of targets), a repeat, the first and the last row, out of order;
  // then rows far apart (more than 16 KiB of labels between them: reads of their own).
  const std::vector<std::size_t> batch =
      GENERATE(std::vector<std::size_t>{4999, 3, 4100, 5, 3, 0, 4, 4099, 2500, 4098},
               std::vector<std::size_t>{4999, 1, 0, 4200, 4999});
  const bool as_classes = GENERATE(false, true);
  const fnn::StoreSource store(file, as_classes ? classes : 0);
  const fnn::MatrixSource memory(as_classes ? one_hot : raw);
  fnn::Matrix inputs(batch.size(), input_count);
  fnn::Matrix targets(batch.size(), store.target_count());
  fnn::Matrix expected_inputs(batch.size(), input_count);
  fnn::Matrix expected_targets(batch.size(), store.target_count());
  store.gather(batch, inputs.view(), targets.view());
  memory.gather(batch, expected_inputs.view(), expected_targets.view());
  CHECK(same_bits(inputs.values(), expected_inputs.values()));
  CHECK(same_bits(targets.values(), expected_targets.values()));
}

TEST_CASE("a store source checks each label it gathers, never indexing outside the classes",
          "[stream][store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  const fnn::Dataset raw = raw_data();
  write_store(file, raw);
  const fnn::StoreSource store(file, classes);
  fnn::Matrix inputs(1, input_count);
  fnn::Matrix targets(1, classes);
  const std::size_t row[1] = {4321};
  store.gather(row, inputs.view(), targets.view());
  CHECK(targets(0, static_cast<std::size_t>(raw.targets(4321, 0))) == 1.0F);
  CHECK(same_bits(inputs.values(), raw.inputs.view().row(4321)));

  // Damaged after the checked pass, where its size and time do not tell.
  const auto opened = std::filesystem::last_write_time(file);
  write_label(file, 4321, 7.0F);
  SECTION("its time kept: the label is refused, naming the row") {
    std::filesystem::last_write_time(file, opened);
    CHECK_THROWS_WITH(store.gather(row, inputs.view(), targets.view()),
                      Contains("data.fnnd: row 4322: label 7.000000 is not a class from 0 to 2"));
  }
  SECTION("its time changed: the change is what is reported") {
    std::filesystem::last_write_time(file, opened + std::chrono::seconds(1));
    CHECK_THROWS_WITH(store.gather(row, inputs.view(), targets.view()),
                      Contains("data.fnnd: changed while it was read"));
  }
}

TEST_CASE("training from a store that changes between epochs stops with a clear error",
          "[stream][store]") {
  TemporaryDirectory folder;
  const auto file = folder.path() / "data.fnnd";
  write_store(file, raw_data());
  const fnn::StoreSource store(file, classes);
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("cross_entropy");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd,
                       {.batch_size = 100,
                        .shards = 1,
                        .epochs = 2,
                        .seed = 3,
                        .shuffle = true,
                        .threads = 1,
                        .schedule = {},
                        .stop = nullptr,
                        .exchange = nullptr});
  trainer.train_epoch(store);  // unchanged: trains
  const auto touched = [&] {
    std::filesystem::last_write_time(
        file, std::filesystem::last_write_time(file) + std::chrono::seconds(1));
  };
  const auto appended = [&] { std::ofstream(file, std::ios::binary | std::ios::app) << 'x'; };
  const auto replaced = [&] { write_store(file, raw_data()); };
  const auto truncated = [&] { std::filesystem::resize_file(file, 1000); };  // reads cut short
  const std::function<void()> changes[] = {touched, appended, replaced, truncated};
  const std::size_t change = GENERATE(0, 1, 2, 3);
  changes[change]();
  CHECK_THROWS_AS(trainer.train_epoch(store), fnn::DataError);
  CHECK_THROWS_WITH(trainer.train_epoch(store),
                    Contains("data.fnnd: changed while it was read (") &&
                        Contains("); train again on a store that stays put"));
}

namespace {

// Counts which rows are gathered, and keeps them in the order asked.
class CountingSource final : public fnn::SampleSource {
 public:
  explicit CountingSource(const fnn::Dataset& data) : memory_(data), seen_(data.inputs.rows(), 0) {}
  std::size_t rows() const override { return memory_.rows(); }
  std::size_t input_count() const override { return memory_.input_count(); }
  std::size_t target_count() const override { return memory_.target_count(); }
  void gather(std::span<const std::size_t> rows, fnn::MatrixView inputs,
              fnn::MatrixView targets) const override {
    for (const std::size_t row : rows) ++seen_[row];
    order_.insert(order_.end(), rows.begin(), rows.end());
    memory_.gather(rows, inputs, targets);
  }
  const std::vector<std::size_t>& seen() const { return seen_; }
  const std::vector<std::size_t>& order() const { return order_; }

 private:
  fnn::MatrixSource memory_;
  mutable std::vector<std::size_t> seen_;
  mutable std::vector<std::size_t> order_;
};

// One participant of two: shares nothing (the other's shard sums stay as they are), enough to
// see which rows this one gathers.
class HalfExchange final : public fnn::GradientExchange {
 public:
  explicit HalfExchange(std::size_t participant) : participant_(participant) {}
  std::size_t participants() const noexcept override { return 2; }
  std::size_t participant() const noexcept override { return participant_; }
  void share(std::span<const std::vector<fnn::ShardRange>>, const fnn::ShardSums&) override {}

 private:
  std::size_t participant_;
};

}  // namespace

TEST_CASE("each participant of a distributed run gathers only the rows of its shards",
          "[stream][distributed]") {
  fnn::Dataset data{raw_data().inputs, fnn::Matrix(rows, classes)};
  const std::size_t batch_size = 64;
  std::vector<std::size_t> total(rows, 0);
  std::vector<std::vector<std::size_t>> seen;
  for (std::size_t participant = 0; participant < 2; ++participant) {
    const CountingSource source(data);
    HalfExchange exchange(participant);
    fnn::Network network = make_network();
    const auto loss = fnn::test::plugins().make_loss("mse");
    const auto sgd = fnn::test::plugins().make_optimizer("sgd");
    fnn::Trainer trainer(network, *loss, *sgd,
                         {.batch_size = batch_size,
                          .shards = 2,
                          .epochs = 1,
                          .seed = 3,
                          .threads = 1,
                          .exchange = &exchange});
    trainer.train_epoch(source);
    seen.push_back(source.seen());
    for (std::size_t r = 0; r < rows; ++r) total[r] += source.seen()[r];
  }
  // Every row read once in all, by one participant.
  CHECK(std::ranges::all_of(total, [](std::size_t n) { return n == 1; }));
  const auto count = [](const std::vector<std::size_t>& s) {
    return static_cast<std::size_t>(std::ranges::count(s, std::size_t{1}));
  };
  // 78 batches of 64 rows (32 a shard) and one of 8 (4 a shard): half the rows each.
  CHECK(count(seen[0]) == rows / 2);
  CHECK(count(seen[1]) == rows / 2);
}

// The order is part of a run's definition (a saved run resumes into it): Fisher–Yates from the
// identity, drawn from the seed's generator, whatever the trainer stores it in (13 bits a row
// here, so indices straddle its 64-bit words).
TEST_CASE("an epoch's sample order is Fisher-Yates drawn from the seed", "[stream]") {
  const fnn::Dataset data{raw_data().inputs, fnn::Matrix(rows, classes)};
  const CountingSource source(data);
  fnn::Network network = make_network();
  const auto loss = fnn::test::plugins().make_loss("mse");
  const auto sgd = fnn::test::plugins().make_optimizer("sgd");
  fnn::Trainer trainer(network, *loss, *sgd,
                       {.batch_size = 64, .shards = 1, .epochs = 1, .seed = 3, .threads = 1});
  trainer.train_epoch(source);

  std::vector<std::size_t> expected(rows);
  std::iota(expected.begin(), expected.end(), std::size_t{0});
  fnn::Rng rng(3);
  for (std::size_t i = rows; i > 1; --i) std::swap(expected[i - 1], expected[rng.below(i)]);
  CHECK(source.order() == expected);
}
