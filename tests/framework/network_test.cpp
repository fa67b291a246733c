#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using fnn::test::error_message;

namespace {
std::string build_error(const fnn::NetworkSpec& spec) {
  return error_message([&] { fnn::Network network(fnn::test::plugins(), spec); });
}
}  // namespace

TEST_CASE("a network chains widths and owns one flat parameter buffer", "[network]") {
  fnn::NetworkSpec spec{3};
  spec.add("dense", {{"units", "5"}}).add("sigmoid").add("dense", {{"units", "2"}, {"bias", "no"}});
  fnn::Network network(fnn::test::plugins(), spec);
  CHECK(network.layer_count() == 3);
  CHECK(network.input_size() == 3);
  CHECK(network.output_size() == 2);
  CHECK(network.layer(1).input_size() == 5);
  CHECK(network.parameters().size() == 3 * 5 + 5 + 5 * 2);
  CHECK(network.layer_parameters(0).size() == 20);
  CHECK(network.layer_parameters(1).empty());
  CHECK(network.layer_parameters(2).data() == network.parameters().data() + 20);

  fnn::Rng rng(1);
  network.initialize(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  const fnn::Matrix out = network.predict(fnn::Matrix{{1, 2, 3}, {0, 0, 0}});
  CHECK(out.rows() == 2);
  CHECK(out.cols() == 2);
}

TEST_CASE("network spec errors name the layer", "[network]") {
  SECTION("an unknown name, with the nearest and both kinds listed") {
    fnn::NetworkSpec spec{2};
    spec.add("dense", {{"units", "3"}}).add("sigmod");
    CHECK_THAT(build_error(spec), Contains("network layer 2 (sigmod)") &&
                                      Contains("did you mean 'sigmoid'?") &&
                                      Contains("Layers: dense, dropout; activations: elu, "
                                               "identity, leaky_relu, relu, sigmoid, softmax, "
                                               "softplus, tanh"));
    try {
      const fnn::Network network(fnn::test::plugins(), spec);
      FAIL("no error");
    } catch (const fnn::UnknownComponentError& error) {  // which name, and where in the spec
      CHECK(error.name() == "sigmod");
      CHECK(error.role() == "layer 2");
    }
  }
  SECTION("sizes that do not chain") {
    fnn::NetworkSpec spec{2};
    spec.add("dense", {{"units", "4"}}).add("dense", {{"units", "1"}, {"inputs", "3"}});
    CHECK(build_error(spec) ==
          "network layer 2 (dense): it declares inputs=3 but the layer before it has 4 outputs");
  }
  SECTION("a zero-width layer") {
    fnn::NetworkSpec spec{2};
    spec.add("dense", {{"units", "0"}});
    CHECK(build_error(spec) == "network layer 1 (dense): it would have zero outputs");
  }
  SECTION("a layer without its required option") {
    fnn::NetworkSpec spec{2};
    spec.add("sigmoid").add("dense");
    CHECK(build_error(spec) ==
          "network layer 2 (dense): layer 'dense': option 'units' is required");
  }
  SECTION("an option the layer does not take") {
    fnn::NetworkSpec spec{2};
    spec.add("dense", {{"units", "2"}, {"bais", "false"}});
    CHECK_THAT(build_error(spec),
               Contains("network layer 1 (dense)") && Contains("does not take option bais"));
  }
  SECTION("zero inputs") {
    CHECK_THAT(build_error(fnn::NetworkSpec{0}), Contains("input width is 0"));
  }
  SECTION("no layers") { CHECK(build_error(fnn::NetworkSpec{2}) == "the network has no layers"); }
}

TEST_CASE("data that does not fit the network is refused", "[network]") {
  fnn::NetworkSpec spec{2};
  spec.add("dense", {{"units", "1"}});
  const fnn::Network network(fnn::test::plugins(), spec);
  CHECK(error_message([&] { network.predict(fnn::Matrix{{1, 2, 3}}); }) ==
        "the network takes 2 inputs per sample, the data has 3");
  std::vector<float> gradient(network.parameters().size());
  const auto loss = fnn::test::plugins().make_loss("mse");
  CHECK_THAT(error_message([&] {
               network.loss_and_gradient(fnn::Matrix{{1, 2}}, fnn::Matrix{{1, 2}}, *loss,
                                         gradient);
             }),
             Contains("the network has 1 outputs"));
}

TEST_CASE("a layer list parses entry by entry and prints back to the same text", "[network]") {
  const std::string text = "dense:units=8 leaky_relu:slope=0.1 dropout:rate=0.2 dense softmax";
  const std::vector<fnn::LayerSpec> layers = fnn::parse_layer_list("  " + text + "\n");
  REQUIRE(layers.size() == 5);
  CHECK(layers[1].name == "leaky_relu");
  CHECK(layers[1].options.text("slope") == "0.1");
  CHECK(layers[3].options.entries().empty());
  CHECK(fnn::to_text(layers) == text);
  CHECK_THAT(fnn::test::error_message([] { fnn::parse_layer_list("dense:units=4 relu sgd:=1"); }),
             Catch::Matchers::StartsWith("entry 3 'sgd:=1': expected NAME or NAME:KEY=VALUE"));
  CHECK_THAT(fnn::test::error_message([] { fnn::parse_layer_list(" \t"); }),
             Catch::Matchers::StartsWith("the layer list is empty"));
}
