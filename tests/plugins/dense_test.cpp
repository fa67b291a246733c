#include "support/test_support.hpp"

namespace {

// A dense layer set up for `inputs` columns, its parameters in `storage`, random-initialised.
std::shared_ptr<fnn::Layer> dense(std::size_t inputs, const fnn::Options& options,
                                  std::vector<float>& storage) {
  auto layer = fnn::test::plugins().make_layer("dense", options);
  layer->setup(inputs);
  storage.assign(layer->parameter_count(), 0.0F);
  layer->bind(storage);
  fnn::Rng rng(17);
  layer->reset_parameters(*fnn::test::plugins().make_initializer("glorot_uniform"), rng);
  return layer;
}

}  // namespace

TEST_CASE("dense computes input · W + b with W stored inputs × outputs", "[dense]") {
  std::vector<float> parameters;
  const auto layer = dense(2, {{"units", "3"}}, parameters);
  REQUIRE(parameters.size() == 2 * 3 + 3);
  CHECK(std::all_of(parameters.begin() + 6, parameters.end(), [](float b) { return b == 0; }));
  parameters = {1, 2, 3, /* row 2 of W */ 4, 5, 6, /* b */ 0.5F, -1, 0};
  const fnn::Matrix input{{1, 1}, {2, 0}};
  fnn::Matrix output(2, 3);
  layer->forward(input, output, fnn::PassContext{});
  CHECK(std::vector<float>(output.values().begin(), output.values().end()) ==
        std::vector<float>{5.5F, 6, 9, 2.5F, 3, 6});
}

TEST_CASE("dense without bias has only weights", "[dense]") {
  std::vector<float> parameters;
  const auto layer = dense(4, {{"units", "2"}, {"bias", "false"}}, parameters);
  CHECK(layer->parameter_count() == 8);
}

TEST_CASE("dense gradients match finite differences, with and without bias", "[dense][gradient]") {
  for (const char* bias : {"true", "false"}) {
    INFO("bias=" << bias);
    std::vector<float> parameters;
    const auto layer = dense(5, {{"units", "4"}, {"bias", bias}}, parameters);
    REQUIRE_GRADIENT_OK(fnn::check_layer(*layer, parameters, 6));
  }
}
