#include "fnn/metrics_log.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fnn/error.hpp>
#include <fnn/file_identity.hpp>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <system_error>

#include <fnn/names.hpp>

namespace fnn {

const std::vector<std::string>& metrics_columns() {
  static const std::vector<std::string> names{
      "epoch",   "train_loss",    "validation_loss", "validation_accuracy",
      "seconds", "learning_rate", "best_epoch",      "train_accuracy"};
  return names;
}

namespace {

std::string header_line() {
  std::string line;
  for (const std::string& column : metrics_columns()) (line += line.empty() ? "" : ",") += column;
  return line + "\n";
}
const std::string csv_header = header_line();

// The header of a file an earlier fnn wrote, and what its rows lack: such a file is continued
// with the current header, its kept rows given empty values for the newer columns.
struct OlderHeader {
  std::string header;
  std::string filler;
};
const OlderHeader older_headers[] = {
    {"epoch,train_loss,validation_loss,validation_accuracy,seconds\n", ",,,"},
    {"epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,best_epoch\n",
     ","},
};

const OlderHeader* older_header_of(const std::string& text) {
  for (const OlderHeader& older : older_headers) {
    if (text.starts_with(older.header)) return &older;
  }
  return nullptr;
}
const std::string json_start = "{\"epoch\":";

std::string optional_number(const std::optional<double>& value, const char* missing) {
  return value ? to_text(*value) : missing;
}

// The epoch a complete row begins with, if `line` is one.
std::optional<std::size_t> row_epoch(std::string_view line, bool json_lines) {
  if (json_lines) {
    if (!line.starts_with(json_start)) return std::nullopt;
    line.remove_prefix(json_start.size());
  }
  std::size_t epoch = 0;
  const auto [end, failed] = std::from_chars(line.data(), line.data() + line.size(), epoch);
  if (failed != std::errc{} || end == line.data() || *end != ',') return std::nullopt;
  return epoch;
}

// How much of an existing log a run after epoch `resumed_after` keeps: the header and the
// complete rows of epochs 1, 2, ... up to it; nothing if the file does not start with the header.
std::size_t kept_length(const std::string& text, bool json_lines, std::size_t resumed_after) {
  std::size_t kept = 0;
  if (!json_lines) {
    const OlderHeader* older = older_header_of(text);
    const std::string& header = older ? older->header : csv_header;
    if (!text.starts_with(header)) return 0;
    kept = header.size();
  }
  for (std::size_t expected = 1; expected <= resumed_after; ++expected) {
    const std::size_t end = text.find('\n', kept);
    if (end == std::string::npos) break;
    if (row_epoch(std::string_view(text).substr(kept, end - kept), json_lines) != expected) break;
    kept = end + 1;
  }
  return kept;
}

// A test hook, as in framework/src/atomic_file.cpp: with FNN_TEST_STOP_WRITING set to this file's
// name, each row is written in two halves with a SIGSTOP between them, for the kill tests.
bool stop_while_writing(const std::filesystem::path& file) {
  const char* name = std::getenv("FNN_TEST_STOP_WRITING");
  return name != nullptr && file.filename() == name;
}

}  // namespace

MetricsLog::MetricsLog(std::filesystem::path file, std::size_t resumed_after)
    : file_(std::move(file)) {
  const std::string extension = file_.extension().string();
  json_lines_ = extension == ".jsonl" || extension == ".json";
  bool starts_empty = true;
  if (const std::optional<int> descriptor = process_descriptor(file_)) {
    const int copy = ::dup(*descriptor);  // fclose must not close the process's own descriptor
    if (copy >= 0) stream_.reset(::fdopen(copy, "a"));
    if (copy >= 0 && !stream_) ::close(copy);
  } else {
    std::error_code error;
    if (std::filesystem::is_regular_file(file_, error)) {
      std::ifstream in(file_, std::ios::binary);
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (!in.good() && !in.eof()) fail("reading it to continue it failed");
      const std::size_t kept = kept_length(text, json_lines_, resumed_after);
      const OlderHeader* older = json_lines_ ? nullptr : older_header_of(text);
      if (older && kept > 0) {
        upgrade(text.substr(0, kept), older->header.size(), older->filler);
      } else {
        std::filesystem::resize_file(file_, kept, error);
        if (error) errno = error.value();
        if (error) fail("cutting it after epoch " + std::to_string(resumed_after) + " failed");
      }
      starts_empty = kept == 0;
    }
    stream_.reset(std::fopen(file_.c_str(), "a"));
  }
  if (!stream_) fail("cannot open it for writing");
  if (starts_empty && !json_lines_) write(csv_header);
}

void MetricsLog::add(const EpochSummary& summary) {
  const EpochReport& epoch = summary.training;
  const auto best_epoch = [&](const char* missing) {
    return summary.best_epoch ? std::to_string(*summary.best_epoch) : std::string(missing);
  };
  if (json_lines_) {
    write(json_start + std::to_string(epoch.epoch) +
          ",\"train_loss\":" + to_text(epoch.train_loss) +
          ",\"validation_loss\":" + optional_number(summary.validation_loss, "null") +
          ",\"validation_accuracy\":" + optional_number(summary.validation_accuracy, "null") +
          ",\"seconds\":" + to_text(epoch.seconds) + ",\"learning_rate\":" +
          to_text(epoch.learning_rate) + ",\"best_epoch\":" + best_epoch("null") +
          ",\"train_accuracy\":" + optional_number(summary.training_accuracy, "null") + "}\n");
  } else {
    write(std::to_string(epoch.epoch) + "," + to_text(epoch.train_loss) + "," +
          optional_number(summary.validation_loss, "") + "," +
          optional_number(summary.validation_accuracy, "") + "," + to_text(epoch.seconds) + "," +
          to_text(epoch.learning_rate) + "," + best_epoch("") + "," +
          optional_number(summary.training_accuracy, "") + "\n");
  }
}

void MetricsLog::upgrade(const std::string& kept, std::size_t old_header_length,
                         const std::string& filler) {
  std::string text = csv_header;
  for (std::size_t line = old_header_length; line < kept.size();) {
    const std::size_t end = kept.find('\n', line);
    text.append(kept, line, end - line).append(filler).append("\n");
    line = end + 1;
  }
  std::ofstream out(file_, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) fail("rewriting it with the newer columns failed");
}

void MetricsLog::sync() {
  if (std::fflush(stream_.get()) != 0) fail("writing it failed");
  // Devices and pipes cannot be synced, and need not be.
  if (::fsync(::fileno(stream_.get())) != 0 && errno != EINVAL && errno != EROFS) {
    fail("syncing it failed");
  }
}

void MetricsLog::write(const std::string& text) {
  std::string_view rest = text;
  if (stop_while_writing(file_)) {
    std::fwrite(rest.data(), 1, rest.size() / 2, stream_.get());
    std::fflush(stream_.get());
    ::raise(SIGSTOP);
    rest.remove_prefix(rest.size() / 2);
  }
  if (std::fwrite(rest.data(), 1, rest.size(), stream_.get()) != rest.size() ||
      std::fflush(stream_.get()) != 0) {
    fail("writing it failed");
  }
}

void MetricsLog::fail(const std::string& what) const {
  throw DataError("metrics file '" + file_.string() + "': " + what + " (" +
                  std::generic_category().message(errno) + ")");
}

}  // namespace fnn
