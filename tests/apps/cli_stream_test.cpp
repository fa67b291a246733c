// fnn train streams a data store given as --train (never loading it) and trains the model the
// CSV file gives, byte for byte.
#include <fnn/model_file.hpp>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/test_support.hpp"

using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

using fnn::test::tensor_bytes;

namespace {

// 600 rows of three inputs and a class label 0..2.
std::string class_csv() {
  std::string text = "x,y,z,label\n";
  for (std::size_t r = 0; r < 600; ++r) {
    text += std::to_string(r % 97) + ".25," + std::to_string(r % 13) + "e-2," +
            std::to_string((r * 7) % 11) + "," + std::to_string((r % 97 + r % 13) % 3) + "\n";
  }
  return text;
}


}  // namespace

TEST_CASE("fnn train streaming a store saves the model the CSV file gives, also resumed",
          "[cli][stream]") {
  fnn::test::TemporaryDirectory folder;
  const auto path = [&](const std::string& name) { return (folder.path() / name).string(); };
  write_file(path("data.csv"), class_csv());
  REQUIRE(run_fnn({"convert", path("data.csv"), "--classes", "-o", path("data.fnnd")}).exit_code ==
          0);
  const std::string threads = GENERATE("1", "2");
  INFO("--threads " << threads);
  const std::vector<std::string> options{"--classes",
                                         "--layers",
                                         "dense:units=8 relu dropout:rate=0.25 dense softmax",
                                         "--loss",
                                         "cross_entropy",
                                         "--epochs",
                                         "3",
                                         "--batch-size",
                                         "16",
                                         "--validation-split",
                                         "0.25",
                                         "--scale",
                                         "standardize",
                                         "--optimizer",
                                         "sgd:momentum=0.9",
                                         "--threads",
                                         threads};
  const auto train = [&](const std::string& data, std::vector<std::string> extra) {
    std::vector<std::string> args{"train", "--train", data};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_fnn(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
  };
  const std::string csv_out = train(path("data.csv"), {"--save", path("csv.fnn")});
  // 450 training rows: 29 batches an epoch; checkpoints every 10 batches leave batch 80's, the
  // 22nd of epoch 3.
  const std::string store_out =
      train(path("data.fnnd"), {"--save", path("store.fnn"), "--checkpoint-every", "10batches",
                                "--checkpoint", path("run.ckpt")});
  CHECK(read_file(path("csv.fnn")) == read_file(path("store.fnn")));
  CHECK_THAT(store_out, Catch::Matchers::Contains("training on 450 samples (3 inputs, 3 outputs, "
                                                  "150 for validation)"));

  // Resumed inside epoch 3 from the store's checkpoint: the weights of the unbroken run.
  std::vector<std::string> args{
      "train",    "--train", path("data.fnnd"),    "--resume", path("run.ckpt"),
      "--epochs", "3",       "--validation-split", "0.25",     "--threads",
      threads,    "--save",  path("resumed.fnn")};
  const auto resumed = run_fnn(args);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.out, Catch::Matchers::Contains("after batch 22 of epoch 3"));
  CHECK(tensor_bytes(path("resumed.fnn"), "parameters") ==
        tensor_bytes(path("csv.fnn"), "parameters"));
  CHECK(tensor_bytes(path("resumed.fnn"), "optimizer_state") ==
        tensor_bytes(path("csv.fnn"), "optimizer_state"));
}
