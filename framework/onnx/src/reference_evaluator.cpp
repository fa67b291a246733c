// fnn's reference evaluator of a serialized ONNX model: each operator written out from the ONNX
// operator specification, in double, on tensors of rank ≤ 2. It checks the exporter from the
// bytes it wrote, so it shares nothing with the graph builder or the plugins.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "fnn/error.hpp"
#include "fnn/onnx_export.hpp"

namespace fnn {

namespace {

// A tensor of rank 0, 1 or 2, row-major.
struct Tensor {
  std::vector<std::int64_t> dims;
  std::vector<double> values;
  std::int64_t rows() const { return dims.size() == 2 ? dims[0] : 1; }
  std::int64_t cols() const { return dims.empty() ? 1 : dims.back(); }
};

[[noreturn]] void refuse(const onnx::NodeProto& node, const std::string& what) {
  throw Error("ONNX node '" + node.name() + "' (" + node.op_type() + "): " + what);
}

Tensor from_initializer(const onnx::TensorProto& proto) {
  if (proto.data_type() != onnx::TensorProto_DataType_FLOAT || proto.dims_size() > 2) {
    throw Error("ONNX constant '" + proto.name() + "': expected a float tensor of rank at most 2");
  }
  Tensor tensor{{proto.dims().begin(), proto.dims().end()}, {}};
  const std::int64_t count = tensor.rows() * tensor.cols();
  if (proto.has_raw_data()) {
    std::vector<float> floats(proto.raw_data().size() / sizeof(float));
    std::memcpy(floats.data(), proto.raw_data().data(), floats.size() * sizeof(float));
    tensor.values.assign(floats.begin(), floats.end());
  } else {
    tensor.values.assign(proto.float_data().begin(), proto.float_data().end());
  }
  if (static_cast<std::int64_t>(tensor.values.size()) != count) {
    throw Error("ONNX constant '" + proto.name() + "': " + std::to_string(tensor.values.size()) +
                " values for " + std::to_string(count) + " elements");
  }
  return tensor;
}

// A node's attributes, each read at most once; any left unread is refused, so that an attribute
// this evaluator does not implement can never be ignored silently.
class AttributeReader {
 public:
  explicit AttributeReader(const onnx::NodeProto& node) : node_(node) {
    for (const onnx::AttributeProto& attribute : node.attribute()) {
      attributes_[attribute.name()] = &attribute;
    }
  }
  double real(const std::string& name, double fallback) {
    return take(name) ? last_->f() : fallback;
  }
  std::int64_t integer(const std::string& name, std::int64_t fallback) {
    return take(name) ? last_->i() : fallback;
  }
  void done() const {
    if (!attributes_.empty())
      refuse(node_, "attribute '" + attributes_.begin()->first +
                        "' is not supported by fnn's reference evaluator");
  }

 private:
  bool take(const std::string& name) {
    const auto found = attributes_.find(name);
    if (found == attributes_.end()) return false;
    last_ = found->second;
    attributes_.erase(found);
    return true;
  }
  const onnx::NodeProto& node_;
  std::map<std::string, const onnx::AttributeProto*> attributes_;
  const onnx::AttributeProto* last_ = nullptr;
};

Tensor unary(const Tensor& x, const std::function<double(double)>& f) {
  Tensor y = x;
  for (double& value : y.values) value = f(value);
  return y;
}

// Numpy broadcasting for rank ≤ 2: dims aligned from the right, each equal or 1.
Tensor binary(const onnx::NodeProto& node, const Tensor& a, const Tensor& b,
              const std::function<double(double, double)>& f) {
  const std::int64_t rows = std::max(a.rows(), b.rows());
  const std::int64_t cols = std::max(a.cols(), b.cols());
  for (const Tensor* t : {&a, &b}) {
    if ((t->rows() != rows && t->rows() != 1) || (t->cols() != cols && t->cols() != 1)) {
      refuse(node, "operands of shapes that do not broadcast");
    }
  }
  Tensor y{{rows, cols}, std::vector<double>(static_cast<std::size_t>(rows * cols))};
  const std::size_t rank = std::max(a.dims.size(), b.dims.size());
  if (rank < 2) y.dims = rank == 1 ? std::vector<std::int64_t>{cols} : std::vector<std::int64_t>{};
  const auto at = [](const Tensor& t, std::int64_t r, std::int64_t c) {
    return t.values[static_cast<std::size_t>((t.rows() == 1 ? 0 : r) * t.cols() +
                                             (t.cols() == 1 ? 0 : c))];
  };
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) {
      y.values[static_cast<std::size_t>(r * cols + c)] = f(at(a, r, c), at(b, r, c));
    }
  }
  return y;
}

// Gemm: alpha · A' · B' + beta · C, A' and B' optionally transposed, C broadcast.
Tensor gemm(const onnx::NodeProto& node, const std::vector<const Tensor*>& in,
            AttributeReader& attributes) {
  const double alpha = attributes.real("alpha", 1.0);
  const double beta = attributes.real("beta", 1.0);
  const bool trans_a = attributes.integer("transA", 0) != 0;
  const bool trans_b = attributes.integer("transB", 0) != 0;
  const Tensor& a = *in.at(0);
  const Tensor& b = *in.at(1);
  if (a.dims.size() != 2 || b.dims.size() != 2) refuse(node, "A and B must be matrices");
  const std::int64_t m = trans_a ? a.cols() : a.rows();
  const std::int64_t k = trans_a ? a.rows() : a.cols();
  const std::int64_t n = trans_b ? b.rows() : b.cols();
  if ((trans_b ? b.cols() : b.rows()) != k) refuse(node, "A's and B's inner widths differ");
  const auto element = [](const Tensor& t, bool transposed, std::int64_t r, std::int64_t c) {
    return transposed ? t.values[static_cast<std::size_t>(c * t.cols() + r)]
                      : t.values[static_cast<std::size_t>(r * t.cols() + c)];
  };
  Tensor y{{m, n}, std::vector<double>(static_cast<std::size_t>(m * n), 0.0)};
  for (std::int64_t r = 0; r < m; ++r) {
    for (std::int64_t c = 0; c < n; ++c) {
      double sum = 0.0;
      for (std::int64_t i = 0; i < k; ++i)
        sum += element(a, trans_a, r, i) * element(b, trans_b, i, c);
      y.values[static_cast<std::size_t>(r * n + c)] = alpha * sum;
    }
  }
  if (in.size() < 3) return y;
  const Tensor scaled = unary(*in[2], [beta](double value) { return beta * value; });
  return binary(node, y, scaled, std::plus<>());
}

Tensor softmax(const onnx::NodeProto& node, const Tensor& x, AttributeReader& attributes) {
  const std::int64_t axis = attributes.integer("axis", -1);
  const auto rank = static_cast<std::int64_t>(x.dims.size());
  if (rank == 0 || (axis != -1 && axis != rank - 1)) {
    refuse(node, "only the last axis is supported (axis -1)");
  }
  Tensor y = x;
  for (std::int64_t r = 0; r < x.rows(); ++r) {
    const auto row = y.values.begin() + r * x.cols();
    const double top = *std::max_element(row, row + x.cols());
    double total = 0.0;
    for (auto v = row; v != row + x.cols(); ++v) total += * v = std::exp(*v - top);
    for (auto v = row; v != row + x.cols(); ++v) *v /= total;
  }
  return y;
}

Tensor run(const onnx::NodeProto& node, const std::vector<const Tensor*>& in) {
  AttributeReader attributes(node);
  const std::string& op = node.op_type();
  const auto arity = [&](std::size_t low, std::size_t high) {
    if (in.size() < low || in.size() > high) refuse(node, "unexpected number of inputs");
  };
  Tensor y;
  if (op == "Gemm") {
    arity(2, 3);
    y = gemm(node, in, attributes);
  } else if (op == "Softmax") {
    arity(1, 1);
    y = softmax(node, *in[0], attributes);
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    arity(2, 2);
    const std::map<std::string, std::function<double(double, double)>> functions{
        {"Add", std::plus<>()},
        {"Sub", std::minus<>()},
        {"Mul", std::multiplies<>()},
        {"Div", std::divides<>()}};
    y = binary(node, *in[0], *in[1], functions.at(op));
  } else {
    arity(1, 1);
    const bool has_alpha = op == "LeakyRelu" || op == "Elu";
    const double alpha = has_alpha ? attributes.real("alpha", op == "LeakyRelu" ? 0.01 : 1.0) : 0.0;
    const std::map<std::string, std::function<double(double)>> functions{
        {"Identity", [](double x) { return x; }},
        {"Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }},
        {"Tanh", [](double x) { return std::tanh(x); }},
        {"Relu", [](double x) { return std::max(x, 0.0); }},
        {"LeakyRelu", [alpha](double x) { return x >= 0.0 ? x : alpha * x; }},
        {"Elu", [alpha](double x) { return x >= 0.0 ? x : alpha * (std::exp(x) - 1.0); }},
        {"Softplus",
         [](double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }},
        {"Exp", [](double x) { return std::exp(x); }},
        {"Log", [](double x) { return std::log(x); }},
        {"Neg", [](double x) { return -x; }},
        {"Abs", [](double x) { return std::abs(x); }},
        {"Sqrt", [](double x) { return std::sqrt(x); }},
        {"Erf", [](double x) { return std::erf(x); }}};
    const auto function = functions.find(op);
    if (function == functions.end()) {
      refuse(node,
             "fnn's reference evaluator does not implement this operator, so the export "
             "cannot be checked (docs/writing-plugins.md lists the operators it knows)");
    }
    y = unary(*in[0], function->second);
  }
  attributes.done();
  return y;
}

}  // namespace

Matrix evaluate_onnx(std::string_view bytes, ConstMatrixView rows) {
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw Error("the exported ONNX model does not parse back from its bytes");
  }
  const onnx::GraphProto& graph = model.graph();
  if (graph.input_size() != 1 || graph.output_size() != 1) {
    throw Error("the ONNX graph must have one input and one output");
  }
  std::map<std::string, Tensor> values;
  Tensor& input = values[graph.input(0).name()];
  input.dims = {static_cast<std::int64_t>(rows.rows()), static_cast<std::int64_t>(rows.cols())};
  for (std::size_t r = 0; r < rows.rows(); ++r) {
    input.values.insert(input.values.end(), rows.row(r).begin(), rows.row(r).end());
  }
  for (const onnx::TensorProto& constant : graph.initializer()) {
    values[constant.name()] = from_initializer(constant);
  }
  // Nodes are in topological order (the checker has verified it).
  for (const onnx::NodeProto& node : graph.node()) {
    if (!node.domain().empty() || node.output_size() != 1) {
      refuse(node, "expected an operator of the standard domain with one output");
    }
    std::vector<const Tensor*> inputs;
    for (const std::string& name : node.input()) {
      const auto found = values.find(name);
      if (found == values.end()) refuse(node, "its input '" + name + "' is not computed before it");
      inputs.push_back(&found->second);
    }
    values[node.output(0)] = run(node, inputs);
  }
  const auto found = values.find(graph.output(0).name());
  if (found == values.end() || found->second.dims.size() != 2 ||
      found->second.rows() != static_cast<std::int64_t>(rows.rows())) {
    throw Error("the ONNX graph's output '" + graph.output(0).name() +
                "' is not a matrix of one row per input row");
  }
  const Tensor& output = found->second;
  Matrix result(rows.rows(), static_cast<std::size_t>(output.cols()));
  std::ranges::transform(output.values, result.values().begin(),
                         [](double value) { return static_cast<float>(value); });
  return result;
}

}  // namespace fnn
