#!/usr/bin/python3
"""PyTorch peer of `fnn train` for bench/compare.sh: the same 784-256-128-10 network, data,
scaling, initialisation, loss definition and optimizer as fnn, trained with a plain tensor loop.

  /usr/bin/python3 bench/torch_mlp.py --config A --threads 2 [--epochs 5] [--seed 1]
                                      [--data /usr/share/datasets/fashion-mnist]

Config A: sigmoid hidden and output, loss 1/(2m)·Σ‖ŷ−y‖² (fnn's mse, not nn.MSELoss's mean over
          all m·10 elements), SGD lr 0.5, batch 64.
Config B: relu hidden, softmax output + cross-entropy (CrossEntropyLoss on the logits, mean over
          the batch, = fnn's cross_entropy fused with softmax), SGD momentum 0.9 (v = μv + g,
          w -= lr·v, as fnn's sgd), lr 0.05, batch 128.
Inputs: fnn's `--scale minmax`, fitted per pixel on the training images and applied to both sets
in float32 exactly as fnn::Scaler does ((x − min) · float(1/(max − min)); a constant pixel gets
factor 1). Weights xavier_uniform_ (= fnn's glorot_uniform), biases zero. Every epoch draws a new
permutation; each batch indexes the pre-loaded float tensor with it.

It prints one line per epoch and a last JSON line:
  TORCH {"config": "A", "threads": 2, "epoch_seconds": [...], "test_accuracy": 0.84, ...}
Must be run by /usr/bin/python3 (Debian's python3-torch); installs python3-torch and
python3-numpy with apt-get when they are missing.
"""
import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def ensure_packages():
    """Debian's torch and numpy, installed if missing (needs root or sudo)."""
    subprocess.run([os.path.join(HERE, "ensure-packages.sh"), "python3-torch", "python3-numpy"],
                   check=True)


try:
    import numpy as np
    import torch
except ImportError:
    if os.environ.get("FNN_BENCH_REEXEC"):
        raise
    ensure_packages()
    os.environ["FNN_BENCH_REEXEC"] = "1"
    os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)

CONFIGS = {
    "A": dict(hidden="sigmoid", output="sigmoid", loss="mse", lr=0.5, momentum=0.0, batch=64),
    "B": dict(hidden="relu", output="softmax", loss="cross_entropy", lr=0.05, momentum=0.9,
              batch=128),
}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    return array.reshape(shape[0], -1) if dims > 1 else array


def minmax_fit(x):
    """fnn::Scaler's min_max fit: statistics in double, offset and factor stored as float32."""
    low = x.min(axis=0).astype(np.float64)
    high = x.max(axis=0).astype(np.float64)
    constant = low == high
    factor = np.where(constant, 1.0, 1.0 / np.where(constant, 1.0, high - low))
    return low.astype(np.float32), factor.astype(np.float32)


def load(data_dir):
    def images(name):
        return read_idx(os.path.join(data_dir, name)).astype(np.float32)  # a writable copy

    x_train = images("train-images-idx3-ubyte.gz")
    x_test = images("t10k-images-idx3-ubyte.gz")
    y_train = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    y_test = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    offset, factor = minmax_fit(x_train)
    for x in (x_train, x_test):  # in place (no copies to inflate the peak RSS), float32 as fnn
        x -= offset
        x *= factor
    return (torch.from_numpy(np.ascontiguousarray(x_train)), torch.from_numpy(y_train),
            torch.from_numpy(np.ascontiguousarray(x_test)), torch.from_numpy(y_test))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    config = CONFIGS[args.config]

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)

    x_train, y_train, x_test, y_test = load(args.data)
    t_train = torch.nn.functional.one_hot(y_train, 10).float()  # mse targets (config A)
    samples = x_train.shape[0]

    hidden = torch.nn.Sigmoid if config["hidden"] == "sigmoid" else torch.nn.ReLU
    layers = [torch.nn.Linear(784, 256), hidden(), torch.nn.Linear(256, 128), hidden(),
              torch.nn.Linear(128, 10)]
    if config["output"] == "sigmoid":
        layers.append(torch.nn.Sigmoid())
    # softmax output: the model yields logits and CrossEntropyLoss applies log-softmax, the same
    # function and gradient (p − y)/m as fnn's softmax + cross_entropy.
    model = torch.nn.Sequential(*layers)
    for module in model:
        if isinstance(module, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(module.weight)
            torch.nn.init.zeros_(module.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"], momentum=config["momentum"])
    cross_entropy = torch.nn.CrossEntropyLoss()  # mean over the batch rows
    batch = config["batch"]

    epoch_seconds, losses = [], []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        loss_sum = 0.0
        order = torch.randperm(samples)
        for first in range(0, samples, batch):
            index = order[first:first + batch]
            x = x_train[index]
            out = model(x)
            if config["loss"] == "mse":
                # fnn's mse: 1/(2m) Σ‖ŷ − y‖², m = rows of the batch
                loss = 0.5 * ((out - t_train[index]) ** 2).sum() / x.shape[0]
            else:
                loss = cross_entropy(out, y_train[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * x.shape[0]  # fnn too reads the loss back every batch
        seconds = time.perf_counter() - start
        epoch_seconds.append(seconds)
        losses.append(loss_sum / samples)
        print(f"epoch {epoch}/{args.epochs}  loss {losses[-1]:.6f}  {seconds:.3f} s  "
              f"{samples / seconds:.0f} samples/s", flush=True)

    with torch.no_grad():
        correct = (model(x_test).argmax(dim=1) == y_test).sum().item()
    result = {
        "config": args.config,
        "threads": args.threads,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "epochs": args.epochs,
        "epoch_seconds": epoch_seconds,
        "train_loss": losses,
        "test_accuracy": correct / x_test.shape[0],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "torch": torch.__version__,
    }
    print("TORCH " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
