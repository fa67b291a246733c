#pragma once
// ONNX export of a network (library fnn_onnx, built when ONNX and protobuf are found; libfnn
// itself never depends on protobuf). Link `fnn::onnx`.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"
#include "fnn/network.hpp"
#include "fnn/onnx_graph.hpp"
#include "fnn/scaler.hpp"

namespace fnn {

/// The opset the exporter writes: ONNX Runtime (also onnxruntime-web) and TensorRT load it.
inline constexpr std::int64_t onnx_opset = 17;

/// The graph's input ("input", [batch, inputs]) is raw feature rows: the scaler, unless its
/// method is none, comes first as Sub(offsets) then Mul(factors); then every layer's `to_onnx`
/// hook in order; the last value is renamed "output" ([batch, outputs]). SpecError naming the
/// layer ("network layer 2 (swish)") when a component has no hook or its hook fails.
FNN_API OnnxGraph onnx_graph(const Network& network, const Scaler& scaler);

/// The graph as a serialized ONNX model (IR 8, opset `onnx_opset`, batch a symbolic dim_param
/// "batch"), proven valid first by ONNX's checker and strict shape inference (with types): Error
/// quoting ONNX's complaint otherwise.
FNN_API std::string onnx_model_bytes(const OnnxGraph& graph, std::size_t inputs,
                                     std::size_t outputs);

/// fnn's own reference evaluator: parses serialized model `bytes` and computes its output for
/// `rows` (in double, returned as float). It knows the operators fnn's components emit and a few
/// more (docs/writing-plugins.md lists them); Error naming any other operator or attribute.
FNN_API Matrix evaluate_onnx(std::string_view bytes, ConstMatrixView rows);

/// `rows` seeded random rows of the network's input width in the range the scaler was fitted to:
/// mean ± 2 deviations (standardize), [min, max] (minmax), [−2, 2] (none).
FNN_API Matrix onnx_sample_rows(const Scaler& scaler, std::size_t inputs, std::size_t rows,
                                std::uint64_t seed);

/// What `export_onnx` measured on the model it wrote.
struct OnnxExportReport {
  std::size_t nodes = 0;
  std::size_t initializers = 0;
  std::size_t rows = 0;             ///< sample rows evaluated
  double largest_difference = 0.0;  ///< max |evaluate_onnx − Network::predict| over them
};

/// Relative tolerance of the check: every output within 1e-4 · max(1, |fnn's value|).
inline constexpr double onnx_tolerance = 1e-4;

/// Exports network and scaler (onnx_graph, onnx_model_bytes), evaluates the serialized model on
/// `sample` (raw rows, before scaling; at least one) and compares with Network::predict of the
/// scaled rows; then writes `file` atomically (fnn/atomic_file.hpp). Error, with nothing written,
/// when any step fails or an output differs by more than the tolerance (naming row, column and
/// both values).
FNN_API OnnxExportReport export_onnx(const Network& network, const Scaler& scaler,
                                     ConstMatrixView sample, const std::filesystem::path& file);

}  // namespace fnn
