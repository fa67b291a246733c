#pragma once
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "fnn/activation.hpp"
#include "fnn/export.hpp"
#include "fnn/initializer.hpp"
#include "fnn/layer.hpp"
#include "fnn/loss.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/options.hpp"

namespace fnn {

/// Makes a component from its options. Runs inside the plugin that registered it.
template <class Base>
using Factory = std::function<std::unique_ptr<Base>(const Options&)>;

/// What a plugin's entry point receives: it registers each component under a name, with a one-line
/// description shown by `fnn plugins`. A component class is constructed from `const Options&`
/// when it has such a constructor, otherwise default-constructed (and then takes no options).
///
///     FNN_PLUGIN(registrar) {
///       registrar.activation<Sigmoid>("sigmoid", "logistic function 1 / (1 + e^-z)");
///     }
class FNN_API Registrar {
 public:
  virtual ~Registrar();

  template <class T>
  void layer(std::string name, std::string description) {
    add(std::move(name), std::move(description), factory<Layer, T>());
  }
  template <class T>
  void activation(std::string name, std::string description) {
    add(std::move(name), std::move(description), factory<Activation, T>());
  }
  template <class T>
  void loss(std::string name, std::string description) {
    add(std::move(name), std::move(description), factory<Loss, T>());
  }
  template <class T>
  void optimizer(std::string name, std::string description) {
    add(std::move(name), std::move(description), factory<Optimizer, T>());
  }
  template <class T>
  void initializer(std::string name, std::string description) {
    add(std::move(name), std::move(description), factory<Initializer, T>());
  }

  virtual void add(std::string name, std::string description, Factory<Layer> make) = 0;
  virtual void add(std::string name, std::string description, Factory<Activation> make) = 0;
  virtual void add(std::string name, std::string description, Factory<Loss> make) = 0;
  virtual void add(std::string name, std::string description, Factory<Optimizer> make) = 0;
  virtual void add(std::string name, std::string description, Factory<Initializer> make) = 0;

  /// Records why registration failed; called by FNN_PLUGIN's entry point, never throws.
  virtual void fail(const char* reason) noexcept = 0;

 private:
  template <class Base, class T>
  static Factory<Base> factory() {
    static_assert(std::is_base_of_v<Base, T>, "the component must derive from the fnn interface");
    return [](const Options& options) -> std::unique_ptr<Base> {
      if constexpr (std::is_constructible_v<T, const Options&>) {
        return std::make_unique<T>(options);
      } else {
        return std::make_unique<T>();
      }
    };
  }
};

}  // namespace fnn
