#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fnn/options.hpp"

namespace fnn {

/// One entry of a network description: a component name (a layer such as "dense", or an
/// activation such as "sigmoid", which becomes an element-wise layer) and its options.
struct LayerSpec {
  std::string name;
  Options options;
};

/// A sequential network as data: the input width and the layers in order. This is what a model
/// file stores, so it names components and never shared objects.
///
///     fnn::NetworkSpec spec{2};
///     spec.add("dense", {{"units", "4"}}).add("sigmoid").add("dense", {{"units", "1"}});
struct NetworkSpec {
  NetworkSpec() = default;
  explicit NetworkSpec(std::size_t input_width) : inputs(input_width) {}

  std::size_t inputs = 0;
  std::vector<LayerSpec> layers;

  NetworkSpec& add(std::string name, Options options = {}) {
    layers.push_back({std::move(name), std::move(options)});
    return *this;
  }
};

}  // namespace fnn
