#!/usr/bin/env python3
"""Times real training steps of the transformer block of inputs/transformer-block.json with
PyTorch, for `pase check-prediction`, under data parallelism or under the strategy pase found.

    python3 train_block.py --processes 2 --strategy ddp --output ddp.json
    python3 train_block.py --processes 2 --strategy found.json --output found-run.json
    python3 train_block.py --write-strategy megatron --model-configs found.json --processes 2 --output megatron.json

The step is what pase's model prices, layer for layer (fp32, no biases, an SGD update): x (batch,
seq, d_model) -> fused q/k/v Einsum `ble,shek->sbhlk` -> q, k, v -> logits `bhlk,bhmk->bhlm` ->
softmax over m -> scores `bhlm,bhmk->bhlk` -> output Einsum `bhlk,hek->ble` -> x + that -> layer
norm -> Einsum `ble,ef->blf` + ReLU -> Einsum `blf,fe->ble` -> residual add -> layer norm ->
softmax cross-entropy over d_model. x requires its gradient, as a block inside a network does, so
every Einsum runs its three products (forward, input gradient, weight gradient), as pase counts them.
The model file has no 1/sqrt(d_k) scale; neither has this step (the time is the same).

Strategies (--strategy):
- ddp: DistributedDataParallel, each process 1/P of the batch (pase: data_parallel, every layer
  split along b).
- megatron: Megatron-LM's split (Shoeybi et al. 2019, Sec. 3): every process holds 1/P of the
  heads (q/k/v, attention and the output Einsum, split along h) and 1/P of d_ff (the first FF
  Einsum split along f, the second along its reduced f), the whole batch; the output Einsums'
  partial sums are all-reduced forward, the inputs' gradients of the q/k/v and first FF Einsums
  backward; residual adds, norms and the loss run whole on every process (pase: configs that split
  h, else f, else nothing).
- a file: a `pase search --output` result for this block; its layers' configs must be one of the
  two above, else the script says which layer it cannot run and exits 2.

--strategy-of FILE prints ddp or megatron for a pase search result (or exits 2 as above).
--write-strategy megatron writes the megatron split as a strategy file (every layer's name and
config, in the order of --model-configs, a `pase search --output` file of the same block) for
`pase check-prediction`; it trains nothing.
"""

import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

import training_steps
from training_steps import AllReduceBackward, AllReduceForward


def megatron_config(dims, world):
    """The megatron split of a layer with these dims: heads if it has them, else d_ff, else none."""
    split = "h" if "h" in dims else "f" if "f" in dims else None
    return [world if letter == split else 1 for letter in dims]


def data_parallel_config(dims, world):
    return [world if letter == "b" else 1 for letter in dims]


def read_layers(path):
    """(name, dims, config) of every layer of a pase search --output file."""
    try:
        with open(path) as f:
            layers = json.load(f)["layers"]
        return [(layer["name"], layer["dims"], layer["config"]) for layer in layers]
    except (OSError, ValueError, KeyError, TypeError) as e:
        training_steps.fail(__file__, "%s: not a pase search --output result (%s); give the file "
                            "`pase search --output` wrote" % (path, e))


def strategy_of(path, world):
    """'ddp' or 'megatron' for a pase search result whose every layer follows one of them."""
    configs = read_layers(path)
    for strategy, rule in (("ddp", data_parallel_config), ("megatron", megatron_config)):
        if all(config == rule(dims, world) for _, dims, config in configs):
            return strategy
    for name, dims, config in configs:
        if config not in (data_parallel_config(dims, world), megatron_config(dims, world)):
            training_steps.fail(__file__, "%s: layer '%s' (dims %s) has config %s, which neither data "
                                "parallelism nor the megatron split uses; this script runs only those two"
                                % (path, name, dims, config))
    training_steps.fail(__file__, "%s: its layers mix data parallelism and the megatron split; this script "
                        "runs only one of them for the whole block" % path)


class Block(torch.nn.Module):
    """The block with `heads` of the heads and `d_ff` of the FF units on this process; with split,
    the collectives of the megatron split around the attention and the FF network."""

    def __init__(self, d_model, heads, d_k, d_ff, split):
        super().__init__()
        self.split = split
        self.qkv = torch.nn.Parameter(torch.randn(3, heads, d_model, d_k) * d_model ** -0.5)
        self.out = torch.nn.Parameter(torch.randn(heads, d_model, d_k) * (heads * d_k) ** -0.5)
        self.norm1 = torch.nn.LayerNorm(d_model)
        self.ff1 = torch.nn.Parameter(torch.randn(d_model, d_ff) * d_model ** -0.5)
        self.ff2 = torch.nn.Parameter(torch.randn(d_ff, d_model) * d_ff ** -0.5)
        self.norm2 = torch.nn.LayerNorm(d_model)

    def forward(self, x):
        inner = AllReduceBackward.apply(x) if self.split else x
        q, k, v = torch.einsum("ble,shek->sbhlk", inner, self.qkv).unbind(0)
        weights = torch.softmax(torch.einsum("bhlk,bhmk->bhlm", q, k), dim=3)
        attended = torch.einsum("bhlk,hek->ble", torch.einsum("bhlm,bhmk->bhlk", weights, v), self.out)
        if self.split:
            attended = AllReduceForward.apply(attended)
        x = self.norm1(x + attended)
        inner = AllReduceBackward.apply(x) if self.split else x
        hidden = F.relu(torch.einsum("ble,ef->blf", inner, self.ff1))
        fed = torch.einsum("blf,fe->ble", hidden, self.ff2)
        if self.split:
            fed = AllReduceForward.apply(fed)
        return self.norm2(x + fed)


def verify_megatron(args, world, rank):
    """The megatron split with the whole block's weights, sliced, against the whole block on one
    process: the same loss and input gradient (to float rounding), else exit 1."""
    d_k = args.d_model // args.heads
    generator = torch.Generator().manual_seed(1)
    whole = Block(args.d_model, args.heads, d_k, args.d_ff, split=False)
    with torch.no_grad():
        for parameter in whole.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    x = torch.randn(args.batch, args.seq, args.d_model, generator=generator, requires_grad=True)
    labels = torch.randint(0, args.d_model, (args.batch * args.seq,), generator=generator)
    expected = F.cross_entropy(whole(x).reshape(-1, args.d_model), labels)
    expected.backward()
    expected_grad, x.grad = x.grad, None

    heads, d_ff = args.heads // world, args.d_ff // world
    part = Block(args.d_model, heads, d_k, d_ff, split=world > 1)
    with torch.no_grad():
        part.qkv.copy_(whole.qkv[:, rank * heads:(rank + 1) * heads])
        part.out.copy_(whole.out[rank * heads:(rank + 1) * heads])
        part.ff1.copy_(whole.ff1[:, rank * d_ff:(rank + 1) * d_ff])
        part.ff2.copy_(whole.ff2[rank * d_ff:(rank + 1) * d_ff])
        part.norm1.load_state_dict(whole.norm1.state_dict())
        part.norm2.load_state_dict(whole.norm2.state_dict())
    loss = F.cross_entropy(part(x).reshape(-1, args.d_model), labels)
    loss.backward()
    pairs = {"the input": (x.grad, expected_grad),
             "qkv": (part.qkv.grad, whole.qkv.grad[:, rank * heads:(rank + 1) * heads]),
             "ff1": (part.ff1.grad, whole.ff1.grad[:, rank * d_ff:(rank + 1) * d_ff]),
             "norm1": (part.norm1.weight.grad, whole.norm1.weight.grad)}
    wrong = [name for name, (got, want) in pairs.items() if not torch.allclose(got, want, rtol=1e-4, atol=1e-5)]
    if wrong or not torch.allclose(loss, expected, rtol=1e-5, atol=1e-6):
        print("train_block.py: rank %d: the megatron split gives loss %.9g, the whole block %.9g; gradients that "
              "differ: %s" % (rank, loss.item(), expected.item(), ", ".join(wrong) or "none"), file=sys.stderr)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", help="ddp, megatron, or a pase search --output file of this block")
    parser.add_argument("--write-strategy", choices=["megatron"],
                        help="write this strategy as a strategy file to --output instead of training")
    parser.add_argument("--model-configs", help="with --write-strategy: a pase search --output file of the block")
    parser.add_argument("--strategy-of", metavar="FILE",
                        help="print which strategy (ddp or megatron) a pase search --output file of the block is "
                             "on --processes P devices, or say which layer this script cannot run (exit 2)")
    parser.add_argument("--verify", action="store_true",
                        help="first check that the megatron split's loss and input gradient equal the whole block's")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--seq", type=int, default=16)
    parser.add_argument("--d-model", type=int, default=512)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--d-ff", type=int, default=2048)
    training_steps.add_run_arguments(parser, output_required=False)
    args = parser.parse_args()
    if args.strategy_of:
        print(strategy_of(args.strategy_of, args.processes or 1))
        return
    if not args.output:
        training_steps.fail(__file__, "--output: missing; give the JSON file to write")
    if args.write_strategy:
        if not args.model_configs or not args.processes:
            training_steps.fail(__file__, "--write-strategy needs --model-configs FILE and --processes P")
        doc = {"strategy": args.write_strategy, "procs": args.processes,
               "layers": [{"name": name, "dims": dims, "config": megatron_config(dims, args.processes)}
                          for name, dims, _ in read_layers(args.model_configs)]}
        with open(args.output, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        return
    if not args.strategy:
        training_steps.fail(__file__, "--strategy: missing; give ddp, megatron or a pase search --output file")
    if min(args.batch, args.seq, args.d_model, args.heads, args.d_ff) < 1 or args.d_model % args.heads:
        training_steps.fail(__file__, "--batch, --seq, --d-model, --heads and --d-ff must be >= 1, and "
                            "--d-model a multiple of --heads")
    # Checked before the processes start too, so that a refusal is said once.
    world = args.processes or int(os.environ.get("WORLD_SIZE", "1"))
    strategy = args.strategy if args.strategy in ("ddp", "megatron") else strategy_of(args.strategy, world)
    if strategy == "ddp" and args.batch % world:
        training_steps.fail(__file__, "--batch must be a multiple of the process count for ddp")
    if strategy == "megatron" and (args.heads % world or args.d_ff % world):
        training_steps.fail(__file__, "--heads and --d-ff must be multiples of the process count for megatron")
    training_steps.launch_if_asked(__file__, args)
    world, rank = training_steps.start(__file__, args)
    if args.verify:
        verify_megatron(args, world, rank)
    times = train(args, strategy, world)
    training_steps.finish(rank, world, args.output, times,
                          {"strategy": strategy, "strategy_from": args.strategy, "batch": args.batch,
                           "seq": args.seq, "d_model": args.d_model, "heads": args.heads, "d_ff": args.d_ff,
                           "precision": "fp32", "optimizer": "SGD", "warmup": args.warmup, "steps": args.steps})


def train(args, strategy, world):
    """The timed steps' seconds of this strategy (its model is gone when this returns)."""
    d_k = args.d_model // args.heads
    split = strategy == "megatron" and world > 1
    shares = world if strategy == "megatron" else 1
    block = Block(args.d_model, args.heads // shares, d_k, args.d_ff // shares, split)
    model = block
    if strategy == "ddp" and world > 1:
        model = torch.nn.parallel.DistributedDataParallel(block)
    rows = args.batch // world if strategy == "ddp" else args.batch
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(rows, args.seq, args.d_model, requires_grad=True)
    labels = torch.randint(0, args.d_model, (rows * args.seq,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        x.grad = None
        F.cross_entropy(model(x).reshape(-1, args.d_model), labels).backward()
        optimizer.step()

    return training_steps.time_steps(step, world, args.warmup, args.steps)


if __name__ == "__main__":
    main()
