// fnn convert: CSV and IDX files into a data store, read back exactly; bad input leaves no file;
// fnn train, eval and predict take the store wherever they take CSV.
#include <zlib.h>

#include <cstdint>
#include <fnn/csv.hpp>
#include <fnn/data_store.hpp>
#include <fnn/idx.hpp>

#include "support/process.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::error_message;
using fnn::test::read_file;
using fnn::test::run_fnn;
using fnn::test::write_file;

namespace {

// 24 rows of two inputs and a class label 0..2, with values that a float keeps exactly only
// when nothing is rounded on the way ("0.1" stays the float nearest to 0.1).
std::string class_csv(std::size_t first, std::size_t count) {
  std::string text;
  for (std::size_t r = first; r < first + count; ++r) {
    text +=
        std::to_string(r) + ".1," + std::to_string(r % 5) + "e-3," + std::to_string(r % 3) + "\n";
  }
  return text;
}

bool same_values(const fnn::Matrix& a, const fnn::Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.values().begin(), a.values().end(), b.values().begin());
}

}  // namespace

TEST_CASE("fnn convert stores CSV files exactly, with names and classes", "[cli][convert]") {
  fnn::test::TemporaryDirectory folder;
  const auto path = [&](const std::string& name) { return (folder.path() / name).string(); };
  write_file(path("one.csv"), "x,y,label\n" + class_csv(0, 12));
  write_file(path("two.csv"), "x,y,label\n" + class_csv(12, 12));
  write_file(path("all.csv"), "x,y,label\n" + class_csv(0, 24));
  const auto result = run_fnn({"convert", path("one.csv"), path("two.csv"), "--target", "label",
                               "--classes", "-o", path("data.fnnd")});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out, Contains("wrote 24 rows (2 inputs, 1 target, 3 classes)"));

  const fnn::DataStoreReader store(path("data.fnnd"));
  CHECK(store.info().input_names == std::vector<std::string>{"x", "y"});
  CHECK(store.info().target_names == std::vector<std::string>{"label"});
  CHECK(store.info().classes == 3);
  const fnn::Dataset stored = store.read_all();
  const fnn::Dataset expected = fnn::split_columns(fnn::read_csv(path("all.csv")), {2});
  CHECK(same_values(stored.inputs, expected.inputs));
  CHECK(same_values(stored.targets, expected.targets));

  SECTION("a file with another header is refused") {
    write_file(path("other.csv"), "x,z,label\n1,2,0\n");
    const auto other =
        run_fnn({"convert", path("one.csv"), path("other.csv"), "-o", path("o.fnnd")});
    CHECK(other.exit_code == 1);
    CHECK_THAT(other.err, Contains("other.csv: expected the header of " + path("one.csv")));
    CHECK_FALSE(std::filesystem::exists(path("o.fnnd")));
  }
}

TEST_CASE("fnn convert stores IDX images and labels exactly, plain or gzip", "[cli][convert]") {
  fnn::test::TemporaryDirectory folder;
  const auto path = [&](const std::string& name) { return (folder.path() / name).string(); };
  // 3000 images of 10 x 10 pixels, labels 0..4: more than one read of the streaming reader
  // (about 2600 rows of 100 values) and than one block of the store.
  constexpr std::uint32_t count = 3000;
  std::string images{'\0', '\0', '\x08', '\x03', 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 10};
  images[6] = static_cast<char>(count >> 8);
  images[7] = static_cast<char>(count & 0xff);
  for (std::uint32_t i = 0; i < count * 100; ++i) images += static_cast<char>(i * 37 % 251);
  std::string labels{'\0', '\0', '\x08', '\x01', 0, 0, images[6], images[7]};
  for (std::uint32_t i = 0; i < count; ++i) labels += static_cast<char>(i * 7 % 5);
  write_file(path("images.idx"), images);
  gzFile gz = gzopen(path("labels.idx.gz").c_str(), "wb");
  REQUIRE(gz != nullptr);
  REQUIRE(gzwrite(gz, labels.data(), static_cast<unsigned>(labels.size())) ==
          static_cast<int>(labels.size()));
  REQUIRE(gzclose(gz) == Z_OK);

  SECTION("a truncated image file fails and leaves no file") {
    write_file(path("cut.idx"), images.substr(0, images.size() - 150));
    const auto cut = run_fnn(
        {"convert", path("cut.idx"), "--labels", path("labels.idx.gz"), "-o", path("cut.fnnd")});
    CHECK(cut.exit_code == 1);
    CHECK_THAT(cut.err, Contains("cut.idx: byte"));
    CHECK_THAT(cut.err, Contains("truncated"));
    CHECK_FALSE(std::filesystem::exists(path("cut.fnnd")));
  }
  const auto result = run_fnn({"convert", path("images.idx"), "--labels", path("labels.idx.gz"),
                               "--output", path("mnist.fnnd")});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const fnn::DataStoreReader store(path("mnist.fnnd"));
  CHECK(store.info().classes == 5);
  CHECK(store.info().input_names.empty());
  const fnn::Dataset expected = fnn::read_idx_dataset(path("images.idx"), path("labels.idx.gz"));
  const fnn::Dataset stored = store.read_all();
  CHECK(same_values(stored.inputs, expected.inputs));
  CHECK(same_values(stored.targets, expected.targets));
}

TEST_CASE("fnn convert fails on bad CSV as the CSV reader does and leaves no file",
          "[cli][convert]") {
  fnn::test::TemporaryDirectory folder;
  const auto path = [&](const std::string& name) { return (folder.path() / name).string(); };
  // Bad rows after more than a block of good ones: the writer has written values by then.
  std::string good = "a,b\n";
  for (int r = 0; r < 5000; ++r) good += std::to_string(r) + ",1\n";
  write_file(path("good.csv"), good);
  struct Case {
    std::string name;
    std::string text;
  };
  const Case cases[] = {{"ragged.csv", good + "1,2,3\n"},
                        {"word.csv", good + "1,abc\n"},
                        {"nan.csv", good + "nan,1\n"},
                        {"empty.csv", ""}};
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      write_file(path(c.name), c.text);
      const std::string expected = error_message([&] { (void)fnn::read_csv(path(c.name)); });
      const auto result = run_fnn({"convert", path("good.csv"), path(c.name), "-o", path("out")});
      CHECK(result.exit_code == 1);
      CHECK_THAT(result.err, Contains(expected));
      CHECK_FALSE(std::filesystem::exists(path("out")));
      CHECK(std::distance(std::filesystem::directory_iterator(folder.path()), {}) == 2);
    }
  }
  SECTION("a label that is not a class") {
    write_file(path("labels.csv"), "a,y\n1,0\n2,1.5\n");
    const auto result = run_fnn({"convert", path("labels.csv"), "--classes", "-o", path("out")});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Contains("labels.csv:3: column 2: expected a class label"));
    CHECK_FALSE(std::filesystem::exists(path("out")));
  }
  SECTION("the output is one of the inputs") {
    const auto result = run_fnn({"convert", path("good.csv"), "-o", path("good.csv")});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Contains("good.csv"));
    CHECK(read_file(path("good.csv")) == good);
  }
}

TEST_CASE("fnn train on a store saves the model it saves on the CSV file", "[cli][convert]") {
  fnn::test::TemporaryDirectory folder;
  const auto path = [&](const std::string& name) { return (folder.path() / name).string(); };
  write_file(path("data.csv"), "x,y,label\n" + class_csv(0, 24));
  REQUIRE(run_fnn({"convert", path("data.csv"), "--classes", "-o", path("data.fnnd")}).exit_code ==
          0);
  const auto train = [&](const std::string& data, const std::string& model) {
    const auto result = run_fnn({"train", "--train", data, "--classes", "--hidden", "4", "--epochs",
                                 "3", "--scale", "standardize", "--save", model});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
  };
  train(path("data.csv"), path("csv.fnn"));
  train(path("data.fnnd"), path("store.fnn"));
  CHECK(read_file(path("csv.fnn")) == read_file(path("store.fnn")));

  // eval and predict take the store too, and agree with the CSV file.
  const auto eval_csv = run_fnn({"eval", "--model", path("csv.fnn"), "--test", path("data.csv")});
  const auto eval_store =
      run_fnn({"eval", "--model", path("csv.fnn"), "--test", path("data.fnnd")});
  INFO(eval_store.err);
  REQUIRE(eval_store.exit_code == 0);
  CHECK(eval_store.out == eval_csv.out);
  REQUIRE(run_fnn({"predict", "--model", path("csv.fnn"), "--input", path("data.fnnd"), "--output",
                   path("store.csv")})
              .exit_code == 0);
  REQUIRE(run_fnn({"predict", "--model", path("csv.fnn"), "--input", path("data.csv"), "--output",
                   path("csv.csv")})
              .exit_code == 0);
  CHECK(read_file(path("store.csv")) == read_file(path("csv.csv")));

  // A store as --validation data (watched by early stopping) gives the run the CSV file gives.
  const auto validated = [&](const std::string& validation, const std::string& model) {
    const auto result =
        run_fnn({"train", "--train", path("data.csv"), "--classes", "--hidden", "4", "--epochs",
                 "4", "--validation", validation, "--early-stopping", "2", "--save", model});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
  };
  validated(path("data.csv"), path("validated-csv.fnn"));
  validated(path("data.fnnd"), path("validated-store.fnn"));
  CHECK(read_file(path("validated-csv.fnn")) == read_file(path("validated-store.fnn")));

  // The store's targets are fixed: --target may only repeat them.
  const auto other_target =
      run_fnn({"train", "--train", path("data.fnnd"), "--target", "x", "--epochs", "1"});
  CHECK(other_target.exit_code == 1);
  CHECK_THAT(other_target.err, Contains("targets were chosen by fnn convert (label)"));
  CHECK(run_fnn({"train", "--train", path("data.fnnd"), "--target", "label", "--epochs", "1",
                 "--test", path("data.csv")})
            .exit_code == 0);
}
