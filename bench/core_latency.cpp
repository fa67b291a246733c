// How far apart the host has put this VM's CPUs right now: the round trip of one cache line
// bounced between two threads pinned to two CPUs. About 100 ns means cores that share a cache;
// about 500 ns means cores that do not (another CCD or socket), and then every batch's hand-over
// of matrices between fnn's threads costs several times more (docs/performance.md).
//
//   fnn_bench_core_latency [--cpus 0,1] [--rounds 100000]
// prints one machine-readable line:
//   CORE_LATENCY cpus=0,1 round_trip_ns=103.2
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// The first two CPUs this process may run on.
bool first_two_cpus(int& first, int& second) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return false;
  int found = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; ++cpu) {
    if (CPU_ISSET(cpu, &set)) (found++ == 0 ? first : second) = cpu;
  }
  return found == 2;
}

[[noreturn]] void usage(const char* problem) {
  std::fprintf(stderr,
               "fnn_bench_core_latency: %s\n"
               "usage: fnn_bench_core_latency [--cpus A,B] [--rounds N]\n",
               problem);
  std::exit(2);
}

int parse_number(const char* text, const char* what) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < 0 || value > 100000000) {
    usage((std::string("--") + what + " expects a non-negative number, not '" + text + "'").c_str());
  }
  return static_cast<int>(value);
}

}  // namespace

int main(int argc, char** argv) {
  int first = -1;
  int second = -1;
  int rounds = 100000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::max(1, parse_number(argv[++i], "rounds"));
    } else if (std::strcmp(argv[i], "--cpus") == 0 && i + 1 < argc) {
      const std::string cpus = argv[++i];
      const std::size_t comma = cpus.find(',');
      if (comma == std::string::npos) usage("--cpus expects two CPU numbers, e.g. 0,1");
      first = parse_number(cpus.substr(0, comma).c_str(), "cpus");
      second = parse_number(cpus.substr(comma + 1).c_str(), "cpus");
    } else {
      usage((std::string("unknown or incomplete argument '") + argv[i] + "'").c_str());
    }
  }
  if (first < 0 && !first_two_cpus(first, second)) usage("fewer than two CPUs to run on");
  // On one CPU the two spinning threads could only meet at time-slice ends: minutes, not ns.
  if (first == second) usage("--cpus needs two different CPUs");

  // Each side waits for the other's number, then answers with the next: one round trip is two
  // transfers of the line.
  alignas(64) std::atomic<int> ball{0};
  bool other_pinned = false;
  std::thread other([&] {
    other_pinned = pin_to(second);
    for (int i = 0; i < rounds; ++i) {
      while (ball.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      ball.store(2 * i + 2, std::memory_order_release);
    }
  });
  const bool main_pinned = pin_to(first);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) {
    ball.store(2 * i + 1, std::memory_order_release);
    while (ball.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  const std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  other.join();
  if (!main_pinned || !other_pinned) usage("cannot pin a thread to the CPUs given");
  std::printf("CORE_LATENCY cpus=%d,%d round_trip_ns=%.1f\n", first, second,
              elapsed.count() / rounds);
}
