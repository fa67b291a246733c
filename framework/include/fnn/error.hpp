#pragma once
#include <stdexcept>
#include <string>

#include "fnn/export.hpp"

namespace fnn {

/// Root of every error fnn raises. The message is one complete sentence for a person: what went
/// wrong, where (file, line, option, plugin or layer) and, where there is one, what to do.
class FNN_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

/// A plugin could not be loaded or registered, or a component name is unknown or duplicated.
class FNN_API PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

/// A network, layer or component option is inconsistent (sizes, widths, option values).
class FNN_API SpecError : public Error {
 public:
  using Error::Error;
  ~SpecError() override;
};

/// Training was given data that does not fit the network, or diverged.
class FNN_API TrainingError : public Error {
 public:
  using Error::Error;
  ~TrainingError() override;
};

/// A data or model file is unreadable or malformed; the message names the file and the line
/// (text files) or byte offset (binary files).
class FNN_API DataError : public Error {
 public:
  using Error::Error;
  ~DataError() override;
};

}  // namespace fnn
