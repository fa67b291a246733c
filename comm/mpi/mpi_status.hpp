#pragma once
// An MPI call's status as an fnn::Error (the module's communicators return errors instead of
// aborting), shared by the exchange and the messages.
#include <mpi.h>

#include <cstddef>
#include <fnn/error.hpp>
#include <string>

namespace fnn::comm {

/// Throws fnn::Error "WHAT failed in CALL: MPI's text" unless `status` is MPI_SUCCESS.
inline void check_mpi(int status, const char* call, const char* what) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw fnn::Error(std::string(what) + " failed in " + call + ": " +
                   std::string(text, static_cast<std::size_t>(length)));
}

}  // namespace fnn::comm
