#pragma once
#include <cstddef>
#include <fnn/network_spec.hpp>
#include <fnn/registry.hpp>
#include <optional>
#include <string>
#include <vector>

#include "component_options.hpp"

namespace fnn::cli {

/// `fnn train --layers "dense:units=64 relu dropout:rate=0.2 dense softmax"`: the whole stack in
/// order, any layer or activation the registry has. Errors are usage errors that name the entry
/// by position and text: "--layers entry 3 'dropout:rat=0.2': dropout does not take option
/// 'rat' (did you mean 'rate'?)".
class LayersOption {
 public:
  /// Parses `text` and makes every entry once, so that a bad name or option is refused before
  /// any data is read.
  LayersOption(const Registry& registry, const std::string& text);

  /// The network for data of `inputs` input and `outputs` output columns (classes, when one-hot):
  /// the last layer that takes `units` gets `outputs` when its units are left out; each entry is
  /// set up at the width it receives, in order.
  NetworkSpec network(std::size_t inputs, std::size_t outputs) const;

 private:
  [[noreturn]] void fail(std::size_t entry, const std::string& why) const;

  const Registry& registry_;
  std::vector<std::string> texts_;  // as typed, for messages
  std::vector<LayerSpec> layers_;
  std::optional<std::size_t> sized_by_data_;  // the entry whose units come from the data
};

/// UsageError when `choice`, given to `option` (--activation, --output-activation), names a
/// layer: a layer there would silently replace the nonlinearity; --layers places layers.
void require_activation(const Registry& registry, const std::string& option,
                        const ComponentChoice& choice);

}  // namespace fnn::cli
