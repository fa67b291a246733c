#!/usr/bin/python3
"""An evaluator of fnn's ONNX exports that shares nothing with fnn: python3-onnx parses and checks
the file, numpy computes each operator as the ONNX specification defines it (in float64), and the
result is compared with `fnn predict` on the same rows.

usage: evaluate_onnx.py MODEL.onnx INPUTS.csv PREDICTIONS.csv [TOLERANCE]
  INPUTS.csv       the raw rows given to `fnn predict --input` (header line, inputs only)
  PREDICTIONS.csv  what `fnn predict` wrote (output_N or class and score_N columns)
Exit 0 when every output agrees to TOLERANCE (default 1e-5, absolute, relative above 1),
1 otherwise, 77 when python3-onnx or numpy is missing (a skip, except under CI=true).
"""
import os
import sys

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as error:
    ci = os.environ.get("CI") == "true"
    print(f"evaluate_onnx: {'FAILED' if ci else 'skipped'}: {error} "
          "(install python3-onnx and python3-numpy)", file=sys.stderr)
    sys.exit(1 if ci else 77)


def attribute(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def run(node, args):
    op = node.op_type
    known = {"Gemm": {"alpha", "beta", "transA", "transB"}, "Softmax": {"axis"},
             "LeakyRelu": {"alpha"}, "Elu": {"alpha"}}
    unknown = {a.name for a in node.attribute} - known.get(op, set())
    if unknown:
        raise ValueError(f"{node.name}: attributes {unknown} not implemented here")
    if op == "Gemm":
        a, b = args[0], args[1]
        if attribute(node, "transA", 0):
            a = a.T
        if attribute(node, "transB", 0):
            b = b.T
        y = attribute(node, "alpha", 1.0) * (a @ b)
        return y + attribute(node, "beta", 1.0) * args[2] if len(args) > 2 else y
    if op == "Softmax":
        x = args[0]
        axis = attribute(node, "axis", -1)
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    binary = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}
    if op in binary:
        return binary[op](args[0], args[1])
    x = args[0]
    unary = {
        "Identity": lambda: x,
        "Sigmoid": lambda: 1.0 / (1.0 + np.exp(-x)),
        "Tanh": lambda: np.tanh(x),
        "Relu": lambda: np.maximum(x, 0.0),
        "LeakyRelu": lambda: np.where(x >= 0, x, attribute(node, "alpha", 0.01) * x),
        "Elu": lambda: np.where(x >= 0, x, attribute(node, "alpha", 1.0) * np.expm1(np.minimum(x, 0))),
        "Softplus": lambda: np.logaddexp(0.0, x),
    }
    if op not in unary:
        raise ValueError(f"{node.name}: operator {op} not implemented here")
    return unary[op]()


def check_interface(model):
    opsets = {o.domain: o.version for o in model.opset_import}
    assert opsets == {"": 17}, f"opset imports {opsets}, expected the standard domain at 17"
    graph = model.graph
    assert [i.name for i in graph.input] == ["input"], "the input is not called 'input'"
    assert [o.name for o in graph.output] == ["output"], "the output is not called 'output'"
    for value in (graph.input[0], graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        assert len(dims) == 2 and dims[0].dim_param and dims[1].dim_value > 0, \
            f"{value.name} is not [symbolic batch, width]: {dims}"


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    path, inputs_csv, predictions_csv = sys.argv[1:4]
    tolerance = float(sys.argv[4]) if len(sys.argv) == 5 else 1e-5
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    check_interface(model)

    values = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    values["input"] = np.loadtxt(inputs_csv, delimiter=",", skiprows=1, ndmin=2)
    for node in model.graph.node:
        values[node.output[0]] = run(node, [values[name] for name in node.input])
    onnx_out = values["output"]

    with open(predictions_csv) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(predictions_csv, delimiter=",", skiprows=1, ndmin=2)
    columns = [i for i, name in enumerate(header) if name.startswith(("output_", "score_"))]
    fnn_out = table[:, columns]
    if onnx_out.shape != fnn_out.shape:
        print(f"evaluate_onnx: FAILED: ONNX output {onnx_out.shape}, fnn {fnn_out.shape}")
        return 1
    difference = np.abs(onnx_out - fnn_out) / np.maximum(1.0, np.abs(fnn_out))
    worst = np.unravel_index(np.argmax(difference), difference.shape)
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"evaluate_onnx: {path}: {len(model.graph.node)} nodes ({', '.join(ops)}), "
          f"{fnn_out.shape[0]} rows; largest difference from fnn predict {difference.max():.3g} "
          f"(row {worst[0] + 1}, output {worst[1] + 1})")
    if not difference.max() <= tolerance:
        print(f"evaluate_onnx: FAILED: above the tolerance {tolerance}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
