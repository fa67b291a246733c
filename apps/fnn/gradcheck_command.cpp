// fnn gradcheck: finite-difference check of components' derivatives, by name or all.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <fnn/error.hpp>
#include <fnn/gradient_check.hpp>
#include <fnn/names.hpp>
#include <fnn/registry.hpp>
#include <functional>
#include <iostream>
#include <set>

#include "command_line.hpp"
#include "commands.hpp"
#include "component_options.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

namespace {

using Check = std::function<GradientCheckResult()>;

bool contains(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// "key=value" pairs from --option, offered to every checked component.
Options parse_shared_options(const po::variables_map& values) {
  Options options;
  if (!values.count("option")) return options;
  for (const std::string& pair : values["option"].as<std::vector<std::string>>()) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw UsageError("--option '" + pair + "': expected KEY=VALUE, such as slope=0.3");
    }
    options.set(pair.substr(0, equals), pair.substr(equals + 1));
  }
  return options;
}

// A layer made from the user's options. One that needs a width and got none gets 3 units; that
// invented option never reaches a message: if the layer fails even with it, the first error
// stands (an unknown option the user gave still comes out, for the caller to handle).
std::shared_ptr<Layer> make_layer(const Registry& registry, const std::string& name,
                                  const Options& options) {
  try {
    return registry.make_layer(name, options);
  } catch (const UnknownOptionError&) {
    throw;
  } catch (const SpecError&) {
    if (options.has("units")) throw;
    const std::exception_ptr without_width = std::current_exception();
    Options widened = options;
    widened.set("units", "3");
    try {
      return registry.make_layer(name, widened);
    } catch (const UnknownOptionError& error) {
      if (!contains(error.unknown(), "units")) throw;
    } catch (const Error&) {
    }
    std::rethrow_exception(without_width);
  }
}

// Makes the component now (so that every error comes before any output) and returns its check;
// an empty Check for kinds without a derivative.
Check make_check(const Registry& registry, Kind kind, const std::string& name,
                 const Options& options, const GradientCheckOptions& settings) {
  switch (kind) {
    case Kind::activation: {
      std::shared_ptr<Activation> activation = registry.make_activation(name, options);
      return [=] { return check_activation(*activation, 4, 5, settings); };
    }
    case Kind::loss: {
      // Probabilities away from 0 and 1, where log losses curve so fast that the central
      // difference itself (error ~ h²·f''') stops being a fair reference.
      std::shared_ptr<Loss> loss = registry.make_loss(name, options);
      return [=] { return check_loss(*loss, 4, 3, 0.2F, 0.8F, settings); };
    }
    case Kind::layer: {
      // Set up for 5 inputs, its parameters drawn uniformly from [-1, 1].
      std::shared_ptr<Layer> layer = make_layer(registry, name, options);
      layer->setup(5);
      auto parameters = std::make_shared<std::vector<float>>(layer->parameter_count());
      Rng rng(settings.seed);
      for (float& value : *parameters) value = rng.uniform(-1.0F, 1.0F);
      layer->bind(*parameters);
      return [=] { return check_layer(*layer, *parameters, 4, settings); };
    }
    case Kind::optimizer: registry.make_optimizer(name, options); return {};
    case Kind::initializer: registry.make_initializer(name, options); return {};
  }
  return {};
}

// One component to check, as the user named it.
struct Target {
  ComponentInfo component;
  ComponentChoice choice;  // the options of NAME:KEY=VALUE
};

// The named components (NAME or NAME:KEY=VALUE, every kind with that name), or all of them.
std::vector<Target> find_targets(const Registry& registry, const std::vector<std::string>& texts) {
  const std::vector<ComponentInfo> components = registry.components();
  std::vector<Target> targets;
  if (texts.empty()) {
    for (const ComponentInfo& component : components) targets.push_back({component, {}});
  }
  for (const std::string& text : texts) {
    const ComponentChoice choice = parse_component("fnn gradcheck", text);
    const std::size_t before = targets.size();
    for (const ComponentInfo& component : components) {
      if (component.name == choice.name) targets.push_back({component, choice});
    }
    if (targets.size() > before) continue;
    std::vector<std::string> known;
    for (const ComponentInfo& component : components) known.push_back(component.name);
    const std::string nearest = nearest_name(choice.name, known);
    throw UsageError("fnn gradcheck: no component is called '" + choice.name + "'" +
                     (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                     " (see fnn plugins)");
  }
  return targets;
}

// Which --option keys some checked component took, and the options the others said they take.
struct SharedUse {
  std::set<std::string> taken;
  std::vector<std::string> known;
};

// A target's check, with its own options and those of `shared` that it takes: a shared key it
// refuses is left out, one of its own that it refuses is a usage error. `label` becomes the
// options it was made with, as text.
Check make_target_check(const Registry& registry, const Target& target, const Options& shared,
                        const GradientCheckOptions& settings, SharedUse& use, std::string& label) {
  const Kind kind = target.component.kind;
  const bool differentiable = kind != Kind::optimizer && kind != Kind::initializer;
  std::vector<std::string> refused;
  for (;;) {
    ComponentChoice made = target.choice;
    made.name = target.component.name;
    std::vector<std::string> offered;
    for (const auto& [key, value] : shared.entries()) {
      if (!differentiable || made.options.has(key) || contains(refused, key)) continue;
      made.options.set(key, value);
      offered.push_back(key);
    }
    label = to_text(made);
    bool left_out = false;  // a shared key was refused: make it again without
    Check check = from_options("fnn gradcheck " + label, [&]() -> Check {
      try {
        return make_check(registry, kind, made.name, made.options, settings);
      } catch (const UnknownOptionError& error) {
        use.known.insert(use.known.end(), error.known().begin(), error.known().end());
        for (const std::string& key : error.unknown()) {
          if (!contains(offered, key)) continue;
          refused.push_back(key);
          left_out = true;
        }
        if (!left_out) throw;
        return {};
      }
    });
    if (left_out) continue;
    use.taken.insert(offered.begin(), offered.end());
    return check;
  }
}

}  // namespace

int gradcheck_command(const std::vector<std::string>& args) {
  po::options_description own("fnn gradcheck [NAME[:KEY=VALUE,...]...] [options]\n\n"
                              "Compares each named component's analytic derivatives with central "
                              "finite differences\n(every differentiable component when no NAME is "
                              "given). Exit 0 only if all pass");
  own.add_options()
      ("name", po::value<std::vector<std::string>>()->value_name("NAME"),
       "component to check, with options as in train, such as leaky_relu:slope=0.3 "
       "(positional, repeatable)")
      ("option", po::value<std::vector<std::string>>()->value_name("KEY=VALUE")->composing(),
       "option for every checked component that takes it (repeatable); an error if none does")
      ("step", po::value<double>()->default_value(1e-2), "finite-difference step h")
      ("tolerance", po::value<double>()->default_value(1e-2), "largest relative error accepted")
      ("seed", po::value<long long>()->default_value(42), "seeds the random test points");
  po::positional_options_description positional;
  positional.add("name", -1);
  const auto parsed = parse_command("gradcheck", own, args, positional);
  if (!parsed) return 0;
  const po::variables_map& values = *parsed;

  GradientCheckOptions settings;
  settings.step = values["step"].as<double>();
  settings.tolerance = values["tolerance"].as<double>();
  settings.seed = static_cast<std::uint64_t>(values["seed"].as<long long>());
  settings.kink_margin = 2.0 * settings.step;  // a difference over ±h never straddles a kink
  const Options shared = parse_shared_options(values);
  const Registry registry = load_plugins(values);

  std::vector<std::string> names;
  if (values.count("name")) names = values["name"].as<std::vector<std::string>>();
  const bool all = names.empty();

  // Every component is made, and every option placed, before anything is checked.
  struct Prepared {
    Kind kind;
    std::string label;
    Check check;
  };
  std::vector<Prepared> prepared;
  SharedUse use;
  for (const Target& target : find_targets(registry, names)) {
    Prepared entry{target.component.kind, "", {}};
    entry.check = make_target_check(registry, target, shared, settings, use, entry.label);
    if (entry.check || !all) prepared.push_back(std::move(entry));
  }
  for (const auto& [key, value] : shared.entries()) {
    if (use.taken.contains(key)) continue;
    const std::string nearest = nearest_name(key, use.known);
    throw UsageError("--option " + key + "=" + value + ": no checked component takes option '" +
                     key + "'" + (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                     " (`fnn plugins` lists each component)");
  }

  int width = 16;  // the label column, wide enough for NAME:KEY=VALUE labels
  for (const Prepared& entry : prepared) {
    width = std::max(width, static_cast<int>(entry.label.size()));
  }
  int failures = 0;
  int checked = 0;
  for (const Prepared& entry : prepared) {
    const std::string kind(to_string(entry.kind));
    if (!entry.check) {
      std::printf("%-11s %-*s has no derivative to check\n", kind.c_str(), width,
                  entry.label.c_str());
      continue;
    }
    const GradientCheckResult result = entry.check();
    ++checked;
    if (!result.passed) ++failures;
    std::printf("%-11s %-*s %s  max relative error %.2e over %zu coordinates%s%s\n", kind.c_str(),
                width, entry.label.c_str(), result.passed ? "ok    " : "FAILED",
                result.max_relative_error, result.checked, result.passed ? "" : "; worst ",
                result.passed ? "" : result.worst.c_str());
  }
  std::printf("%d checked, %d failed\n", checked, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace fnn::cli
