// The protobuf-free graph builder that components' to_onnx hooks write into, and the hooks of
// fnn's own components as they appear in it.
#include <fnn/onnx_graph.hpp>

#include "support/test_support.hpp"

using Catch::Matchers::Contains;

TEST_CASE("OnnxGraph names values by scope and operator, unique within a scope", "[onnx]") {
  fnn::OnnxGraph graph("x");
  graph.set_scope("layer1_swish");
  const std::string s = graph.add_node("Sigmoid", {"x"});
  const std::string m = graph.add_node("Mul", {"x", s});
  const std::string m2 = graph.add_node("Mul", {m, m});
  CHECK(s == "layer1_swish.Sigmoid");
  CHECK(m == "layer1_swish.Mul");
  CHECK(m2 == "layer1_swish.Mul_2");
  graph.set_scope("layer2_dense");
  const float values[] = {1, 2, 3, 4, 5, 6};
  CHECK(graph.add_initializer("weight", {2, 3}, values) == "layer2_dense.weight");
  REQUIRE(graph.initializers().size() == 1);
  CHECK(graph.initializers()[0].dims == std::vector<std::int64_t>{2, 3});
  CHECK(graph.initializers()[0].values == std::vector<float>(values, values + 6));

  graph.set_output(m2, "y");  // a node's output: renamed, no node added
  CHECK(graph.nodes().size() == 3);
  CHECK(graph.nodes().back().output == "y");
  CHECK(graph.output() == "y");
}

TEST_CASE("OnnxGraph refuses unknown inputs and constants whose dims do not match", "[onnx]") {
  fnn::OnnxGraph graph;
  CHECK_THAT(fnn::test::error_message([&] { graph.add_node("Relu", {"nothing"}); }),
             Contains("no value in the graph is called 'nothing'"));
  const float values[] = {1, 2, 3};
  CHECK_THAT(fnn::test::error_message([&] {
               graph.add_initializer("w", {2, 2}, values);
             }),
             Contains("its dims hold 4 values, 3 were given"));
  CHECK_THAT(fnn::test::error_message([&] { graph.set_output("nothing", "output"); }),
             Contains("'nothing'"));
}

TEST_CASE("an output that is the graph's input becomes an Identity node", "[onnx]") {
  fnn::OnnxGraph graph;
  graph.set_output(graph.input(), "output");
  REQUIRE(graph.nodes().size() == 1);
  CHECK(graph.nodes()[0].op_type == "Identity");
  CHECK(graph.nodes()[0].inputs == std::vector<std::string>{"input"});
  CHECK(graph.nodes()[0].output == "output");
}

TEST_CASE("fnn's components map themselves into an OnnxGraph", "[onnx]") {
  fnn::NetworkSpec spec{3};
  spec.add("dense", {{"units", "2"}})
      .add("leaky_relu", {{"slope", "0.25"}})
      .add("dropout")
      .add("dense", {{"units", "2"}, {"bias", "false"}})
      .add("softmax");
  fnn::Network network(fnn::test::plugins(), spec);
  fnn::Rng rng(3);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  fnn::OnnxGraph graph;
  std::string value = graph.input();
  for (std::size_t i = 0; i < network.layer_count(); ++i) {
    const auto output = network.layer(i).to_onnx(graph, value);
    REQUIRE(output);
    value = *output;
  }
  const auto& nodes = graph.nodes();
  REQUIRE(nodes.size() == 4);  // dropout adds nothing
  CHECK(nodes[0].op_type == "Gemm");
  CHECK(nodes[0].inputs.size() == 3);  // input, W, b
  CHECK(nodes[1].op_type == "LeakyRelu");
  CHECK(std::get<float>(nodes[1].attributes.at(0).second) == 0.25F);
  CHECK(nodes[2].op_type == "Gemm");
  CHECK(nodes[2].inputs.size() == 2);  // bias=false: no C
  CHECK(nodes[3].op_type == "Softmax");
  CHECK(std::get<std::int64_t>(nodes[3].attributes.at(0).second) == -1);
  // W as dense stores it, inputs × units, then b: the layer's parameters in order.
  const std::span<const float> parameters = network.parameters();
  REQUIRE(graph.initializers().size() == 3);
  CHECK(graph.initializers()[0].dims == std::vector<std::int64_t>{3, 2});
  CHECK(std::ranges::equal(graph.initializers()[0].values, parameters.first(6)));
  CHECK(std::ranges::equal(graph.initializers()[1].values, parameters.subspan(6, 2)));
}
