#include "distributed.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fnn/error.hpp>

namespace fnn::cli {

namespace {

const Job* job_of_this_process = nullptr;

// One entry a line, "what=value", so that the texts compare line by line.
std::string text_of(const Fingerprint& fingerprint) {
  std::string text;
  for (const auto& [what, value] : fingerprint) text.append(what).append("=").append(value).append("\n");
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  for (std::size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', begin)) {
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

}  // namespace

std::string Job::name() const {
  std::string text = "rank ";
  text.append(std::to_string(rank)).append("/").append(std::to_string(size));
  text.append(" (").append(host).append(")");
  return text;
}

const Job* current_job() noexcept { return job_of_this_process; }
void set_current_job(const Job* job) noexcept { job_of_this_process = job; }

std::string checksum(std::span<const float> values) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const float value : values) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int byte = 0; byte < 4; ++byte) {
      hash = (hash ^ ((bits >> (8 * byte)) & 0xffU)) * 0x100000001b3ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

void agree(const Job& job, const Fingerprint& fingerprint) {
  const std::vector<std::string> texts = job.mpi.exchange().gather(text_of(fingerprint));
  const std::vector<std::string> first = lines_of(texts.at(0));
  for (std::size_t rank = 1; rank < texts.size(); ++rank) {
    const std::vector<std::string> other = lines_of(texts[rank]);
    for (std::size_t line = 0; line < std::max(first.size(), other.size()); ++line) {
      const std::string mine = line < first.size() ? first[line] : "(nothing)";
      const std::string theirs = line < other.size() ? other[line] : "(nothing)";
      if (mine == theirs) continue;
      throw Error("the processes of this job disagree before training: rank " +
                  std::to_string(rank) + " has " + theirs + ", rank 0 has " + mine +
                  "; every rank must run the same fnn on the same data and options");
    }
  }
}

}  // namespace fnn::cli
