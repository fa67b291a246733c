"""Proves docs/math.md: every loss and optimizer of fnn equals the PyTorch expression the table
gives, on the same data, to float32 rounding.

usage: /usr/bin/python3 torch_equivalents.py PEER_VALUES
  PEER_VALUES is the tests/peers/peer_values program (fnn's side of each comparison).
Exit 0: all agree; 1: one does not (or torch is missing under CI=true); 77 (ctest's skip):
torch is missing on a developer machine (Debian: apt install python3-torch).
"""
import os
import subprocess
import sys

try:
    import torch
    from torch import nn
except ImportError:
    if os.environ.get("CI") == "true":
        print("torch_equivalents: FAILED: python3-torch is missing", file=sys.stderr)
        sys.exit(1)
    print("torch_equivalents: skipped: python3-torch is missing (apt install python3-torch)")
    sys.exit(77)

# Relative to the largest magnitude compared: float32 rounding of sums over a few hundred
# terms and of a few optimizer steps (float32's epsilon is 1.2e-7).
TOLERANCE = 2e-6
ROWS, COLS = 64, 5
generator = torch.Generator().manual_seed(20261202)


def normal(*shape, scale=1.0):
    return (torch.randn(*shape, generator=generator) * scale).float()


def uniform(low, high, *shape):
    return (low + (high - low) * torch.rand(*shape, generator=generator)).float()


def one_hot(rows, cols):
    return nn.functional.one_hot(torch.randint(cols, (rows,), generator=generator), cols).float()


def matrix_text(matrix):
    return "\n".join(" ".join(f"{value:.9g}" for value in row) for row in matrix.tolist())


# Data. Logits include rows far out (|z| up to 30), where a float sigmoid or softmax has rounded
# to 0 or 1: fnn reports those losses from the logits, as the *WithLogits / CrossEntropy forms do.
p = normal(ROWS, COLS, scale=2.0)
y = normal(ROWS, COLS)
probabilities = uniform(0.02, 0.98, ROWS, COLS)
labels = (torch.rand(ROWS, COLS, generator=generator) > 0.5).float()
soft_labels = uniform(0.0, 1.0, ROWS, COLS)
z = normal(ROWS, COLS, scale=3.0)
z[:4] = torch.tensor([30.0, -30.0, 20.0, -20.0, 0.5])
classes = one_hot(ROWS, COLS)
class_probabilities = torch.softmax(normal(ROWS, COLS), dim=1)
soft_classes = torch.softmax(normal(ROWS, COLS), dim=1)
k = COLS

# (fnn loss with options, the network's output activation, inputs, targets,
#  the PyTorch expression of docs/math.md, evaluated on the inputs as p or z and the targets y).
LOSSES = [
    ("mse", "identity", p, y, lambda p, y: 0.5 * k * nn.MSELoss()(p, y)),
    ("mae", "identity", p, y, lambda p, y: k * nn.L1Loss()(p, y)),
    ("huber", "identity", p, y, lambda p, y: k * nn.HuberLoss(delta=1.0)(p, y)),
    ("huber delta=0.5", "identity", p, y, lambda p, y: k * nn.HuberLoss(delta=0.5)(p, y)),
    ("binary_cross_entropy", "identity", probabilities, labels,
     lambda p, y: k * nn.BCELoss()(p, y)),
    ("binary_cross_entropy", "identity", probabilities, soft_labels,
     lambda p, y: k * nn.BCELoss()(p, y)),
    ("binary_cross_entropy", "sigmoid", z, labels,
     lambda z, y: k * nn.BCEWithLogitsLoss()(z, y)),
    ("binary_cross_entropy", "sigmoid", z, soft_labels,
     lambda z, y: k * nn.BCEWithLogitsLoss()(z, y)),
    ("cross_entropy", "identity", class_probabilities, classes,
     lambda p, y: nn.NLLLoss()(torch.log(p), y.argmax(dim=1))),
    ("cross_entropy", "softmax", z, classes,
     lambda z, y: nn.CrossEntropyLoss()(z, y.argmax(dim=1))),
    ("cross_entropy", "softmax", z, soft_classes, lambda z, y: nn.CrossEntropyLoss()(z, y)),
]

COUNT, STEPS = 16, 6
start = normal(COUNT)
gradients = normal(STEPS, COUNT)

# (fnn optimizer with options, the PyTorch optimizer of docs/math.md for the same update).
OPTIMIZERS = [
    ("sgd", lambda w: torch.optim.SGD(w, lr=0.1)),
    ("sgd momentum=0.9", lambda w: torch.optim.SGD(w, lr=0.1, momentum=0.9)),
    ("sgd momentum=0.9 nesterov=true weight_decay=0.01",
     lambda w: torch.optim.SGD(w, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam", lambda w: torch.optim.Adam(w, lr=0.001)),
    ("adam learning_rate=0.01 weight_decay=0.1",
     lambda w: torch.optim.Adam(w, lr=0.01, weight_decay=0.1)),
    ("rmsprop", lambda w: torch.optim.RMSprop(w, lr=0.001, alpha=0.9, eps=1e-8)),
    ("rmsprop learning_rate=0.01 weight_decay=0.1",
     lambda w: torch.optim.RMSprop(w, lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.1)),
]
# What the table says fnn is NOT, so that the test would notice if it became so.
NOT_EQUAL = [
    ("adam learning_rate=0.01 weight_decay=0.1",
     lambda w: torch.optim.AdamW(w, lr=0.01, weight_decay=0.1)),
    ("rmsprop", lambda w: torch.optim.RMSprop(w, lr=0.001)),  # PyTorch's alpha 0.99
]


def torch_steps(make):
    weights = start.clone().requires_grad_(True)
    optimizer = make([weights])
    for gradient in gradients:
        weights.grad = gradient.clone()
        optimizer.step()
    return weights.detach()


def requests():
    text = []
    for spec, output, inputs, targets, _ in LOSSES:
        name, *options = spec.split()
        text.append(f"loss {name} {output} {ROWS} {COLS} {' '.join(options)}")
        text += [matrix_text(inputs), matrix_text(targets)]
    for spec, _ in OPTIMIZERS + NOT_EQUAL:
        name, *options = spec.split()
        text.append(f"optimizer {name} {COUNT} {STEPS} {' '.join(options)}")
        text += [matrix_text(start.unsqueeze(0)), matrix_text(gradients)]
    return "\n".join(text) + "\n"


def relative_difference(ours, theirs):
    ours = torch.tensor(ours, dtype=torch.float64)
    theirs = theirs.double().reshape(-1)
    return float((ours - theirs).abs().max() / theirs.abs().max().clamp(min=1e-30))


def main():
    run = subprocess.run([sys.argv[1]], input=requests(), capture_output=True, text=True,
                         check=False)
    if run.returncode != 0:
        print(f"torch_equivalents: FAILED: peer_values exited {run.returncode}: {run.stderr}",
              file=sys.stderr)
        return 1
    lines = [[float(word) for word in line.split()] for line in run.stdout.splitlines()]
    failed = 0
    for (spec, output, inputs, targets, expression), ours in zip(LOSSES, lines):
        difference = relative_difference(ours, expression(inputs, targets).detach())
        ok = difference <= TOLERANCE
        failed += not ok
        print(f"{'ok    ' if ok else 'FAILED'} loss {spec:<22} after {output:<9} fnn {ours[0]:.9g}"
              f"  relative difference {difference:.1e}")
    optimizer_lines = lines[len(LOSSES):]
    for (spec, make), ours in zip(OPTIMIZERS, optimizer_lines):
        difference = relative_difference(ours, torch_steps(make))
        ok = difference <= TOLERANCE
        failed += not ok
        print(f"{'ok    ' if ok else 'FAILED'} optimizer {spec:<50} relative difference "
              f"{difference:.1e}")
    for (spec, make), ours in zip(NOT_EQUAL, optimizer_lines[len(OPTIMIZERS):]):
        difference = relative_difference(ours, torch_steps(make))
        ok = difference > 100 * TOLERANCE
        failed += not ok
        print(f"{'ok    ' if ok else 'FAILED'} optimizer {spec:<50} differs from the PyTorch "
              f"form the table rules out by {difference:.1e}")
    if len(lines) != len(LOSSES) + len(OPTIMIZERS) + len(NOT_EQUAL):
        print(f"torch_equivalents: FAILED: {len(lines)} answers", file=sys.stderr)
        return 1
    print(f"torch_equivalents: {failed} of {len(lines)} comparisons failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
