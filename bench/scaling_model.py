#!/usr/bin/python3
"""Distributed training on paper: epoch time and efficiency of fnn train on 1-64 machines.

Inputs are measured (bench/mpi_epochs.sh, bench/mpi_exchange.cpp) or stated:
  --sample-seconds  compute per sample on one machine of 2 cores (an epoch's training seconds
                    over its rows, from mpi_epochs.sh's threads_s at a large batch)
  --parameters      floats exchanged per step (the gradient); --rows per epoch
  --latency-us      alpha, one message's start-up on the network (stated, not measured here)
  --add-gbs         the tree's adding speed in GB/s of gradient (from mpi_exchange's step cost
                    minus its exchange cost)
Each machine runs one rank of 2 threads; a batch of B rows is cut into N shards, one per rank.

Two exchanges are modelled, both keeping the fixed tree (bit-identical for every N):
  allgather       what fnn_comm_mpi.so does: every rank receives every other rank's partial
                  sums, (N-1) * (alpha + P*beta) on a ring, then adds N-1 of them
  reduce-scatter  the bandwidth-optimal variant (not built): every rank receives the N-1 others'
                  parts of its 1/N of the parameters, adds them in tree order, then all gather
                  the sums: 2 (N-1) alpha + 2 (N-1)/N P beta, adding (N-1)/N P
Efficiency = one machine's step time / (N x the N-machine step time), so 1.0 is perfect scaling.
"""
import argparse


def step_seconds(machines, batch, args, bytes_per_second, exchange):
    compute = batch * args.sample_seconds / machines
    if machines == 1:
        return compute
    alpha = args.latency_us * 1e-6
    gradient = 4.0 * args.parameters
    add = gradient / (args.add_gbs * 1e9)
    n = machines
    if exchange == "allgather":
        return compute + (n - 1) * (alpha + gradient / bytes_per_second) + (n - 1) * add
    return compute + 2 * (n - 1) * alpha + 2 * (n - 1) / n * gradient / bytes_per_second + (
        n - 1) / n * add


def efficiency(machines, batch, args, bytes_per_second, exchange):
    one = step_seconds(1, batch, args, bytes_per_second, exchange)
    return one / (machines * step_seconds(machines, batch, args, bytes_per_second, exchange))


def batch_for(target, machines, args, bytes_per_second, exchange):
    """The smallest power-of-two global batch at which scaling stays at `target` or above."""
    batch = 1
    while batch <= 1 << 24:
        if efficiency(machines, batch, args, bytes_per_second, exchange) >= target:
            return batch
        batch *= 2
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample-seconds", type=float, required=True)
    parser.add_argument("--parameters", type=int, default=235146)
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--latency-us", type=float, default=20.0)
    parser.add_argument("--add-gbs", type=float, default=10.0)
    parser.add_argument("--batches", default="512,2048")
    parser.add_argument("--links", default="10,100", help="link speeds in Gbit/s")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    print(f"compute {args.sample_seconds * 1e6:.2f} us/sample per 2-core machine, "
          f"{args.parameters} parameters ({4 * args.parameters / 1e6:.2f} MB), {args.rows} rows, "
          f"alpha {args.latency_us} us, adding {args.add_gbs} GB/s")
    for link in (float(x) for x in args.links.split(",")):
        bytes_per_second = link * 1e9 / 8
        for exchange in ("allgather", "reduce-scatter"):
            print(f"\n{link:g} Gbit/s, {exchange}")
            header = "machines " + "".join(f"  {'epoch_s@' + str(b):>12} {'eff@' + str(b):>9}"
                                          for b in batches)
            print(header + "  batch_for_80%")
            for machines in (1, 2, 4, 8, 16, 32, 64):
                line = f"{machines:8d} "
                for b in batches:
                    epoch = args.rows / b * step_seconds(machines, b, args, bytes_per_second,
                                                         exchange)
                    eff = efficiency(machines, b, args, bytes_per_second, exchange)
                    line += f"  {epoch:12.3f} {eff:9.2f}"
                needed = batch_for(0.8, machines, args, bytes_per_second, exchange)
                line += f"  {needed if needed else '>16M':>13}"
                print(line)


if __name__ == "__main__":
    main()
