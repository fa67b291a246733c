// Data files through the fnn tool: every bad input is a clear error (exit 1) naming the file and
// the place; IDX data trains; metrics files.
#include <zlib.h>

#include <cstdint>
#include <fstream>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace {

// Big-endian IDX: magic 0 0 type dims, then the dimension sizes, then bytes.
std::string idx(std::uint8_t dimensions, const std::vector<std::uint32_t>& sizes,
                const std::string& payload) {
  std::string bytes{'\0', '\0', '\x08', static_cast<char>(dimensions)};
  for (const std::uint32_t size : sizes) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((size >> shift) & 0xff);
  }
  return bytes + payload;
}

void write_gzip(const std::filesystem::path& file, const std::string& bytes) {
  gzFile out = gzopen(file.c_str(), "wb");
  REQUIRE(out != nullptr);
  REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(out) == Z_OK);
}

// fnn with its standard input read from `input` (run_fnn gives it /dev/null).
fnn::test::ProcessResult run_fnn_reading(const std::filesystem::path& input,
                                         const std::vector<std::string>& args) {
  std::vector<std::string> words{"-c", "exec \"$0\" \"$@\" < \"$STDIN_FILE\"", FNN_CLI_PATH};
  words.insert(words.end(), args.begin(), args.end());
  const fnn::test::ScopedEnvironment stdin_file("STDIN_FILE", input.string());
  return fnn::test::run_process("/bin/sh", words);
}

// A two-input class model trained on four rows, saved as `model`.
void train_small_model(const std::filesystem::path& data, const std::filesystem::path& model) {
  write_file(data, "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  const auto trained = run_fnn(
      {"train", "--train", data.string(), "--classes", "--epochs", "1", "--save", model.string()});
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
}

}  // namespace

TEST_CASE("bad CSV and IDX data exit 1 with the file and the place", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  struct Case {
    std::string name;
    std::string contents;
    std::vector<std::string> message;
  };
  const std::string images = idx(3, {4, 2, 2}, std::string(16, '\x10'));
  const std::vector<Case> cases{
      {"ragged.csv", "a,b,c\n1,2,3\n4,5\n", {"ragged.csv:3", "3", "2"}},
      {"text.csv", "a,b,c\n1,2,3\n4,five,6\n", {"text.csv:3", "five"}},
      {"nan.csv", "a,b,c\n1,2,3\n4,nan,6\n", {"nan.csv:3"}},
      {"inf.csv", "a,b,c\n1,inf,3\n", {"inf.csv:2"}},
      {"empty.csv", "", {"empty.csv", "empty"}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    write_file(file(c.name), c.contents);
    const auto result = run_fnn({"train", "--train", file(c.name)});
    CHECK(result.exit_code == 1);
    for (const std::string& part : c.message) CHECK_THAT(result.err, Contains(part));
  }

  write_file(file("images.idx"), images);
  struct LabelCase {
    std::string name;
    std::string contents;
    std::vector<std::string> message;
  };
  const std::vector<LabelCase> label_cases{
      {"bad-magic.idx", "\x01\x02\x08\x01" + std::string(8, '\0'), {"bad-magic.idx", "magic"}},
      {"truncated.idx", idx(1, {4}, "\x01\x02"), {"truncated.idx", "truncated"}},
      {"more.idx", idx(1, {5}, std::string("\x01\x02\x01\x00\x01", 5)), {"more.idx", "5", "4"}},
      {"fewer.idx", idx(1, {3}, std::string("\x01\x02\x01", 3)), {"fewer.idx", "3", "4"}},
  };
  for (const LabelCase& c : label_cases) {
    INFO(c.name);
    write_file(file(c.name), c.contents);
    const auto result =
        run_fnn({"train", "--train", file("images.idx"), "--train-labels", file(c.name)});
    CHECK(result.exit_code == 1);
    for (const std::string& part : c.message) CHECK_THAT(result.err, Contains(part));
  }
  // Float images (IDX type 0x0D) with a NaN or an infinity, and good labels.
  write_file(file("labels2.idx"), idx(1, {2}, std::string("\x00\x01", 2)));
  for (const auto& [name, value] :
       {std::pair{"nan-images.idx", std::string("\x7F\xC0\x00\x00", 4)},
        std::pair{"inf-images.idx", std::string("\x7F\x80\x00\x00", 4)}}) {
    INFO(name);
    std::string float_images = idx(2, {2, 2}, std::string(12, '\0') + value);
    float_images[2] = '\x0D';
    write_file(file(name), float_images);
    const auto result =
        run_fnn({"train", "--train", file(name), "--train-labels", file("labels2.idx")});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err,
               Contains(name) && Contains("byte 24") && Contains("expected a finite f32"));
  }
  const auto missing = run_fnn({"train", "--train", file("absent.csv")});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains("absent.csv"));
}

TEST_CASE("IDX images with labels train a class model", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  // Two classes of 2×2 images: bright top row (class 0) or bright bottom row (class 1).
  std::string pixels;
  std::string labels;
  for (int i = 0; i < 40; ++i) {
    const bool top = i % 2 == 0;
    pixels += top ? std::string("\xf0\xf0\x10\x10", 4) : std::string("\x10\x10\xf0\xf0", 4);
    labels += top ? '\0' : '\x01';
  }
  write_file(file("images.idx"), idx(3, {40, 2, 2}, pixels));
  write_file(file("labels.idx"), idx(1, {40}, labels));
  const auto result = run_fnn({"train", "--train", file("images.idx"), "--train-labels",
                               file("labels.idx"), "--test", file("images.idx"), "--test-labels",
                               file("labels.idx"), "--scale", "minmax", "--hidden", "4",
                               "--learning-rate", "2", "--epochs", "200", "--batch-size", "8",
                               "--progress", "plain", "--metrics", file("metrics.csv")});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("test: loss") && Contains("accuracy 1.0000 (40/40)"));
  const std::string metrics = read_file(file("metrics.csv"));
  CHECK_THAT(metrics, Contains("epoch,train_loss,validation_loss,validation_accuracy,seconds,"
                               "learning_rate,best_epoch,train_accuracy\n"));
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 201);
}

TEST_CASE("validation split and JSON-lines metrics", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  std::string csv = "x,y,label\n";
  for (int i = 0; i < 50; ++i) {
    csv += std::to_string(i % 7) + "," + std::to_string(i % 3) + "," + (i % 7 > 3 ? "1" : "0") + "\n";
  }
  write_file(file("data.csv"), csv);
  const auto result = run_fnn({"train", "--train", file("data.csv"), "--classes",
                               "--validation-split", "0.2", "--epochs", "3", "--progress",
                               "plain", "--metrics", file("m.jsonl")});
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("training on 40 samples") && Contains("10 for validation") &&
                             Contains("validation accuracy"));
  const std::string metrics = read_file(file("m.jsonl"));
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 3);
  CHECK_THAT(metrics, Contains("{\"epoch\":3,\"train_loss\":") && Contains("\"validation_accuracy\":"));
  CHECK_FALSE(result.err.find('\r') != std::string::npos);  // no bar when not on a terminal
}

TEST_CASE("an IDX file is known by its content and needs its labels file", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  train_small_model(file("xor.csv"), file("model.fnn"));
  write_gzip(file("images.csv"), idx(3, {4, 2, 2}, std::string(16, '\x10')));
  write_file(file("labels.idx"), idx(1, {4}, std::string("\x00\x01\x00\x01", 4)));

  const auto train = run_fnn({"train", "--train", file("images.csv")});
  CHECK(train.exit_code == 1);
  CHECK(train.err == "fnn: " + file("images.csv") +
                         ": an IDX file (found by its first bytes), whose labels come in a file "
                         "of their own: give it with --train-labels\n");
  const auto eval = run_fnn({"eval", "--model", file("model.fnn"), "--test", file("images.csv")});
  CHECK(eval.exit_code == 1);
  CHECK_THAT(eval.err, Contains(file("images.csv")) && Contains("give it with --test-labels"));

  const auto missing =
      run_fnn({"train", "--train", file("images.csv"), "--train-labels", file("absent.idx")});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains(file("absent.idx") + ": cannot open the labels file"));
}

TEST_CASE("IDX data of the wrong width is refused from its header", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  train_small_model(file("xor.csv"), file("model.fnn"));
  // 1000 images of 28 x 28 declared, 100 bytes present: only the header can be checked.
  write_gzip(file("wide.gz"), idx(3, {1000, 28, 28}, std::string(100, '\x10')));
  write_file(file("labels.idx"), idx(1, {1000}, std::string(1000, '\x01')));
  const std::string expected =
      file("wide.gz") +
      ": byte 4: expected rows of 2 values, the header declares 1000 x 28 x 28 (rows of 784 "
      "values)";
  const auto eval = run_fnn({"eval", "--model", file("model.fnn"), "--test", file("wide.gz"),
                             "--test-labels", file("labels.idx")});
  CHECK(eval.exit_code == 1);
  CHECK_THAT(eval.err, Contains(expected));
  const auto predict = run_fnn({"predict", "--model", file("model.fnn"), "--input", file("wide.gz"),
                                "--output", file("out.csv")});
  CHECK(predict.exit_code == 1);
  CHECK_THAT(predict.err, Contains(expected));
}

TEST_CASE("bad CSV values are quoted short and escaped, long lines refused", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  write_file(file("long.csv"), "a,b\n1," + std::string(5000, '7') + "\n");
  const auto long_field = run_fnn({"train", "--train", file("long.csv")});
  CHECK(long_field.exit_code == 1);
  CHECK(long_field.err == "fnn: " + file("long.csv") +
                              ":2: column 2: expected a field of at most 4096 bytes, found \"" +
                              std::string(60, '7') + "...\" (5000 bytes)\n");
  write_file(file("cr.csv"), "a,b\n1,0\r\r\n");
  const auto cr = run_fnn({"train", "--train", file("cr.csv")});
  CHECK(cr.exit_code == 1);
  CHECK_THAT(cr.err, Contains(":2: column 2: expected a number, found \"0\\r\""));
}

TEST_CASE("the file name - reads CSV data from standard input", "[cli][data]") {
  fnn::test::TemporaryDirectory folder;
  const auto file = [&](const std::string& name) { return (folder.path() / name).string(); };
  train_small_model(file("xor.csv"), file("model.fnn"));
  const auto train =
      run_fnn_reading(file("xor.csv"), {"train", "--train", "-", "--classes", "--epochs", "1"});
  INFO(train.err);
  CHECK(train.exit_code == 0);
  CHECK_THAT(train.out, Contains("training on 4 samples"));
  const auto eval =
      run_fnn_reading(file("xor.csv"), {"eval", "--model", file("model.fnn"), "--test", "-"});
  CHECK(eval.exit_code == 0);
  CHECK_THAT(eval.out, Contains("accuracy") && Contains("/4)"));
  const auto predict = run_fnn_reading(
      file("xor.csv"),
      {"predict", "--model", file("model.fnn"), "--input", "-", "--output", file("out.csv")});
  CHECK(predict.exit_code == 0);
  const std::string predictions = read_file(file("out.csv"));
  CHECK(std::count(predictions.begin(), predictions.end(), '\n') == 5);
  write_file(file("bad.csv"), "a,b,y\n1,x,0\n");
  const auto bad = run_fnn_reading(file("bad.csv"), {"train", "--train", "-"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Contains("standard input:2: column 2: expected a number, found \"x\""));
}
