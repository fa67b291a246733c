#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "fnn/export.hpp"
#include "fnn/options.hpp"

namespace fnn {

/// A component as a spec, an option or a model file names it: a name and its options. As text:
/// "NAME" or "NAME:KEY=VALUE,KEY=VALUE", e.g. "sgd:momentum=0.9,nesterov=true".
struct ComponentSpec {
  std::string name;
  Options options;
};

/// Parses the text form; SpecError showing the expected form for anything else (an empty name,
/// a pair without '=' or without a key).
FNN_API ComponentSpec parse_component_spec(const std::string& text);

/// Back to text, options in key order: "sgd:momentum=0.9".
FNN_API std::string to_text(const ComponentSpec& component);

/// One entry of a network description: a layer such as "dense", or an activation such as
/// "sigmoid", which becomes an element-wise layer, with its options.
using LayerSpec = ComponentSpec;

/// A layer list as `fnn train --layers` takes it: entries separated by white space, each NAME or
/// NAME:KEY=VALUE,..., e.g. "dense:units=64 relu dropout:rate=0.2 dense softmax". SpecError
/// naming the entry by position and text ("entry 3 'dropout:'") for a malformed one, or for an
/// empty list.
FNN_API std::vector<LayerSpec> parse_layer_list(const std::string& text);

/// Back to text, entries separated by one space: what `parse_layer_list` reads.
FNN_API std::string to_text(const std::vector<LayerSpec>& layers);

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
