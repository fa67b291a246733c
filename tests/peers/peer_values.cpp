// What fnn computes, for a peer to compare with: reads requests on stdin, one per block, and
// prints one line of numbers (%.9g) per request.
//
//   loss NAME OUTPUT ROWS COLS [KEY=VALUE...]   then ROWS lines of network inputs, ROWS of targets
//     the mean loss that fnn reports (Network::mean_loss, as `fnn eval` does) for a network that
//     is only the activation OUTPUT (identity, sigmoid, softmax) applied to the inputs;
//   optimizer NAME COUNT STEPS [KEY=VALUE...]    then COUNT parameters, STEPS lines of gradients
//     the parameters after STEPS updates, one per gradient line.
#include <cstdio>
#include <fnn/fnn.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

fnn::Options read_options(std::istringstream& words) {
  fnn::Options options;
  for (std::string pair; words >> pair;) {
    const std::size_t equals = pair.find('=');
    options.set(pair.substr(0, equals), pair.substr(equals + 1));
  }
  return options;
}

fnn::Matrix read_matrix(std::size_t rows, std::size_t cols) {
  fnn::Matrix matrix(rows, cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) std::cin >> matrix(r, c);
  }
  return matrix;
}

void print(const std::vector<double>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::printf("%s%.9g", i ? " " : "", values[i]);
  }
  std::printf("\n");
}

}  // namespace

int main() try {
  const fnn::Registry registry = fnn::Registry::with_plugins();
  for (std::string line; std::getline(std::cin >> std::ws, line);) {
    std::istringstream words(line);
    std::string request;
    std::string name;
    words >> request >> name;
    if (request == "loss") {
      std::string output;
      std::size_t rows = 0;
      std::size_t cols = 0;
      words >> output >> rows >> cols;
      const auto loss = registry.make_loss(name, read_options(words));
      const fnn::Network network(registry, fnn::NetworkSpec{cols}.add(output));
      const fnn::Matrix inputs = read_matrix(rows, cols);
      const fnn::Matrix targets = read_matrix(rows, cols);
      print({network.mean_loss(inputs, targets, *loss)});
    } else if (request == "optimizer") {
      std::size_t count = 0;
      std::size_t steps = 0;
      words >> count >> steps;
      const auto optimizer = registry.make_optimizer(name, read_options(words));
      optimizer->setup(count);
      fnn::Matrix parameters = read_matrix(1, count);
      const fnn::Matrix gradients = read_matrix(steps, count);
      for (std::size_t s = 0; s < steps; ++s) {
        optimizer->step(parameters.view().row(0), gradients.view().row(s));
      }
      const std::span<const float> result = parameters.view().row(0);
      print(std::vector<double>(result.begin(), result.end()));
    } else {
      std::fprintf(stderr, "peer_values: unknown request '%s'\n", request.c_str());
      return 2;
    }
    std::fflush(stdout);
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "peer_values: %s\n", error.what());
  return 1;
}
