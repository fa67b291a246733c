// OnnxGraph → ModelProto, and ONNX's own checks of it: the only file that writes protobuf.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <bit>
#include <cstring>
#include <variant>

#include "fnn/error.hpp"
#include "fnn/onnx_export.hpp"
#include "fnn/version.hpp"

namespace fnn {

namespace {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; this writer copies floats as they are in memory");

// [batch, width]: the batch a named symbolic dimension, so any row count is accepted.
void declare_batch(onnx::ValueInfoProto& value, const std::string& name, std::size_t width) {
  value.set_name(name);
  onnx::TypeProto_Tensor& tensor = *value.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(onnx::TensorProto_DataType_FLOAT);
  onnx::TensorShapeProto& shape = *tensor.mutable_shape();
  shape.add_dim()->set_dim_param("batch");
  shape.add_dim()->set_dim_value(static_cast<std::int64_t>(width));
}

void add_constant(onnx::GraphProto& graph, const OnnxGraph::Tensor& constant) {
  onnx::TensorProto& tensor = *graph.add_initializer();
  tensor.set_name(constant.name);
  tensor.set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (const std::int64_t dim : constant.dims) tensor.add_dims(dim);
  std::string bytes(constant.values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), constant.values.data(), bytes.size());
  tensor.set_raw_data(std::move(bytes));
}

void add_attribute(onnx::NodeProto& node, const std::string& name,
                   const OnnxGraph::Attribute& value) {
  onnx::AttributeProto& attribute = *node.add_attribute();
  attribute.set_name(name);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    attribute.set_type(onnx::AttributeProto_AttributeType_INT);
    attribute.set_i(*integer);
  } else if (const auto* real = std::get_if<float>(&value)) {
    attribute.set_type(onnx::AttributeProto_AttributeType_FLOAT);
    attribute.set_f(*real);
  } else {
    attribute.set_type(onnx::AttributeProto_AttributeType_INTS);
    for (const std::int64_t element : std::get<std::vector<std::int64_t>>(value)) {
      attribute.add_ints(element);
    }
  }
}

void add_operator(onnx::GraphProto& graph, const OnnxGraph::Node& from) {
  onnx::NodeProto& node = *graph.add_node();
  node.set_op_type(from.op_type);
  node.set_name(from.name);
  for (const std::string& input : from.inputs) node.add_input(input);
  node.add_output(from.output);
  for (const auto& [name, value] : from.attributes) add_attribute(node, name, value);
}

}  // namespace

std::string onnx_model_bytes(const OnnxGraph& graph, std::size_t inputs, std::size_t outputs) {
  if (graph.output().empty()) throw Error("the ONNX graph has no output (OnnxGraph::set_output)");
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);  // 8 in ONNX 1.12, the IR of opset 17
  model.set_producer_name("fnn");
  model.set_producer_version(version);
  onnx::OperatorSetIdProto& opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(onnx_opset);

  onnx::GraphProto& body = *model.mutable_graph();
  body.set_name("fnn");
  declare_batch(*body.add_input(), graph.input(), inputs);
  declare_batch(*body.add_output(), graph.output(), outputs);
  for (const OnnxGraph::Tensor& constant : graph.initializers()) add_constant(body, constant);
  for (const OnnxGraph::Node& node : graph.nodes()) add_operator(body, node);

  try {
    onnx::checker::check_model(model);
    // Strict (errors thrown, types checked): a declared output width that the operators do not
    // produce, or an operator given the wrong rank, fails here.
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1, false));
  } catch (const std::exception& error) {
    throw Error(std::string("ONNX's checker refused the exported graph: ") + error.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    throw Error("the exported ONNX model could not be serialized (over 2 GiB?)");
  }
  return bytes;
}

}  // namespace fnn
