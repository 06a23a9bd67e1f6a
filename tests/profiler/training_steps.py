"""What the tests' training scripts (train_mlp.py, train_block.py) share: starting the local gloo
processes, the two collectives of a Megatron-LM split, and timing steps.

Each timed step starts after a barrier; a step's time is the slowest process's (an all-reduce of
the times with MAX); the median of the timed steps after the untimed warm-up ones is written.
"""

import datetime
import gc
import json
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "profiler"))
import local_launch  # noqa: E402


def fail(script, message):
    print("%s: %s" % (os.path.basename(script), message), file=sys.stderr)
    sys.exit(2)


def add_run_arguments(parser, output_required=True):
    parser.add_argument("--output", required=output_required, help="JSON file with the median step time")
    parser.add_argument("--processes", type=int, default=0, help="start this many local processes (gloo)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="with --processes: stop them all after this many seconds (exit 124)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads per process (as profiled)")


def launch_if_asked(script, args):
    """With --processes N: runs this script as N processes and exits with their status."""
    if not args.processes:
        return
    if args.processes < 1:
        fail(script, "--processes must be >= 1")
    argv = sys.argv[1:]
    rest = [a for i, a in enumerate(argv) if a != "--processes" and (i == 0 or argv[i - 1] != "--processes")
            and not a.startswith("--processes=")]
    sys.exit(local_launch.launch(script, rest, args.processes, timeout_s=args.timeout))


def start(script, args):
    """In one process of the job: threads, the process group; returns (world, rank)."""
    if args.steps < 1 or args.threads < 1 or args.warmup < 0:
        fail(script, "--steps and --threads must be >= 1, --warmup >= 0")
    torch.set_num_threads(args.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    torch.manual_seed(rank)
    return world, rank


class AllReduceForward(torch.autograd.Function):
    """Sums the partial outputs of a row-split layer; the gradient passes through."""

    @staticmethod
    def forward(ctx, x):
        x = x.clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad


class AllReduceBackward(torch.autograd.Function):
    """The input of a column-split layer: the same forward, the input gradients summed backward."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad


def time_steps(step, world, warmup, steps):
    """Runs step() warmup + steps times; returns the timed steps' seconds (the slowest process's)."""
    times = []
    for i in range(warmup + steps):
        if world > 1:
            dist.barrier()
        begin = time.perf_counter()
        step()
        elapsed = torch.tensor([time.perf_counter() - begin], dtype=torch.float64)
        if world > 1:
            dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)
        if i >= warmup:
            times.append(elapsed.item())
    return times


def finish(rank, world, output, times, doc):
    """Rank 0 writes doc with the times' median, min and max (atomically); all leave the group.
    Call it once the model is gone: a DistributedDataParallel model freed after its process group
    is destroyed hung now and then in its reducer's destructor (gloo, torch 1.13)."""
    gc.collect()
    if rank == 0:
        doc = dict(doc, processes=world, threads_per_process=torch.get_num_threads(),
                   median_s=statistics.median(times), min_s=min(times), max_s=max(times),
                   torch=torch.__version__)
        tmp = output + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, output)
    if world > 1:
        dist.destroy_process_group()
