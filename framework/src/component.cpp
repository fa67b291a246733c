#include "fnn/component.hpp"

namespace fnn {

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::layer: return "layer";
    case Kind::activation: return "activation";
    case Kind::loss: return "loss";
    case Kind::optimizer: return "optimizer";
    case Kind::initializer: return "initializer";
  }
  return "component";
}

}  // namespace fnn
