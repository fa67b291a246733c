#include "sweep_parent.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

namespace fnn::cli {

namespace {
constexpr const char* variable = "FNN_SWEEP_PARENT";
}  // namespace

const char* sweep_parent_entry() {
  static const std::string entry = std::string(variable) + "=" + std::to_string(::getpid());
  return entry.c_str();
}

void stop_with_the_sweep() {
  const char* value = std::getenv(variable);
  if (value == nullptr) return;
  pid_t parent = 0;
  const char* end = value + std::strlen(value);
  const auto parsed = std::from_chars(value, end, parent);
  if (parsed.ec != std::errc{} || parsed.ptr != end) return;  // not set by a sweep
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::raise(SIGTERM);  // the sweep died before the request was made
}

}  // namespace fnn::cli
