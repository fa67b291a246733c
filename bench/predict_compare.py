#!/usr/bin/python3
"""Prediction latency, fnn against PyTorch, on the demo network (784-256-128-10, sigmoid):

  /usr/bin/python3 bench/predict_compare.py [--rounds 5] [--repeats 2000] [--seconds 3] [--threads 1,2]
                                            [--rows 1,256] [--build build/release]

Each round runs, for each thread count T, fnn_bench_predict_latency on T threads, then
bench/torch_predict.py on T threads (OPENBLAS_NUM_THREADS=T, torch.set_num_threads(T)): each a
process of its own, fnn and torch alternating so that a change in the machine's load hits both.
A run reports the median of its timed calls; per framework, thread count and row count the
figure is the median over the rounds, and each framework's best thread count is compared.
Ends with one line per row count:
  RESULT rows=1 fnn_us=... fnn_threads=... torch_us=... torch_threads=... ratio=... target=0.5
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {1: 0.5, 256: 0.7}  # issue #16: fnn / PyTorch latency


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(command, threads):
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    output = subprocess.run(command, env=environment, check=True, capture_output=True,
                            text=True).stdout
    results = {}
    for line in output.splitlines():
        if line.startswith("PREDICT "):
            fields = dict(item.split("=", 1) for item in line.split()[1:])
            results[int(fields["rows"])] = float(fields["median_us"])
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="per run and row count, stop timing after this long (>= 50 calls)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rows", default="1,256")
    parser.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build", "release"))
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    row_counts = [int(r) for r in args.rows.split(",")]
    fnn = os.path.join(args.build, "bin", "fnn_bench_predict_latency")
    common = ["--rows", args.rows, "--repeats", str(args.repeats), "--seconds", str(args.seconds)]

    print(f"load average at start: {load_average()}", flush=True)
    medians = {}  # (framework, threads, rows) -> [median per round]
    for round_number in range(1, args.rounds + 1):
        for threads in thread_counts:
            for framework, command in (
                    ("fnn", [fnn, "--threads", str(threads)] + common),
                    ("torch", [sys.executable, os.path.join(HERE, "torch_predict.py"),
                               "--threads", str(threads)] + common)):
                for rows, micros in run(command, threads).items():
                    medians.setdefault((framework, threads, rows), []).append(micros)
                    print(f"round {round_number} {framework:5} threads={threads} rows={rows:4} "
                          f"median {micros:9.2f} us  (load {load_average()})", flush=True)
    print(f"load average at end: {load_average()}")

    print("\nmedian over rounds, µs per predict call:")
    summary = {}
    for (framework, threads, rows), values in sorted(medians.items()):
        summary[(framework, threads, rows)] = statistics.median(values)
        print(f"  {framework:5} threads={threads} rows={rows:4}  {summary[(framework, threads, rows)]:9.2f}"
              f"  (rounds: {', '.join(f'{v:.1f}' for v in values)})")
    for rows in row_counts:
        best = {}
        for framework in ("fnn", "torch"):
            threads = min(thread_counts, key=lambda t: summary[(framework, t, rows)])
            best[framework] = (summary[(framework, threads, rows)], threads)
        ratio = best["fnn"][0] / best["torch"][0]
        target = TARGETS.get(rows)
        print(f"RESULT rows={rows} fnn_us={best['fnn'][0]:.2f} fnn_threads={best['fnn'][1]} "
              f"torch_us={best['torch'][0]:.2f} torch_threads={best['torch'][1]} "
              f"ratio={ratio:.3f}" + (f" target={target}" if target else ""))


if __name__ == "__main__":
    main()
