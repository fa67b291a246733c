// fnn train --shards: the default run unchanged, the shard count kept in the model and by
// resume, a checkpoint inside an epoch resumed bit-identical, and bad values refused.
#include <cstring>
#include <fnn/fnn.hpp>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::run_fnn;

namespace {

// 100 samples of 3 inputs: in batches of 8, 13 batches an epoch, the last of 4.
struct Folder {
  fnn::test::TemporaryDirectory folder;
  std::string path(const std::string& name) const { return (folder.path() / name).string(); }
  Folder() {
    std::string csv = "a,b,c,y\n";
    fnn::Rng rng(5);
    for (int r = 0; r < 100; ++r) {
      const float a = rng.uniform(-1.0F, 1.0F);
      const float b = rng.uniform(-1.0F, 1.0F);
      const float c = rng.uniform(-1.0F, 1.0F);
      csv.append(std::to_string(a)).append(",").append(std::to_string(b)).append(",");
      csv.append(std::to_string(c)).append(",").append(std::to_string(a * b > c ? 0.8 : 0.2));
      csv.append("\n");
    }
    fnn::test::write_file(path("data.csv"), csv);
  }
};

// Dropout and nesterov momentum: every batch's seed and the optimizer state matter.
std::vector<std::string> train(const Folder& f, std::vector<std::string> more) {
  std::vector<std::string> args{"train", "--train", f.path("data.csv"), "--hidden", "8",
                                "--dropout", "0.25", "--optimizer",
                                "sgd:momentum=0.9,nesterov=true", "--learning-rate", "0.3",
                                "--batch-size", "8", "--seed", "3", "--progress", "plain"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The same parameters and optimizer state, bit for bit.
bool same_model(const std::string& a, const std::string& b) {
  const fnn::LoadedModel first = fnn::load_model(a, fnn::test::plugins());
  const fnn::LoadedModel second = fnn::load_model(b, fnn::test::plugins());
  return same_bits(first.network.parameters(), second.network.parameters()) &&
         same_bits(first.info.training->optimizer_state, second.info.training->optimizer_state);
}

}  // namespace

TEST_CASE("fnn train --shards 1 is the run without the option, bit for bit; other counts differ "
          "and are stored",
          "[cli][shards]") {
  const Folder f;
  REQUIRE(run_fnn(train(f, {"--epochs", "2", "--save", f.path("plain.fnn")})).exit_code == 0);
  REQUIRE(run_fnn(train(f, {"--epochs", "2", "--shards", "1", "--save", f.path("one.fnn")}))
              .exit_code == 0);
  const auto three = run_fnn(train(f, {"--epochs", "2", "--shards", "3", "--threads", "2",
                                       "--save", f.path("three.fnn")}));
  INFO(three.err);
  REQUIRE(three.exit_code == 0);
  CHECK(same_model(f.path("plain.fnn"), f.path("one.fnn")));
  CHECK_FALSE(same_model(f.path("plain.fnn"), f.path("three.fnn")));
  CHECK(fnn::load_model(f.path("plain.fnn"), fnn::test::plugins()).info.training->shards == 1);
  CHECK(fnn::load_model(f.path("three.fnn"), fnn::test::plugins()).info.training->shards == 3);
  const auto inspected = run_fnn({"inspect", f.path("three.fnn")});
  CHECK_THAT(inspected.out, Contains("batch size 8, shards 3, seed 3"));
  // And the thread count does not matter.
  REQUIRE(run_fnn(train(f, {"--epochs", "2", "--shards", "3", "--threads", "1", "--save",
                            f.path("three-1.fnn")}))
              .exit_code == 0);
  CHECK(same_model(f.path("three.fnn"), f.path("three-1.fnn")));
}

TEST_CASE("a checkpoint inside an epoch keeps its shard count: resumed, bit-identical; another "
          "count is refused",
          "[cli][shards][resume]") {
  const Folder f;
  const std::string shards = GENERATE("2", "5");
  INFO("--shards " << shards);
  REQUIRE(run_fnn(train(f, {"--epochs", "2", "--shards", shards, "--save",
                            f.path("unbroken.fnn")}))
              .exit_code == 0);
  // Checkpoints after batches 5, 10, ..., 25 of the run's 26: the last one it leaves is after
  // batch 12 of epoch 2, what a run killed there would resume from.
  REQUIRE(run_fnn(train(f, {"--epochs", "2", "--shards", shards, "--checkpoint-every",
                            "5batches", "--checkpoint", f.path("c.fnn"), "--save",
                            f.path("ignored.fnn")}))
              .exit_code == 0);
  const fnn::LoadedModel checkpoint = fnn::load_model(f.path("c.fnn"), fnn::test::plugins());
  REQUIRE(checkpoint.info.training->position.batches_done == 12);
  CHECK(checkpoint.info.training->shards == std::stoul(shards));

  const auto resumed = run_fnn({"train", "--resume", f.path("c.fnn"), "--train",
                                f.path("data.csv"), "--epochs", "2", "--progress", "plain",
                                "--save", f.path("resumed.fnn")});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(same_model(f.path("unbroken.fnn"), f.path("resumed.fnn")));

  const auto other = run_fnn({"train", "--resume", f.path("c.fnn"), "--train",
                              f.path("data.csv"), "--epochs", "2", "--shards", "4",
                              "--progress", "plain", "--save", f.path("other.fnn")});
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Contains("continues only with its own shard count, " + shards));
}

TEST_CASE("bad --shards values are usage errors", "[cli][shards]") {
  const Folder f;
  struct Case {
    std::string value;
    std::string message;
  };
  const std::vector<Case> cases{
      {"0", "--shards must be at least 1, got 0"},
      {"-2", "--shards must be at least 1, got -2"},
      {"many", "--shards"},
      {"4097", "--shards must be at most 4096, got 4097"},
  };
  for (const Case& c : cases) {
    INFO(c.value);
    const auto result = run_fnn(train(f, {"--epochs", "1", "--shards", c.value}));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(c.message));
  }
}

TEST_CASE("bad --exchange-timeout values are usage errors", "[cli][shards]") {
  const Folder f;
  for (const std::string value : {"0", "-1", "nan", "1e10"}) {
    INFO(value);
    const auto result = run_fnn(train(f, {"--epochs", "1", "--exchange-timeout", value}));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("--exchange-timeout must be above 0 and at most 1e9 seconds"));
  }
  CHECK(run_fnn(train(f, {"--epochs", "1", "--exchange-timeout", "0.5"})).exit_code == 0);
}

TEST_CASE("under a launcher of several processes commands other than train refuse to run as "
          "independent copies; one process runs",
          "[cli][shards][mpi]") {
  const Folder f;
  struct Case {
    const char* variable;
    const char* value;
  };
  for (const Case c : {Case{"OMPI_COMM_WORLD_SIZE", "2"}, Case{"PMI_SIZE", "4"},
                       Case{"PMIX_RANK", "0"}}) {
    INFO(c.variable);
    const fnn::test::ScopedEnvironment launched(c.variable, c.value);
    const auto result = run_fnn({"plugins"});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains(std::string("fnn plugins was started by a parallel launcher (") +
                                    c.variable + "=" + c.value + ")") &&
                               Contains("fnn_comm_mpi.so") &&
                               Contains("race to write the same files"));
  }
  const fnn::test::ScopedEnvironment alone("OMPI_COMM_WORLD_SIZE", "1");
  CHECK(run_fnn(train(f, {"--epochs", "1"})).exit_code == 0);
}
