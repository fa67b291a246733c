#include "fnn/error.hpp"

namespace fnn {

// Out-of-line destructors anchor each class's vtable and type_info in libfnn, so that an
// exception thrown in a plugin is caught as the same type in the host.
Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;
PluginError::~PluginError() = default;
SpecError::~SpecError() = default;
TrainingError::~TrainingError() = default;
DataError::~DataError() = default;

}  // namespace fnn
