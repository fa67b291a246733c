// Data files through the fnn tool: every bad input is a clear error (exit 1) naming the file and
// the place; IDX data trains; metrics files.
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
  CHECK_THAT(metrics, Contains("epoch,train_loss,validation_loss,validation_accuracy,seconds\n"));
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
