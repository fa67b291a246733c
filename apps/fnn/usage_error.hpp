#pragma once
#include <fnn/error.hpp>

namespace fnn::cli {

/// The command line itself is wrong (unknown option, bad value, missing argument): exit code 2.
/// Every other fnn::Error is a failure of the work asked for: exit code 1.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace fnn::cli
