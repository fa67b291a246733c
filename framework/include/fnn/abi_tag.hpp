#pragma once
// The C++ ABI a plugin was compiled with, as the loader compares it (see fnn/plugin.hpp).
#include <cstdint>
#include <functional>
#include <string>
#include <version>  // the standard library's identifying macros, without including anything else

#include "fnn/version.hpp"

namespace fnn {

/// The C++ standard library a binary was compiled against. A plugin must use fnn's: libstdc++ and
/// libc++ lay out std::string, std::function and the exception machinery differently.
enum class StandardLibrary : std::uint32_t { unknown = 0, libstdcxx = 1, libcxx = 2 };

/// What a plugin was compiled against: what makes its objects, strings, functions and exceptions
/// usable by libfnn. The compiler itself is not compared: g++ and clang++ share the Itanium C++
/// ABI on Linux, so a clang++-built plugin on libstdc++ loads into a g++-built fnn. Nor is the
/// standard library's release: libstdc++ stays backward compatible, and a plugin that needs a
/// newer one than the machine has is refused by the system loader, naming the symbol version.
/// `abi_version` is the first field in every version of this struct, so any fnn can read it.
struct AbiTag {
  std::uint32_t abi_version;       ///< fnn::abi_version: bumped on any change to the plugin ABI
  std::uint32_t standard_library;  ///< a StandardLibrary
  std::uint32_t library_release;   ///< _GLIBCXX_RELEASE or _LIBCPP_VERSION: for messages only
  std::uint32_t cxx11_abi;         ///< libstdc++'s _GLIBCXX_USE_CXX11_ABI (std::string, std::list)
  std::uint32_t debug_containers;  ///< libstdc++'s _GLIBCXX_DEBUG: containers of another layout
  std::uint32_t pointer_size;      ///< sizeof(void*)
  std::uint32_t string_size;       ///< sizeof(std::string)
  std::uint32_t function_size;     ///< sizeof(std::function<void()>)
  const char* fnn_version;         ///< e.g. "0.1.0", for messages
  const char* compiler;            ///< e.g. "gcc 12.2.0", "clang 14.0.6", for messages
};

namespace detail {
#define FNN_DETAIL_TEXT(x) #x
#define FNN_DETAIL_VERSION(major, minor, patch) \
  FNN_DETAIL_TEXT(major) "." FNN_DETAIL_TEXT(minor) "." FNN_DETAIL_TEXT(patch)
#if defined(__clang__)
inline constexpr const char* compiler =
    "clang " FNN_DETAIL_VERSION(__clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
inline constexpr const char* compiler =
    "gcc " FNN_DETAIL_VERSION(__GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
inline constexpr const char* compiler = "an unknown compiler";
#endif
#undef FNN_DETAIL_VERSION
#undef FNN_DETAIL_TEXT

#if defined(_LIBCPP_VERSION)
inline constexpr StandardLibrary standard_library = StandardLibrary::libcxx;
inline constexpr std::uint32_t library_release = _LIBCPP_VERSION;
#elif defined(__GLIBCXX__)
inline constexpr StandardLibrary standard_library = StandardLibrary::libstdcxx;
inline constexpr std::uint32_t library_release = _GLIBCXX_RELEASE;
#else
inline constexpr StandardLibrary standard_library = StandardLibrary::unknown;
inline constexpr std::uint32_t library_release = 0;
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
inline constexpr std::uint32_t cxx11_abi = _GLIBCXX_USE_CXX11_ABI;
#else
inline constexpr std::uint32_t cxx11_abi = 0;
#endif

#if defined(_GLIBCXX_DEBUG)
inline constexpr std::uint32_t debug_containers = 1;
#else
inline constexpr std::uint32_t debug_containers = 0;
#endif
}  // namespace detail

/// The tag of the code that includes this header, compiled as it is.
constexpr AbiTag current_abi_tag() noexcept {
  return {abi_version,
          static_cast<std::uint32_t>(detail::standard_library),
          detail::library_release,
          detail::cxx11_abi,
          detail::debug_containers,
          sizeof(void*),
          sizeof(std::string),
          sizeof(std::function<void()>),
          version,
          detail::compiler};
}

}  // namespace fnn
