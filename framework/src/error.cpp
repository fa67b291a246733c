#include "fnn/error.hpp"

#include <utility>

namespace fnn {

// Out-of-line destructors anchor each class's vtable and type_info in libfnn, so that an
// exception thrown in a plugin is caught as the same type in the host.
Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
PluginError::~PluginError() = default;
SpecError::~SpecError() = default;
UnknownComponentError::UnknownComponentError(const std::string& message, std::string name,
                                             std::string role)
    : PluginError(message), name_(std::move(name)), role_(std::move(role)) {}
UnknownComponentError::~UnknownComponentError() = default;
std::string UnknownComponentError::missing_plugin_message(const std::string& file) const {
  const std::string quoted = "'" + name_ + "'";
  return file + ": " + role_ + " is " + quoted + ", which no loaded plugin provides; " +
         "install the plugin that provides " + quoted + " or give its directory with " +
         "--plugin-dir (`fnn plugins` lists the plugins found)";
}
UnknownOptionError::UnknownOptionError(const std::string& message,
                                       std::vector<std::string> unknown,
                                       std::vector<std::string> known)
    : SpecError(message), unknown_(std::move(unknown)), known_(std::move(known)) {}
UnknownOptionError::~UnknownOptionError() = default;
TrainingError::~TrainingError() = default;
DataError::~DataError() = default;

}  // namespace fnn
