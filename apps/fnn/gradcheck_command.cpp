// fnn gradcheck: finite-difference check of components' derivatives, by name or all.
#include <cstdio>
#include <fnn/error.hpp>
#include <fnn/gradient_check.hpp>
#include <fnn/names.hpp>
#include <fnn/registry.hpp>
#include <iostream>

#include "command_line.hpp"
#include "commands.hpp"
#include "usage_error.hpp"

namespace fnn::cli {

namespace {

// "key=value" pairs from --option.
Options parse_layer_options(const po::variables_map& values) {
  Options options;
  if (!values.count("option")) return options;
  for (const std::string& pair : values["option"].as<std::vector<std::string>>()) {
    const std::size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw UsageError("--option '" + pair + "': expected KEY=VALUE, such as units=3");
    }
    options.set(pair.substr(0, equals), pair.substr(equals + 1));
  }
  return options;
}

// A layer set up for 5 inputs, its parameters drawn uniformly from [-1, 1].
GradientCheckResult check_layer_named(const Registry& registry, const std::string& name,
                                      Options options, const GradientCheckOptions& settings) {
  std::shared_ptr<Layer> layer;
  try {
    layer = registry.make_layer(name, options);
  } catch (const SpecError&) {
    if (options.has("units")) throw;
    options.set("units", "3");  // the conventional width option, when the layer needs one
    layer = registry.make_layer(name, options);
  }
  layer->setup(5);
  std::vector<float> parameters(layer->parameter_count());
  Rng rng(settings.seed);
  for (float& value : parameters) value = rng.uniform(-1.0F, 1.0F);
  layer->bind(parameters);
  return check_layer(*layer, parameters, 4, settings);
}

}  // namespace

int gradcheck_command(const std::vector<std::string>& args) {
  po::options_description own("fnn gradcheck [NAME...] [options]\n\n"
                              "Compares each named component's analytic derivatives with central "
                              "finite differences\n(every differentiable component when no NAME is "
                              "given). Exit 0 only if all pass");
  own.add_options()
      ("name", po::value<std::vector<std::string>>()->value_name("NAME"),
       "component to check (positional, repeatable)")
      ("option", po::value<std::vector<std::string>>()->value_name("KEY=VALUE")->composing(),
       "option for the checked layers (repeatable); without units, units=3 is used")
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
  const Options layer_options = parse_layer_options(values);
  const Registry registry = load_plugins(values);

  std::vector<std::string> names;
  if (values.count("name")) names = values["name"].as<std::vector<std::string>>();
  const bool all = names.empty();
  int failures = 0;
  int checked = 0;
  for (const ComponentInfo& component : registry.components()) {
    const bool wanted = all || std::erase(names, component.name) > 0;
    if (!wanted) continue;
    GradientCheckResult result;
    switch (component.kind) {
      case Kind::activation:
        result = check_activation(*registry.make_activation(component.name), 4, 5, settings);
        break;
      case Kind::loss:
        // Probabilities away from 0 and 1, where log losses curve so fast that the central
        // difference itself (error ~ h²·f''') stops being a fair reference.
        result = check_loss(*registry.make_loss(component.name), 4, 3, 0.2F, 0.8F, settings);
        break;
      case Kind::layer:
        result = check_layer_named(registry, component.name, layer_options, settings);
        break;
      case Kind::optimizer:
      case Kind::initializer:
        if (!all) {
          std::printf("%-11s %-16s has no derivative to check\n",
                      std::string(to_string(component.kind)).c_str(), component.name.c_str());
        }
        continue;
    }
    ++checked;
    if (!result.passed) ++failures;
    std::printf("%-11s %-16s %s  max relative error %.2e over %zu coordinates%s%s\n",
                std::string(to_string(component.kind)).c_str(), component.name.c_str(),
                result.passed ? "ok    " : "FAILED", result.max_relative_error, result.checked,
                result.passed ? "" : "; worst ", result.passed ? "" : result.worst.c_str());
  }
  if (!names.empty()) {
    std::vector<std::string> known;
    for (const ComponentInfo& component : registry.components()) known.push_back(component.name);
    const std::string nearest = nearest_name(names.front(), known);
    throw UsageError("fnn gradcheck: no component is called '" + names.front() + "'" +
                     (nearest.empty() ? "" : "; did you mean '" + nearest + "'?") +
                     " (see fnn plugins)");
  }
  std::printf("%d checked, %d failed\n", checked, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace fnn::cli
