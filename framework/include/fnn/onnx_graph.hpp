#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "fnn/export.hpp"

namespace fnn {

/// An ONNX inference graph under construction, without protobuf: what a component's `to_onnx`
/// hook (fnn/layer.hpp, fnn/activation.hpp) adds its constants and operators to. The exporter
/// (fnn/onnx_export.hpp, library fnn_onnx) turns it into an ONNX model at opset 17, checks it
/// and writes it. Every value is a float32 tensor; a batch is [batch, width], batch symbolic.
///
///     // dense: y = x · W + b, with W stored inputs × units
///     std::string weight = graph.add_initializer("weight", {in, units}, weights);
///     std::string bias = graph.add_initializer("bias", {units}, biases);
///     return graph.add_node("Gemm", {input, weight, bias});
///
/// Names are made unique and readable: the exporter sets a scope per layer ("layer2_sigmoid"),
/// and a name is the scope, a dot and the hint or operator ("layer1_dense.weight",
/// "layer1_dense.Gemm"), with "_2", "_3" ... for repeats within a scope.
class FNN_API OnnxGraph {
 public:
  /// An attribute value: ONNX INT, FLOAT or INTS.
  using Attribute = std::variant<std::int64_t, float, std::vector<std::int64_t>>;
  using Attributes = std::vector<std::pair<std::string, Attribute>>;

  /// A constant tensor (an ONNX initializer), row-major.
  struct Tensor {
    std::string name;
    std::vector<std::int64_t> dims;
    std::vector<float> values;
  };
  /// One operator of the standard ONNX domain, with one output.
  struct Node {
    std::string op_type;
    std::string name;
    std::vector<std::string> inputs;
    std::string output;
    Attributes attributes;
  };

  /// A graph whose one input, [batch, width], is called `input`.
  explicit OnnxGraph(std::string input = "input");

  /// Adds a constant of shape `dims` (row-major `values`, as many as the dims' product) and
  /// returns its name. SpecError when the count does not match the dims.
  std::string add_initializer(const std::string& hint, std::vector<std::int64_t> dims,
                              std::span<const float> values);

  /// Adds operator `op_type` (e.g. "Sigmoid", "Gemm") of the standard domain on `inputs` (names
  /// this graph already has) and returns the name of its output. SpecError for an unknown input.
  std::string add_node(const std::string& op_type, std::vector<std::string> inputs,
                       Attributes attributes = {});

  /// Names made from here on start with `scope` (the exporter sets one per layer).
  void set_scope(std::string scope);

  /// Makes `value` the graph's output under the name `output`: the node that computes it is
  /// renamed, or, when `value` is the input or a constant, an Identity node is added.
  void set_output(const std::string& value, const std::string& output);

  const std::string& input() const noexcept { return input_; }
  const std::string& output() const noexcept { return output_; }
  const std::vector<Tensor>& initializers() const noexcept { return initializers_; }
  const std::vector<Node>& nodes() const noexcept { return nodes_; }

 private:
  std::string unique_name(const std::string& hint);
  bool has_value(const std::string& name) const;

  std::string input_;
  std::string output_;
  std::string scope_;
  std::vector<Tensor> initializers_;
  std::vector<Node> nodes_;
  std::vector<std::string> names_;  ///< every name given so far
};

}  // namespace fnn
