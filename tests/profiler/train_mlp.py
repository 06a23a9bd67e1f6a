#!/usr/bin/env python3
"""Times real training steps of the MLP of tests/profiler/mlp.json with PyTorch, for
`pase check-prediction` (README.md, "Checking predictions").

    python3 train_mlp.py --processes 2 --strategy ddp --output ddp.json
    python3 train_mlp.py --processes 2 --strategy split --output split.json

The step is what pase's model prices: forward, backward and an SGD update in fp32 of
x (batch, d_in) -> FC d_hidden + ReLU -> FC classes -> softmax cross-entropy, without biases. x
requires its gradient, as a block inside a larger network does, so every FC runs its three GEMMs
(forward, input gradient, weight gradient), as pase counts them.

Strategies:
- ddp: DistributedDataParallel, each process a 1/P share of the batch (pase: data_parallel).
- split: the column/row split of the two FCs (Megatron-LM's MLP): every process holds 1/P of
  fc1's output units and of fc2's input units, the whole batch; fc2's partial outputs are
  all-reduced forward, fc1's input gradients backward (pase: fc1 [1,P,1], fc2 [1,1,P]).

Each timed step starts after a barrier; a step's time is the slowest process's (an all-reduce of
the times with MAX); the median of --steps timed steps after --warmup untimed ones is written.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "profiler"))
import local_launch  # noqa: E402


def fail(message):
    print("train_mlp.py: " + message, file=sys.stderr)
    sys.exit(2)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", choices=["ddp", "split"], required=True)
    parser.add_argument("--output", required=True, help="JSON file with the median step time")
    parser.add_argument("--processes", type=int, default=0, help="start this many local processes (gloo)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="with --processes: stop them all after this many seconds (exit 124)")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--d-in", type=int, default=1024)
    parser.add_argument("--d-hidden", type=int, default=2048)
    parser.add_argument("--classes", type=int, default=1024)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads per process (as profiled)")
    args = parser.parse_args()
    if args.processes:
        if args.processes < 1:
            fail("--processes must be >= 1")
        rest = [a for i, a in enumerate(sys.argv[1:]) if a != "--processes" and sys.argv[i] != "--processes"
                and not a.startswith("--processes=")]
        sys.exit(local_launch.launch(__file__, rest, args.processes, timeout_s=args.timeout))
    if min(args.batch, args.d_in, args.d_hidden, args.classes, args.steps, args.threads) < 1 or args.warmup < 0:
        fail("--batch, --d-in, --d-hidden, --classes, --steps and --threads must be >= 1, --warmup >= 0")

    torch.set_num_threads(args.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if args.strategy == "ddp" and args.batch % world:
        fail("--batch must be a multiple of the process count for ddp")
    if args.strategy == "split" and args.d_hidden % world:
        fail("--d-hidden must be a multiple of the process count for split")
    if world > 1:
        dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    torch.manual_seed(rank)

    if args.strategy == "ddp":
        model = torch.nn.Sequential(torch.nn.Linear(args.d_in, args.d_hidden, bias=False), torch.nn.ReLU(),
                                    torch.nn.Linear(args.d_hidden, args.classes, bias=False))
        if world > 1:
            model = torch.nn.parallel.DistributedDataParallel(model)
        parameters = list(model.parameters())
        rows = args.batch // world

        def forward(x):
            return model(x)
    else:
        local_hidden = args.d_hidden // world
        fc1 = torch.nn.Linear(args.d_in, local_hidden, bias=False)
        fc2 = torch.nn.Linear(local_hidden, args.classes, bias=False)
        parameters = list(fc1.parameters()) + list(fc2.parameters())
        rows = args.batch

        def forward(x):
            if world > 1:
                x = AllReduceBackward.apply(x)
            y = fc2(F.relu(fc1(x)))
            return AllReduceForward.apply(y) if world > 1 else y

    optimizer = torch.optim.SGD(parameters, lr=1e-3)
    x = torch.randn(rows, args.d_in, requires_grad=True)
    labels = torch.randint(0, args.classes, (rows,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        x.grad = None
        F.cross_entropy(forward(x), labels).backward()
        optimizer.step()

    times = []
    for i in range(args.warmup + args.steps):
        if world > 1:
            dist.barrier()
        start = time.perf_counter()
        step()
        elapsed = torch.tensor([time.perf_counter() - start], dtype=torch.float64)
        if world > 1:
            dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)
        if i >= args.warmup:
            times.append(elapsed.item())

    if rank == 0:
        doc = {"strategy": args.strategy, "processes": world, "threads_per_process": torch.get_num_threads(),
               "batch": args.batch, "d_in": args.d_in, "d_hidden": args.d_hidden, "classes": args.classes,
               "precision": "fp32", "optimizer": "SGD", "warmup": args.warmup, "steps": args.steps,
               "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
               "torch": torch.__version__}
        tmp = args.output + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.output)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
