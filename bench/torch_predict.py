#!/usr/bin/python3
"""PyTorch peer of fnn_bench_predict_latency (bench/predict_compare.py runs both): prediction
latency of the demo network, 784-256-128-10 with sigmoid after every linear layer, random
weights, in eval mode under torch.no_grad(). Each row count: N timed calls (or as many as
fit in S seconds, at least 50) after a tenth as many untimed (at most S/3 seconds of them).

  OPENBLAS_NUM_THREADS=T /usr/bin/python3 bench/torch_predict.py --threads T [--rows 1,256]
                                                                 [--repeats N] [--seconds S]

Debian's torch does its matrix products in OpenBLAS, whose own thread pool follows
OPENBLAS_NUM_THREADS, not torch.set_num_threads: give both the same count. One line per row count:
  PREDICT framework=torch threads=T rows=R median_us=... p10_us=... p90_us=...
"""
import argparse
import time

import torch


def percentile(values, fraction):
    values = sorted(values)
    return values[int(fraction * (len(values) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rows", default="1,256")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="stop a row count's timed calls after this long (at least 50 calls)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.Sigmoid(), torch.nn.Linear(256, 128),
        torch.nn.Sigmoid(), torch.nn.Linear(128, 10), torch.nn.Sigmoid()).eval()
    with torch.no_grad():
        for rows in (int(r) for r in args.rows.split(",")):
            x = torch.rand(rows, 784)
            warm_up_end = time.perf_counter() + args.seconds / 3
            for _ in range(args.repeats // 10 + 1):
                model(x)
                if time.perf_counter() > warm_up_end:
                    break
            micros = []
            deadline = time.perf_counter() + args.seconds
            while len(micros) < args.repeats and (len(micros) < 50 or
                                                  time.perf_counter() < deadline):
                start = time.perf_counter()
                model(x)
                micros.append((time.perf_counter() - start) * 1e6)
            print(f"PREDICT framework=torch threads={args.threads} rows={rows} "
                  f"median_us={percentile(micros, 0.5):.2f} p10_us={percentile(micros, 0.1):.2f} "
                  f"p90_us={percentile(micros, 0.9):.2f} repeats={len(micros)}", flush=True)


if __name__ == "__main__":
    main()
