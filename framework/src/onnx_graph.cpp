#include "fnn/onnx_graph.hpp"

#include <algorithm>
#include <functional>
#include <numeric>

#include "fnn/error.hpp"

namespace fnn {

OnnxGraph::OnnxGraph(std::string input) : input_(std::move(input)) {
  names_.push_back(input_);
}

void OnnxGraph::set_scope(std::string scope) {
  scope_ = std::move(scope);
}

std::string OnnxGraph::unique_name(const std::string& hint) {
  const std::string base = scope_.empty() ? hint : scope_ + "." + hint;
  std::string name = base;
  for (int repeat = 2; std::ranges::find(names_, name) != names_.end(); ++repeat) {
    name = base + "_" + std::to_string(repeat);
  }
  names_.push_back(name);
  return name;
}

bool OnnxGraph::has_value(const std::string& name) const {
  return name == input_ ||
         std::ranges::any_of(initializers_, [&](const Tensor& t) { return t.name == name; }) ||
         std::ranges::any_of(nodes_, [&](const Node& n) { return n.output == name; });
}

std::string OnnxGraph::add_initializer(const std::string& hint, std::vector<std::int64_t> dims,
                                       std::span<const float> values) {
  const bool valid = std::ranges::all_of(dims, [](std::int64_t d) { return d >= 0; });
  const auto count =
      std::accumulate(dims.begin(), dims.end(), std::int64_t{1}, std::multiplies<>());
  if (!valid || static_cast<std::size_t>(count) != values.size()) {
    throw SpecError("ONNX constant '" + hint + "': its dims hold " + std::to_string(count) +
                    " values, " + std::to_string(values.size()) + " were given");
  }
  const std::string name = unique_name(hint);
  initializers_.push_back({name, std::move(dims), {values.begin(), values.end()}});
  return name;
}

std::string OnnxGraph::add_node(const std::string& op_type, std::vector<std::string> inputs,
                                Attributes attributes) {
  for (const std::string& input : inputs) {
    if (!has_value(input)) {
      throw SpecError("ONNX operator " + op_type + ": no value in the graph is called '" + input +
                      "' (use the input the hook was given or a name add_node or "
                      "add_initializer returned)");
    }
  }
  const std::string name = unique_name(op_type);
  nodes_.push_back({op_type, name, std::move(inputs), name, std::move(attributes)});
  return name;
}

void OnnxGraph::set_output(const std::string& value, const std::string& output) {
  if (!has_value(value))
    throw SpecError("ONNX output: no value in the graph is called '" + value + "'");
  const auto producer = std::ranges::find(nodes_, value, &Node::output);
  if (producer == nodes_.end()) {
    nodes_.push_back({"Identity", output, {value}, output, {}});
  } else {
    producer->output = output;
    for (Node& node : nodes_) std::ranges::replace(node.inputs, value, output);
  }
  output_ = output;
}

}  // namespace fnn
