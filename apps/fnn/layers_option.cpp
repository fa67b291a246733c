#include "layers_option.hpp"

#include <algorithm>
#include <fnn/error.hpp>
#include <fnn/names.hpp>
#include <fnn/network.hpp>

#include "usage_error.hpp"

namespace fnn::cli {

namespace {

LayerSpec with_units(LayerSpec layer, std::size_t units) {
  layer.options.set("units", std::to_string(units));
  return layer;
}

// Whether a layer (not an activation) takes a `units` option: made with one, it does not
// complain about it.
bool takes_units(const Registry& registry, const LayerSpec& layer) {
  try {
    make_network_layer(registry, with_units(layer, 1));
    return true;
  } catch (const UnknownOptionError& error) {
    return std::ranges::find(error.unknown(), "units") == error.unknown().end();
  } catch (const Error&) {
    return true;  // another fault of the entry, reported when it is checked
  }
}

}  // namespace

LayersOption::LayersOption(const Registry& registry, const std::string& text)
    : registry_(registry) {
  try {
    layers_ = parse_layer_list(text);
  } catch (const SpecError& error) {  // "entry 3 'relu:': ..." or the whole list's fault
    const std::string why = error.what();
    throw UsageError((why.starts_with("entry ") ? "--layers " : "--layers: ") + why);
  }
  for (const LayerSpec& layer : layers_) texts_.push_back(to_text(layer));
  // Counting from the end: the first layer given its units, or taking them, is the output layer.
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const LayerSpec& layer = layers_[i];
    if (!registry.contains(Kind::layer, layer.name)) continue;
    if (layer.options.has("units")) break;
    if (takes_units(registry, layer)) {
      sized_by_data_ = i;
      break;
    }
  }
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    try {
      make_network_layer(registry, i == sized_by_data_ ? with_units(layers_[i], 1) : layers_[i]);
    } catch (const Error& error) {
      fail(i, error.what());
    }
  }
}

NetworkSpec LayersOption::network(std::size_t inputs, std::size_t outputs) const {
  NetworkSpec spec{inputs};
  spec.layers = layers_;
  if (sized_by_data_) spec.layers[*sized_by_data_] = with_units(layers_[*sized_by_data_], outputs);
  std::size_t width = inputs;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    try {
      width = make_network_layer(registry_, spec.layers[i])->setup(width);
    } catch (const Error& error) {
      fail(i, error.what());
    }
  }
  return spec;
}

void LayersOption::fail(std::size_t entry, const std::string& why) const {
  throw UsageError("--layers entry " + std::to_string(entry + 1) + " " + in_quotes(texts_[entry]) +
                   ": " + why);
}

void require_activation(const Registry& registry, const std::string& option,
                        const ComponentChoice& choice) {
  if (!registry.contains(Kind::layer, choice.name)) return;
  throw UsageError(
      option + " " + choice.name + ": " + in_quotes(choice.name) +
      " is a layer, not an activation; to place layers yourself give the whole "
      "stack with --layers, e.g. --layers \"dense:units=16 relu dropout:rate=0.2 dense "
      "sigmoid\"");
}

}  // namespace fnn::cli
