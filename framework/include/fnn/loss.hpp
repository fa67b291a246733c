#pragma once
#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

/// A loss comparing predictions with targets, one sample per row. The interface speaks in
/// per-sample sums, so that a batch split into chunks adds up exactly; the batch mean (what is
/// reported and minimised) is the sum divided by the batch size, which the network applies.
class FNN_API Loss {
 public:
  virtual ~Loss();

  /// Σ over the rows of the per-sample loss, accumulated in double.
  virtual double sum(ConstMatrixView prediction, ConstMatrixView target) const = 0;

  /// ∂(sum)/∂prediction, written into `gradient` (the shape of `prediction`).
  virtual void gradient(ConstMatrixView prediction, ConstMatrixView target,
                        MatrixView gradient) const = 0;

  /// The batch mean: sum / rows. This is the number a training run reports.
  double mean(ConstMatrixView prediction, ConstMatrixView target) const;
};

}  // namespace fnn
