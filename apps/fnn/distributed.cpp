#include "distributed.hpp"

#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define FNN_GLIBC_X86_FEATURES 1
#endif
#endif
#ifndef FNN_GLIBC_X86_FEATURES
#define FNN_GLIBC_X86_FEATURES 0
#endif

#include <algorithm>
#include <chrono>
#include <boost/crc.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fnn/error.hpp>
#include <fnn/names.hpp>
#include <fstream>
#include <thread>

namespace fnn::cli {

namespace {

const Job* job_of_this_process = nullptr;
bool job_ended_together = false;

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

// "12345 bytes, CRC-32 0123abcd" of a file's contents.
std::string size_and_crc(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  boost::crc_32_type crc;
  std::size_t size = 0;
  char block[1 << 16];
  while (in) {
    in.read(block, sizeof block);
    const auto got = static_cast<std::size_t>(in.gcount());
    crc.process_bytes(block, got);
    size += got;
  }
  if (in.bad() || !in.eof()) {
    throw Error("cannot read plugin file " + in_quotes(file.string()) +
                " for the start-up agreement");
  }
  char text[16];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(crc.checksum()));
  return std::to_string(size) + " bytes, CRC-32 " + text;
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
void mark_ended_together() noexcept { job_ended_together = true; }
bool ended_together() noexcept { return job_ended_together; }

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

std::string math_library_variant() {
#if FNN_GLIBC_X86_FEATURES
  // glibc's own view, as its ifuncs chose (GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2 changes it).
  if (CPU_FEATURE_ACTIVE(FMA) && CPU_FEATURE_ACTIVE(AVX2)) {
    return "FMA and AVX2 (libm's FMA variants)";
  }
  return "no FMA and AVX2 (libm's baseline variants)";
#else
  return "libm's one build (not glibc on x86-64)";
#endif
}

Fingerprint plugin_fingerprint(std::vector<std::filesystem::path> files) {
  // By file name: the same plugins may lie in other directories on another host.
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return a.filename() < b.filename();
  });
  std::string names;
  Fingerprint entries;
  for (const std::filesystem::path& file : files) {
    const std::string name = file.filename().string();
    names.append(names.empty() ? "" : ", ").append(name);
    entries.emplace_back(std::string("plugin ") + name, size_and_crc(file));
  }
  entries.insert(entries.begin(), {"plugins", names});
  return entries;
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
                  "; every rank must run the same fnn, plugins and BLAS on the same data and "
                  "options");
    }
  }
}

void stall_for_test(const Job& job, const std::string& step) {
  const char* stall = std::getenv("FNN_TEST_STALL_BEFORE");
  if (stall && stall == step + ":" + std::to_string(job.rank)) {
    std::this_thread::sleep_for(std::chrono::seconds(30));
  }
}

}  // namespace fnn::cli
