#pragma once
#include <string_view>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

/// A loss comparing predictions with targets, one sample per row. The interface speaks in
/// per-sample sums, so that blocks of a data set (evaluation goes block by block) add up
/// exactly; the batch mean (what is reported and minimised) is the sum divided by the batch
/// size, which the network applies.
class FNN_API Loss {
 public:
  virtual ~Loss();

  /// Σ over the rows of the per-sample loss, accumulated in double.
  virtual double sum(ConstMatrixView prediction, ConstMatrixView target) const = 0;

  /// ∂(sum)/∂prediction, written into `gradient` (the shape of `prediction`).
  virtual void gradient(ConstMatrixView prediction, ConstMatrixView target,
                        MatrixView gradient) const = 0;

  /// The activation whose derivative `fused_gradient` already includes, or "" (the default).
  /// When the network ends in that activation, it asks the loss for ∂(sum)/∂z, z the
  /// activation's input, and skips the activation's backward: softmax + cross-entropy gives the
  /// stable p − y instead of dividing by probabilities that may be 0.
  virtual std::string_view fused_activation() const;
  /// ∂(sum)/∂z given the fused activation's output `prediction` (only called when
  /// `fused_activation()` is not empty).
  virtual void fused_gradient(ConstMatrixView prediction, ConstMatrixView target,
                              MatrixView gradient) const;
  /// `sum` when the network ends in the fused activation: `z` is that activation's input (the
  /// logits), `prediction` its output. The default returns sum(prediction, target); a log loss
  /// overrides it to work from the logits (softplus, log-sum-exp), exact where a float
  /// probability has rounded to 0 or 1.
  virtual double fused_sum(ConstMatrixView z, ConstMatrixView prediction,
                           ConstMatrixView target) const;

  /// The batch mean: sum / rows. A run reports this, or fused_sum / rows after the fused
  /// activation (Network::mean_loss gives either for a data set).
  double mean(ConstMatrixView prediction, ConstMatrixView target) const;
};

}  // namespace fnn
