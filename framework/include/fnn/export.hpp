#pragma once
// Symbol visibility: libfnn and every plugin are built with hidden visibility; only what is marked
// here crosses a shared-object boundary.

/// Marks a class or function of the public fnn API (exported from libfnn, visible to plugins).
#define FNN_API __attribute__((visibility("default")))

/// Marks the C entry points a plugin exports (see fnn/plugin.hpp).
#define FNN_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
