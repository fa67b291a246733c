#pragma once
// Everything a plugin source file needs: the interfaces, the Registrar and the FNN_PLUGIN macro.
#include <exception>
#include <string>

#include "fnn/abi_tag.hpp"
#include "fnn/activation.hpp"
#include "fnn/blas.hpp"
#include "fnn/elementwise_activation.hpp"
#include "fnn/error.hpp"
#include "fnn/export.hpp"
#include "fnn/initializer.hpp"
#include "fnn/layer.hpp"
#include "fnn/loss.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/options.hpp"
#include "fnn/registrar.hpp"
#include "fnn/version.hpp"

namespace fnn {

namespace detail {
/// Runs a plugin's registration body, turning any exception into a status (never lets one cross
/// the C boundary).
inline int run_registration(Registrar& registrar, void (*body)(Registrar&)) noexcept {
  try {
    body(registrar);
    return 0;
  } catch (const std::exception& error) {
    registrar.fail(error.what());
  } catch (...) {
    registrar.fail("an exception that is not a std::exception");
  }
  return 1;
}
}  // namespace detail

}  // namespace fnn

/// Defines a plugin's two exported entry points, followed by the body of its registration
/// function, which receives a `fnn::Registrar&` called `registrar_name`. Use it once per plugin.
#define FNN_PLUGIN(registrar_name)                                                       \
  static void fnn_plugin_register_components(::fnn::Registrar&);                        \
  FNN_PLUGIN_EXPORT const ::fnn::AbiTag* fnn_plugin_abi() noexcept {                    \
    static constexpr ::fnn::AbiTag tag = ::fnn::current_abi_tag();                      \
    return &tag;                                                                         \
  }                                                                                      \
  FNN_PLUGIN_EXPORT int fnn_plugin_register(::fnn::Registrar* registrar) noexcept {     \
    return ::fnn::detail::run_registration(*registrar, &fnn_plugin_register_components); \
  }                                                                                      \
  static void fnn_plugin_register_components(::fnn::Registrar& registrar_name)
