#pragma once
#include <stdexcept>
#include <string>
#include <vector>

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

/// A component name that no loaded plugin registers. The message lists the registered names and
/// the nearest one; `name()` and `role()` let a program say more, e.g. that a model file needs a
/// plugin that is not installed.
class FNN_API UnknownComponentError : public PluginError {
 public:
  /// `role` is what asked for the name, as a phrase: "the loss", or "layer 3" of a network.
  UnknownComponentError(const std::string& message, std::string name, std::string role);
  ~UnknownComponentError() override;
  const std::string& name() const noexcept { return name_; }
  const std::string& role() const noexcept { return role_; }
  /// The message for a name read from `file` rather than typed: which plugin is missing and how
  /// to load it, without the nearest name (a file is not a typo): "m.fnn: layer 2 is 'gelu',
  /// which no loaded plugin provides; install the plugin that provides 'gelu' or ...".
  std::string missing_plugin_message(const std::string& file) const;

 private:
  std::string name_;
  std::string role_;
};

/// Options a component did not read when it was made: a typo, or another component's option.
class FNN_API UnknownOptionError : public SpecError {
 public:
  UnknownOptionError(const std::string& message, std::vector<std::string> unknown,
                     std::vector<std::string> known);
  ~UnknownOptionError() override;
  /// The keys given but not read.
  const std::vector<std::string>& unknown() const noexcept { return unknown_; }
  /// The keys the component asked for, given or not: the options it takes.
  const std::vector<std::string>& known() const noexcept { return known_; }

 private:
  std::vector<std::string> unknown_;
  std::vector<std::string> known_;
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
