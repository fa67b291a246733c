#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "fnn/dataset.hpp"
#include "fnn/export.hpp"
#include "fnn/loss.hpp"
#include "fnn/network.hpp"

namespace fnn {

/// Loss and, for class targets, accuracy of a network on a data set.
struct Evaluation {
  double loss = 0.0;                ///< mean over the samples, as training reports it
  std::optional<double> accuracy;   ///< for class targets: correct / samples
  std::size_t correct = 0;          ///< rows whose largest output is the target's class
  std::size_t samples = 0;
};

/// Evaluates in evaluation mode (no dropout), block by block. With `classes`, the targets are
/// one-hot rows and accuracy is counted by arg_max. Throws SpecError when the widths do not fit.
FNN_API Evaluation evaluate(const Network& network, const Loss& loss, const Dataset& data,
                            bool classes);

/// `evaluate` of data that arrives block by block (a file read in constant memory): `add` the
/// blocks in order, then `result`. Blocks of evaluation_block_rows rows (fnn/network.hpp), the
/// last one smaller, give what `evaluate` gives for all the rows at once, bit for bit. Holds the
/// outputs of the largest block added; the network and loss must outlive it.
class FNN_API EvaluationSum {
 public:
  /// With `classes`, targets are one-hot rows and accuracy is counted by arg_max.
  EvaluationSum(const Network& network, const Loss& loss, bool classes);
  /// Evaluates a block of rows; TrainingError when the widths do not fit the network.
  void add(ConstMatrixView inputs, ConstMatrixView targets);
  /// The network's outputs for the last block added.
  ConstMatrixView outputs() const noexcept;
  Evaluation result() const;

 private:
  const Network& network_;
  const Loss& loss_;
  bool classes_;
  Matrix outputs_;
  std::size_t rows_ = 0;  ///< of the last block, the first rows of outputs_
  double total_ = 0.0;
  std::size_t correct_ = 0;
  std::size_t samples_ = 0;
};

/// DataError naming `source` unless the network takes the data's inputs and gives its targets:
/// "test.csv: the network maps 4 inputs to 3 outputs, the data has 4 inputs and 1 targets".
FNN_API void check_fits(const Network& network, const Dataset& data, const std::string& source);

/// "loss 0.012300, accuracy 0.9150 (915/1000)".
FNN_API std::string describe(const Evaluation& evaluation);

}  // namespace fnn
