// Mean squared error with the conventional ½: 1/(2m) Σ ‖ŷ − y‖², so that ∂/∂ŷ = (ŷ − y) / m.
#include <fnn/plugin.hpp>

namespace {

class MeanSquaredError final : public fnn::Loss {
 public:
  double sum(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target) const override {
    double total = 0.0;
    for (std::size_t r = 0; r < prediction.rows(); ++r) {
      for (std::size_t c = 0; c < prediction.cols(); ++c) {
        const double difference = static_cast<double>(prediction(r, c)) - target(r, c);
        total += difference * difference;
      }
    }
    return 0.5 * total;
  }

  void gradient(fnn::ConstMatrixView prediction, fnn::ConstMatrixView target,
                fnn::MatrixView gradient) const override {
    for (std::size_t r = 0; r < prediction.rows(); ++r) {
      for (std::size_t c = 0; c < prediction.cols(); ++c) {
        gradient(r, c) = prediction(r, c) - target(r, c);
      }
    }
  }
};

}  // namespace

FNN_PLUGIN(registrar) {
  registrar.loss<MeanSquaredError>("mse", "mean squared error 1/(2m) sum |prediction - target|^2");
}
