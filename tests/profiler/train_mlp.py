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

Timing: training_steps.py (the median of --steps timed steps after --warmup untimed ones).
"""

import argparse

import torch
import torch.nn.functional as F

import training_steps
from training_steps import AllReduceBackward, AllReduceForward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", choices=["ddp", "split"], required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--d-in", type=int, default=1024)
    parser.add_argument("--d-hidden", type=int, default=2048)
    parser.add_argument("--classes", type=int, default=1024)
    training_steps.add_run_arguments(parser)
    args = parser.parse_args()
    training_steps.launch_if_asked(__file__, args)
    if min(args.batch, args.d_in, args.d_hidden, args.classes) < 1:
        training_steps.fail(__file__, "--batch, --d-in, --d-hidden and --classes must be >= 1")
    world, rank = training_steps.start(__file__, args)
    if args.strategy == "ddp" and args.batch % world:
        training_steps.fail(__file__, "--batch must be a multiple of the process count for ddp")
    if args.strategy == "split" and args.d_hidden % world:
        training_steps.fail(__file__, "--d-hidden must be a multiple of the process count for split")
    times = train(args, world)
    training_steps.finish(rank, world, args.output, times,
                          {"strategy": args.strategy, "batch": args.batch, "d_in": args.d_in,
                           "d_hidden": args.d_hidden, "classes": args.classes, "precision": "fp32",
                           "optimizer": "SGD", "warmup": args.warmup, "steps": args.steps})


def train(args, world):
    """The timed steps' seconds of this strategy (its model is gone when this returns)."""
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

    return training_steps.time_steps(step, world, args.warmup, args.steps)


if __name__ == "__main__":
    main()
