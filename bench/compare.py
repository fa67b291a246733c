#!/usr/bin/python3
"""End-to-end comparison of fnn with PyTorch (and FANN for config A) on Fashion-MNIST.

Run through bench/compare.sh, which installs the peers' Debian packages and builds fnn first.
Every run is a separate process; runs alternate (fnn, torch, fnn, torch, ...) so that a change
in machine load hits every framework alike. For each framework and thread count the per-epoch
time is the median of that run's epochs (no epoch excluded), and the figure reported is the
median over runs; peak RSS is the largest maximum resident set size of the runs (GNU time's %M:
the whole process, data, framework and interpreter).

  A: 784-256-128-10, sigmoid hidden and output, mse 1/(2m)·Σ‖ŷ−y‖², sgd lr 0.5, batch 64
  B: 784-256-128-10, relu hidden, softmax output + cross_entropy, sgd momentum 0.9 lr 0.05,
     batch 128
Both: inputs min-max scaled per pixel (fitted on the training set), Glorot-uniform weights and
zero biases, a fresh shuffle every epoch, no validation split, test accuracy on the 10k test set
after --epochs epochs.
"""
import argparse
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CONFIGS = {
    "A": dict(batch=64, describe="sigmoid/mse, sgd lr 0.5, batch 64",
              fnn=["--activation", "sigmoid", "--loss", "mse", "--optimizer", "sgd",
                   "--learning-rate", "0.5", "--batch-size", "64"]),
    "B": dict(batch=128, describe="relu/softmax+cross_entropy, sgd momentum 0.9 lr 0.05, batch 128",
              fnn=["--activation", "relu", "--output-activation", "softmax",
                   "--loss", "cross_entropy", "--optimizer", "sgd:momentum=0.9",
                   "--learning-rate", "0.05", "--batch-size", "128"]),
}
FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def parse_args():
    p = argparse.ArgumentParser(
        prog="bench/compare.sh",
        description="fnn vs PyTorch (and FANN) on Fashion-MNIST: per-epoch time, samples/s, "
                    "test accuracy, peak RSS, the sgemm-only bound; RESULT lines at the end.",
        epilog="bench/compare.sh also takes --no-build (skip building fnn and the bound); "
               "FNN_BUILD_DIR picks the build tree, FNN_BENCH_ARGS adds arguments.")
    p.add_argument("--runs", type=int, default=3,
                   help="alternating runs of each framework and setting (default 3)")
    p.add_argument("--threads", type=int, default=2,
                   help="the thread budget T (default 2): fnn --threads T (and 1, for the speedup); "
                        "torch the --torch-threads settings")
    p.add_argument("--epochs", type=int, default=5,
                   help="epochs per fnn/torch run; accuracy is after these (default 5)")
    p.add_argument("--configs", default="A,B", help="which configs, e.g. A or A,B (default A,B)")
    p.add_argument("--samples", type=int, default=0,
                   help="use only the first N training samples (a quick check; default all)")
    p.add_argument("--torch-threads", default="",
                   help="torch settings to try, the best is reported: T (T threads) or T/B "
                        "(T intra-op threads, B OpenBLAS threads); default 1,...,T,1/T")
    p.add_argument("--fann-runs", type=int, default=1,
                   help="FANN runs for config A, in the first rounds (default 1; 0: no FANN)")
    p.add_argument("--fann-epochs", type=int, default=1,
                   help="epochs per FANN run (default 1: about 15 s each on 2 cores)")
    p.add_argument("--no-single-thread", action="store_true",
                   help="skip fnn's 1-thread runs (the 1→T speedup)")
    p.add_argument("--bound-repeats", type=int, default=5,
                   help="epochs of sgemm per bound measurement, median (default 5)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--build-dir", default=os.environ.get("FNN_BUILD_DIR",
                                                         os.path.join(ROOT, "build/release")))
    p.add_argument("--log-dir", default="",
                   help="where each run's output goes (default BUILD_DIR/bench-compare/TIME)")
    args = p.parse_args()
    args.configs = [c.strip().upper() for c in args.configs.split(",") if c.strip()]
    for c in args.configs:
        if c not in CONFIGS:
            p.error(f"unknown config {c!r}, expected A or B")
    if args.runs < 1 or args.threads < 1 or args.epochs < 1:
        p.error("--runs, --threads and --epochs must be at least 1")
    # A torch setting is "t" (t intra-op threads, OpenBLAS t threads) or "t/b" (t intra-op, b
    # OpenBLAS): Debian's torch runs its GEMMs in OpenBLAS's own thread pool.
    if not args.torch_threads:
        args.torch_threads = ",".join([str(t) for t in range(1, args.threads + 1)] +
                                      ([f"1/{args.threads}"] if args.threads > 1 else []))
    settings = []
    for text in args.torch_threads.split(","):
        match = re.fullmatch(r"\s*(\d+)(?:/(\d+))?\s*", text)
        if not match or int(match.group(1)) < 1 or (match.group(2) and int(match.group(2)) < 1):
            p.error(f"--torch-threads: {text!r} is not T or T/B (positive thread counts)")
        intra = int(match.group(1))
        blas = int(match.group(2) or intra)
        settings.append(str(intra) if blas == intra else f"{intra}/{blas}")
    args.torch_threads = settings
    return args


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        return f.read()


def subset(args, data_dir):
    """The first --samples training samples as IDX files of their own (the test set stays)."""
    os.makedirs(data_dir, exist_ok=True)
    for name in FILES:
        source = os.path.join(args.data, name)
        target = os.path.join(data_dir, name)
        if name.startswith("t10k"):
            if not os.path.exists(target):
                os.symlink(source, target)
            continue
        data = read_idx_gz(source)
        dims = data[3]
        shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
        n = min(args.samples, shape[0])
        row = 1
        for d in shape[1:]:
            row *= d
        header = bytearray(data[:4 + 4 * dims])
        header[4:8] = n.to_bytes(4, "big")
        with gzip.open(target, "wb", compresslevel=1) as f:
            f.write(bytes(header) + data[4 + 4 * dims:4 + 4 * dims + n * row])
    return data_dir


def cpu_ticks():
    """The machine's CPU time so far (/proc/stat): (all ticks, ticks stolen by the hypervisor).

    Steal is time this VM's vCPUs were ready to run but the host ran something else: on a shared
    VM it is the noise that no amount of quiet inside the VM removes, so each run reports it.
    """
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]  # user .. steal (guest is in user)
    return sum(fields), fields[7]


def run(command, log_path, threads, blas_threads=None):
    """Runs one benchmark process; returns (output, wall seconds, peak RSS in MB, steal %).

    The peak RSS comes from GNU time (%M, the command's ru_maxrss), not from this script's own
    wait4: Linux carries a process's high-water mark across fork and exec, so a child of this
    Python process would report at least this process's RSS.
    """
    env = dict(os.environ)
    # The thread budget for every library that spawns threads: OpenMP (torch's intra-op pool),
    # OpenBLAS (torch's BLAS on Debian is OpenBLAS through libblas.so.3 and does not follow
    # torch.set_num_threads), and fnn's trainer, which sets OpenBLAS's count itself.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    if blas_threads:
        env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    env.pop("FNN_THREADS", None)
    rss_path = log_path + ".rss"
    start = time.perf_counter()
    ticks_start, stolen_start = cpu_ticks()
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        status = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", rss_path, *command],
                                 stdout=log, stderr=subprocess.STDOUT, env=env)
    wall = time.perf_counter() - start
    ticks_end, stolen_end = cpu_ticks()
    steal = 100.0 * (stolen_end - stolen_start) / max(1, ticks_end - ticks_start)
    with open(log_path) as log:
        output = log.read()
    if status != 0:
        sys.exit(f"compare: {' '.join(command)} failed with status {status}; "
                 f"its output is in {log_path}:\n{output[-2000:]}")
    with open(rss_path) as f:
        kilobytes = int(f.read().split()[-1])
    return output, wall, kilobytes / 1024.0, steal


def json_line(output, tag):
    for line in output.splitlines():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
    raise SystemExit(f"compare: no '{tag} ...' line in the output:\n{output[-2000:]}")


def field_lines(output, tag):
    """The key=value fields of every 'TAG key=value ...' line (the C++ tools' output), in order;
    exits when there is none."""
    lines = [dict(item.split("=", 1) for item in line.split()[1:])
             for line in output.splitlines() if line.startswith(tag + " ")]
    if not lines:
        raise SystemExit(f"compare: no '{tag} ...' line in the output:\n{output[-2000:]}")
    return lines


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.join(args.build_dir, "bin")
        self.log_dir = args.log_dir or os.path.join(args.build_dir, "bench-compare",
                                                    time.strftime("%Y%m%d-%H%M%S"))
        os.makedirs(self.log_dir, exist_ok=True)
        self.data = (subset(args, os.path.join(self.log_dir, f"data-{args.samples}"))
                     if args.samples else args.data)
        self.samples = None
        self.blas = ""
        self.results = {}  # (config, framework, threads) -> list of run dicts
        self.count = 0

    def log_path(self, name):
        self.count += 1
        return os.path.join(self.log_dir, f"{self.count:03d}-{name}.log")

    def record(self, key, result):
        self.results.setdefault(key, []).append(result)
        config, framework, threads = key
        print(f"  {config} {framework:<6} {threads} thr: epoch {result['epoch_s']:.3f} s "
              f"(median of {len(result['epochs'])}), acc {result['acc']:.4f}, "
              f"rss {result['rss']:.0f} MB, process {result['wall']:.1f} s, "
              f"steal {result['steal']:.0f}%", flush=True)

    def fnn(self, config, threads):
        a = self.args
        metrics = os.path.join(self.log_dir, f"metrics-{self.count + 1:03d}.jsonl")
        d = self.data
        command = [os.path.join(self.bin, "fnn"), "train",
                   "--train", os.path.join(d, FILES[0]), "--train-labels", os.path.join(d, FILES[1]),
                   "--test", os.path.join(d, FILES[2]), "--test-labels", os.path.join(d, FILES[3]),
                   "--scale", "minmax", "--hidden", "256,128", *CONFIGS[config]["fnn"],
                   "--epochs", str(a.epochs), "--seed", str(a.seed), "--threads", str(threads),
                   "--metrics", metrics, "--progress", "plain"]
        output, wall, rss, steal = run(command, self.log_path(f"fnn-{config}-{threads}t"), threads)
        with open(metrics) as f:
            epochs = [json.loads(line)["seconds"] for line in f if line.strip()]
        accuracy = re.search(r"^test: .*accuracy ([0-9.]+)", output, re.M)
        samples = re.search(r"^training on (\d+) samples", output, re.M)
        if not accuracy or not samples:
            sys.exit(f"compare: cannot read fnn's output:\n{output[-2000:]}")
        self.samples = int(samples.group(1))
        self.record((config, "fnn", threads),
                    dict(epochs=epochs, epoch_s=statistics.median(epochs),
                         acc=float(accuracy.group(1)), rss=rss, wall=wall, steal=steal))

    def torch(self, config, setting):
        threads, _, blas = setting.partition("/")
        a = self.args
        command = ["/usr/bin/python3", os.path.join(HERE, "torch_mlp.py"), "--config", config,
                   "--threads", str(threads), "--epochs", str(a.epochs), "--seed", str(a.seed),
                   "--data", self.data]
        output, wall, rss, steal = run(command, self.log_path(f"torch-{config}-{setting.replace('/', 'b')}t"),
                                int(threads), int(blas) if blas else None)
        r = json_line(output, "TORCH")
        self.record((config, "torch", setting),
                    dict(epochs=r["epoch_seconds"], epoch_s=statistics.median(r["epoch_seconds"]),
                         acc=r["test_accuracy"], rss=rss, wall=wall, steal=steal))

    def fann(self):
        a = self.args
        command = [os.path.join(HERE, "fann.sh"), "--epochs", str(a.fann_epochs),
                   "--seed", str(a.seed), "--data", self.data]
        output, wall, rss, steal = run(command, self.log_path("fann-A-1t"), 1)
        r = json_line(output, "FANN")
        self.record(("A", "fann", 1),
                    dict(epochs=r["epoch_seconds"], epoch_s=statistics.median(r["epoch_seconds"]),
                         acc=r["test_accuracy"], rss=rss, wall=wall, steal=steal))

    def bound(self, config, threads):
        command = self.bound_command(config, threads, self.args.bound_repeats)
        output, wall, rss, steal = run(command, self.log_path(f"bound-{config}-{threads}t"), threads)
        fields = field_lines(output, "BOUND")[0]
        self.blas = next((l.strip() for l in output.splitlines()
                          if l.strip().startswith("OpenBLAS ")), "")
        self.results.setdefault((config, "bound", threads), []).append(float(fields["seconds"]))
        print(f"  {config} bound  {threads} thr: {float(fields['seconds']):.3f} s "
              f"({fields['gflops']} GFLOP/s)", flush=True)

    def bound_command(self, config, threads, repeats):
        return [os.path.join(self.bin, "fnn_bench_sgemm_bound"),
                "--batch", str(CONFIGS[config]["batch"]), "--threads", str(threads),
                "--samples", str(self.samples or 60000), "--repeats", str(repeats)]

    def core_latency(self, config, threads):
        """The round trip of a cache line between two of the CPUs, just before and just after
        fnn's T-thread run: on this VM it reads about 100 ns when the host has put the vCPUs on
        cores that share a cache and about 500 ns when not, and fnn's threads, which hand
        matrices to each other every batch, run a third slower in the second case
        (docs/performance.md). The placement can change during a run, hence both ends."""
        if threads < 2 or len(os.sched_getaffinity(0)) < 2:
            return
        command = [os.path.join(self.bin, "fnn_bench_core_latency")]
        output, _, _, _ = run(command, self.log_path(f"cores-{config}"), 2)
        nanoseconds = float(field_lines(output, "CORE_LATENCY")[0]["round_trip_ns"])
        self.results.setdefault((config, "core_latency", threads), []).append(nanoseconds)
        print(f"  {config} cores: a cache line's round trip between two CPUs takes "
              f"{nanoseconds:.0f} ns", flush=True)

    def machine_speedup(self, config, threads):
        """What the machine itself gives T threads at this moment: one single-threaded sgemm
        bound on one CPU, then T of them at once, one per CPU; their total throughput over the
        lone one's. No T-thread program can speed up more than this in the same minute, and
        on this VM it moves: in busy hours the host gives two processes 1.1-1.4x the work of
        one (docs/performance.md)."""
        cpus = sorted(os.sched_getaffinity(0))[:threads]
        if len(cpus) < threads:
            return
        command = self.bound_command(config, 1, self.args.bound_repeats)

        def start_on(cpu, log):
            env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
            return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))

        def run_at_once(group):
            path = self.log_path(f"machine-{config}-{len(group)}x1t")
            with open(path, "w") as log:
                processes = [start_on(cpu, log) for cpu in group]
                statuses = [p.wait() for p in processes]
            with open(path) as log:
                output = log.read()
            if any(statuses):
                sys.exit(f"compare: {' '.join(command)} failed; its output is in {path}")
            return [float(fields["seconds"]) for fields in field_lines(output, "BOUND")]

        alone = run_at_once(cpus[:1])[0]
        together = run_at_once(cpus)
        speedup = sum(alone / t for t in together)
        self.results.setdefault((config, "machine", threads), []).append(speedup)
        print(f"  {config} machine: {threads} one-thread sgemm bounds at once, one per CPU, do "
              f"{speedup:.2f}x the work of one alone ({alone:.3f} s; together "
              f"{' '.join(f'{t:.3f}' for t in together)} s)", flush=True)

    def median(self, key, field="epoch_s"):
        runs = self.results.get(key)
        if not runs:
            return None
        return statistics.median(r[field] for r in runs)

    def paired(self, config, threads):
        """The targets' ratios taken within each round, whose runs are seconds apart.

        The VM's speed drifts over minutes (the sgemm-only bound alone has moved 2x between
        rounds), so a ratio of two medians can pair a quiet run with a slow one; the median of
        per-round ratios cancels what a round's runs share. Reported beside the medians' ratios.
        """
        def per_round(key):
            return [r["epoch_s"] if isinstance(r, dict) else r for r in self.results.get(key, [])]
        fnn = per_round((config, "fnn", threads))
        torch = [per_round((config, "torch", t)) for t in self.args.torch_threads]
        torch_best = [min(round_) for round_ in zip(*torch)] if torch else []
        bound = per_round((config, "bound", threads))
        single = per_round((config, "fnn", 1)) if threads > 1 else []
        speedup = [one / f for one, f in zip(single, fnn)]
        machine = per_round((config, "machine", threads))
        return dict(ratio=[f / t for f, t in zip(fnn, torch_best)],
                    bound_ratio=[f / b for f, b in zip(fnn, bound)],
                    fnn_speedup=speedup,
                    fnn_speedup_of_machine=[s / m for s, m in zip(speedup, machine)])

    def peak(self, key):
        runs = self.results.get(key)
        return max(r["rss"] for r in runs) if runs else None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def versions(bin_dir):
    fnn = subprocess.run([os.path.join(bin_dir, "fnn"), "--version"], capture_output=True,
                         text=True).stdout.strip()
    torch = subprocess.run(["/usr/bin/python3", "-c", "import torch; print(torch.__version__)"],
                           capture_output=True, text=True).stdout.strip()
    return f"{fnn}; torch {torch}"


def torch_label(setting):
    intra, _, blas = setting.partition("/")
    label = f"{intra} thread{'s' if intra != '1' else ''}"
    return label + (f", BLAS {blas}" if blas else "")


def fmt(value, spec):
    if value is not None:
        return format(value, spec)
    width = re.match(r"\d*", spec).group(0)
    return format("-", ">" + width)


def main():
    args = parse_args()
    bench = Bench(args)
    T = args.threads
    started = time.perf_counter()
    load_start = os.getloadavg()
    print(f"fnn vs PyTorch{' and FANN' if 'A' in args.configs and args.fann_runs else ''}: "
          f"configs {','.join(args.configs)}, thread budget {T}, {args.runs} alternating runs of "
          f"{args.epochs} epochs; logs in {bench.log_dir}", flush=True)
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs "
          f"({len(os.sched_getaffinity(0))} usable), load average {load_start[0]:.2f}", flush=True)

    for round_ in range(1, args.runs + 1):
        print(f"round {round_}/{args.runs}", flush=True)
        for config in args.configs:
            # fnn and torch alternate; fnn's 1-thread run, the bound and FANN go in between.
            torch_threads = list(args.torch_threads)
            single_thread = T > 1 and not args.no_single_thread  # for the 1 -> T speedup
            bench.core_latency(config, T)
            bench.fnn(config, T)
            bench.core_latency(config, T)
            if single_thread:
                bench.machine_speedup(config, T)
            bench.torch(config, torch_threads.pop(0))
            if single_thread:
                bench.fnn(config, 1)
            for setting in torch_threads:
                bench.torch(config, setting)
            bench.bound(config, T)
            if config == "A" and round_ <= args.fann_runs:
                bench.fann()

    samples = bench.samples
    total = time.perf_counter() - started
    load_end = os.getloadavg()
    print()
    print(f"{versions(bench.bin)}; {bench.blas}")
    print(f"Fashion-MNIST, 784-256-128-10, {samples} training samples, 10000 test; per-epoch "
          f"time = median over runs of each run's median epoch ({args.runs} runs x "
          f"{args.epochs} epochs); peak RSS = largest of the runs")
    results = []
    for config in args.configs:
        c = CONFIGS[config]
        fnn_s = bench.median((config, "fnn", T))
        torch_best = min(args.torch_threads, key=lambda t: bench.median((config, "torch", t)))
        torch_s = bench.median((config, "torch", torch_best))
        bound_runs = bench.results.get((config, "bound", T), [])
        bound_s = statistics.median(bound_runs) if bound_runs else None
        print()
        print(f"config {config}: {c['describe']}")
        header = f"  {'':<30}{'epoch s':>9}{'samples/s':>11}{'test acc':>10}{'peak RSS MB':>13}" \
                 f"{'fnn / this':>12}"
        print(header)

        def row(label, seconds, accuracy, rss):
            ratio = fnn_s / seconds if seconds else None
            print(f"  {label:<30}{fmt(seconds, '9.3f')}"
                  f"{fmt(samples / seconds if seconds else None, '11.0f')}"
                  f"{fmt(accuracy, '10.4f')}{fmt(rss, '13.0f')}{fmt(ratio, '12.2f')}")

        row(f"fnn, {T} threads", fnn_s, bench.median((config, "fnn", T), "acc"),
            bench.peak((config, "fnn", T)))
        fnn_1 = bench.median((config, "fnn", 1)) if T > 1 else None
        if fnn_1:
            row("fnn, 1 thread", fnn_1, bench.median((config, "fnn", 1), "acc"),
                bench.peak((config, "fnn", 1)))
        for t in args.torch_threads:
            mark = " (best)" if t == torch_best and len(args.torch_threads) > 1 else ""
            row(f"torch, {torch_label(t)}{mark}", bench.median((config, "torch", t)),
                bench.median((config, "torch", t), "acc"), bench.peak((config, "torch", t)))
        fann_s = fann_acc = None
        if config == "A" and bench.results.get(("A", "fann", 1)):
            fann_s = bench.median(("A", "fann", 1))
            fann_acc = bench.median(("A", "fann", 1), "acc")
            row(f"FANN, incremental, {args.fann_epochs} ep", fann_s, fann_acc,
                bench.peak(("A", "fann", 1)))
        row(f"sgemm-only bound, {T} threads", bound_s, None, None)
        speedup = fnn_1 / fnn_s if fnn_1 else None
        if speedup:
            print(f"  fnn 1 -> {T} thread speedup at batch {c['batch']}: {speedup:.2f}x "
                  f"(issue target >= 1.7x)")
        paired = bench.paired(config, T)
        latency = bench.results.get((config, "core_latency", T))
        if latency:
            print(f"  cache line round trip between two CPUs before/after each {T}-thread fnn "
                  f"run, ns: {' '.join(f'{b:.0f}/{a:.0f}' for b, a in zip(latency[::2], latency[1::2]))}")
        machine = bench.results.get((config, "machine", T))
        if machine:
            print(f"  the machine's own 1 -> {T} speedup ({T} one-thread sgemm bounds at once): "
                  f"{' '.join(f'{x:.2f}' for x in machine)}, median {statistics.median(machine):.2f}")
        for name, label in (("ratio", "fnn / torch's best"), ("bound_ratio", "fnn / bound"),
                            ("fnn_speedup", f"1 -> {T} speedup"),
                            ("fnn_speedup_of_machine", "fnn's speedup / the machine's")):
            if paired[name]:
                print(f"  paired by round, {label}: "
                      f"{' '.join(f'{x:.2f}' for x in paired[name])}, "
                      f"median {statistics.median(paired[name]):.2f}")
        fnn_steal = bench.median((config, "fnn", T), "steal")
        print(f"  CPU steal during fnn's {T}-thread runs: median {fnn_steal:.1f}%, max "
              f"{max(r['steal'] for r in bench.results[(config, 'fnn', T)]):.1f}% (time the host "
              f"gave these vCPUs to others, as far as it tells the guest)")
        result = dict(config=config, fnn_s=fnn_s, torch_s=torch_s, ratio=fnn_s / torch_s,
                      bound_s=bound_s, bound_ratio=fnn_s / bound_s if bound_s else None,
                      fnn_acc=bench.median((config, "fnn", T), "acc"),
                      torch_acc=bench.median((config, "torch", torch_best), "acc"),
                      fnn_rss_mb=bench.peak((config, "fnn", T)),
                      torch_rss_mb=bench.peak((config, "torch", torch_best)),
                      torch_threads=torch_best, fnn_speedup=speedup, fnn_steal_pct=fnn_steal,
                      machine_speedup=statistics.median(machine) if machine else None,
                      core_rtt_ns=statistics.median(latency) if latency else None)
        result.update({name + "_paired": statistics.median(values)
                       for name, values in paired.items() if values})
        if config == "A" and fann_s is not None:
            result.update(fann_s=fann_s, fann_ratio=fnn_s / fann_s, fann_acc=fann_acc)
        results.append(result)

    print()
    print(f"{total / 60:.1f} min in all; load average {load_start[0]:.2f} at the start, "
          f"{load_end[0]:.2f} at the end (above {len(os.sched_getaffinity(0)) * 0.2:.1f} at the "
          f"start: other work shared the cores, the figures are noisy)")
    formats = dict(fnn_s="{:.4f}", torch_s="{:.4f}", ratio="{:.3f}", bound_s="{:.4f}",
                   bound_ratio="{:.3f}", fnn_acc="{:.4f}", torch_acc="{:.4f}",
                   fnn_rss_mb="{:.0f}", torch_rss_mb="{:.0f}", torch_threads="{}",
                   fnn_speedup="{:.3f}", ratio_paired="{:.3f}", bound_ratio_paired="{:.3f}",
                   fnn_speedup_paired="{:.3f}", machine_speedup="{:.3f}",
                   fnn_speedup_of_machine_paired="{:.3f}", core_rtt_ns="{:.0f}",
                   fnn_steal_pct="{:.1f}", fann_s="{:.3f}",
                   fann_ratio="{:.4f}", fann_acc="{:.4f}")
    for result in results:
        fields = [f"config={result['config']}"]
        for key, spec in formats.items():
            if key in result and result[key] is not None:
                fields.append(f"{key}={spec.format(result[key])}")
        print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
