#pragma once
// Everything a plugin source file needs: the interfaces, the Registrar and the FNN_PLUGIN macro.
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

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

/// What a plugin was compiled against. The registry reads it before calling anything else in the
/// plugin and refuses the plugin unless every field equals its own. `abi_version` is the first
/// field in every version of this struct, so any fnn can read at least that much.
struct AbiTag {
  std::uint32_t abi_version;       ///< fnn::abi_version: bumped on any change to the plugin ABI
  std::uint32_t compiler_abi;      ///< __GXX_ABI_VERSION of the compiler
  std::uint32_t pointer_size;      ///< sizeof(void*)
  std::uint32_t string_size;       ///< sizeof(std::string): catches the old/new libstdc++ ABI
  std::uint32_t function_size;     ///< sizeof(std::function<void()>)
  const char* fnn_version;         ///< e.g. "0.1.0", for messages
};

/// The tag of the fnn these headers belong to.
constexpr AbiTag current_abi_tag() noexcept {
  return {abi_version, __GXX_ABI_VERSION, sizeof(void*), sizeof(std::string),
          sizeof(std::function<void()>), version};
}

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
