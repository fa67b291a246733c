// Run under mpirun -np N: every rank trains with 4 shards through the MPI module's
// GradientExchange, then by itself with the LocalExchange, and checks that both end with the same
// parameters and optimizer state, bit for bit (dropout, an uneven last batch; adam or nesterov).
// Usage: fnn_mpi_shards_test MODULE adam|nesterov. Exit 0 identical, 1 different or failed.
#include <dlfcn.h>

#include <cstring>
#include <fnn/fnn.hpp>
#include <fnn/gradient_exchange.hpp>
#include <iostream>

namespace {

struct Result {
  std::vector<float> parameters;
  std::vector<float> optimizer_state;
  bool operator==(const Result&) const = default;
};

Result train(const fnn::Registry& registry, const fnn::Options& options, const std::string& name,
             fnn::GradientExchange* exchange) {
  constexpr std::size_t rows = 203;  // batches of 32: the last has 11 rows
  fnn::Matrix inputs(rows, 6);
  fnn::Matrix targets(rows, 2);
  fnn::Rng data(17);
  for (float& x : inputs.values()) x = data.uniform(-1.0F, 1.0F);
  for (std::size_t r = 0; r < rows; ++r) {
    targets(r, 0) = inputs(r, 0) * inputs(r, 1) > 0 ? 0.9F : 0.1F;
    targets(r, 1) = 0.5F + 0.4F * inputs(r, 2);
  }
  fnn::NetworkSpec spec{6};
  spec.add("dense", {{"units", "24"}}).add("relu").add("dropout", {{"rate", "0.25"}});
  spec.add("dense", {{"units", "2"}}).add("sigmoid");
  fnn::Network network(registry, spec);
  fnn::Rng init(4);
  network.initialize(*registry.make_initializer("glorot_uniform"), init);
  const auto loss = registry.make_loss("mse");
  const auto optimizer = registry.make_optimizer(name, options);
  fnn::Trainer trainer(network, *loss, *optimizer,
                       {.batch_size = 32, .shards = 4, .epochs = 3, .seed = 8, .threads = 1,
                        .exchange = exchange});
  trainer.fit(inputs, targets);
  const std::span<const float> state = optimizer->state();
  return {{network.parameters().begin(), network.parameters().end()}, {state.begin(), state.end()}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fnn_mpi_shards_test MODULE adam|nesterov\n";
    return 2;
  }
  void* module = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);  // Open MPI's own components need it global
  if (module == nullptr) {
    std::cerr << "cannot load " << argv[1] << ": " << dlerror() << "\n";
    return 1;
  }
  using Open = fnn::GradientExchange* (*)(int*, char***);
  using Close = void (*)(fnn::GradientExchange*);
  const auto open = reinterpret_cast<Open>(dlsym(module, "fnn_comm_mpi_open"));
  const auto close = reinterpret_cast<Close>(dlsym(module, "fnn_comm_mpi_close"));
  fnn::GradientExchange* exchange = open != nullptr && close != nullptr ? open(&argc, &argv) : nullptr;
  if (exchange == nullptr) {
    std::cerr << "the MPI module did not start\n";
    return 1;
  }
  const std::string rank = std::to_string(exchange->participant()) + "/" +
                           std::to_string(exchange->participants());
  int status = 1;
  try {
    fnn::Registry registry;
    registry.load_search_path();
    const bool adam = std::string(argv[2]) == "adam";
    const fnn::Options options = adam ? fnn::Options{{"learning_rate", "0.01"}}
                                      : fnn::Options{{"learning_rate", "0.2"},
                                                     {"momentum", "0.9"},
                                                     {"nesterov", "true"}};
    const Result shared = train(registry, options, adam ? "adam" : "sgd", exchange);
    const Result alone = train(registry, options, adam ? "adam" : "sgd", nullptr);
    status = shared == alone ? 0 : 1;
    std::cout << "rank " << rank << ": " << (status == 0 ? "identical" : "DIFFERENT")
              << " to one process with 4 shards\n";
  } catch (const std::exception& error) {
    std::cerr << "rank " << rank << ": " << error.what() << "\n";
  }
  close(exchange);
  return status;
}
