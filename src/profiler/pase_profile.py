#!/usr/bin/env python3
"""Measures what pase's hardware model needs, on the machine it runs on, and writes a
pase-measurements v1 file (src/profiler/README.md).

One process:   python3 pase_profile.py --output m.json
One node:      python3 pase_profile.py --processes 8 --output m.json
Several nodes: torchrun --nnodes N --nproc_per_node 8 ... pase_profile.py --output m.json
               (or srun / mpirun, with MASTER_ADDR and MASTER_PORT set)

Per device: GEMM and convolution throughput over a grid of per-device sizes and precisions, and the
bandwidth of an element-wise op. Between processes: all-reduce, all-gather and reduce-scatter time
over message sizes, for the processes of one node and for all of them. Every figure is the median of
--repeats timed runs after --warmup untimed ones; min and max are kept to show the spread. For a
collective each run's time is the slowest process's.
"""

import argparse
import datetime
import json
import os
import platform
import socket
import statistics
import sys
import time

import torch
import torch.distributed as dist

import local_launch

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}

# Per-device sizes: square GEMMs m = n = k; with --gemm-rows R, linear layers of R rows and square
# weights of linear_weights (m = R, n = k); convolutions (batch, channels in = out, height = width,
# 3x3 kernel, stride 1, padding 1), element-wise adds of n elements, collectives of n bytes.
GRIDS = {
    "quick": {
        "gemm": [64, 256, 512],
        "linear_weights": [64, 256, 512],
        "convolution": [(4, 16, 16), (8, 32, 32)],
        "memory_bound": [1 << 14, 1 << 20, 1 << 22],
        "collective_bytes": [1 << 10, 1 << 16, 1 << 22],  # 4 MiB: its time stands out of a loaded machine's noise
    },
    "small": {
        "gemm": [64, 128, 256, 512, 1024],
        # Half-octave steps of the weight's size: where it outgrows a cache the rate falls within one.
        "linear_weights": [64, 128, 256, 362, 512, 724, 1024, 1448, 2048],
        "convolution": [(4, 16, 16), (8, 32, 32)],
        "memory_bound": [1 << 14, 1 << 17, 1 << 20, 1 << 23],
        "collective_bytes": [1 << 12, 1 << 16, 1 << 20, 1 << 22, 1 << 24],
    },
    "full": {
        "gemm": [64, 128, 256, 512, 1024, 2048, 4096, 8192],
        "linear_weights": [64, 128, 256, 512, 1024, 2048, 4096, 8192],
        "convolution": [(8, 64, 56), (32, 64, 56), (32, 128, 28), (32, 256, 14), (64, 512, 7), (128, 64, 112)],
        "memory_bound": [1 << p for p in range(12, 29, 2)],
        "collective_bytes": [1 << p for p in range(10, 31, 2)],
    },
}


def fail(message):
    print("pase_profile.py: " + message, file=sys.stderr)
    sys.exit(2)


class Timer:
    """Times a callable on the profiled device: synchronises CUDA around it. With several processes
    every timed run starts after a barrier, so that all processes run it at once, as the steps of a
    training job do (on a CPU they share the caches and the memory bandwidth); its time is the
    slowest process's, which a synchronous step waits for."""

    def __init__(self, device, warmup, repeats, world=1):
        self.device, self.warmup, self.repeats, self.world = device, warmup, repeats, world

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def times(self, run, own_time=False):
        """run's times; with own_time, run times a part of itself and returns that time."""
        for _ in range(self.warmup):
            run()
        self.sync()
        out = []
        for _ in range(self.repeats):
            if self.world > 1:
                dist.barrier()
            self.sync()
            start = time.perf_counter()
            own = run()
            self.sync()
            out.append(own if own_time else time.perf_counter() - start)
        if self.world > 1:
            t = torch.tensor(out, dtype=torch.float64)
            dist.all_reduce(t, op=dist.ReduceOp.MAX)
            out = t.tolist()
        return out


def summary(times, timer):
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "repeats": timer.repeats,
        "warmup": timer.warmup,
    }


def supported(dtype, device):
    """Whether this device runs `dtype` GEMMs (CPU builds may lack half precision)."""
    try:
        a = torch.ones(8, 8, dtype=dtype, device=device)
        (a @ a).sum().item()
        return True
    except RuntimeError:
        return False


def linear_layer_gemms(m, n, k, device, dtype, precision, timer, rows):
    """The three GEMMs of a linear layer's training step, as pase prices them: forward x W^T,
    input gradient g W, weight gradient g^T x (x: m x k, W: n x k, g: m x n). Timed together; the
    entry's times are a third of theirs (one GEMM of 2 m n k FLOP at their average rate)."""
    x = torch.randn(m, k, device=device).to(dtype)
    w = torch.randn(n, k, device=device).to(dtype)
    g = torch.randn(m, n, device=device).to(dtype)

    def run():
        torch.mm(x, w.t())
        torch.mm(g, w)
        torch.mm(g.t(), x)

    t = [s / 3 for s in timer.times(run)]
    entry = {"kind": "gemm", "precision": precision, "shape": [m, n, k], "flop": 2 * m * n * k}
    if rows:
        entry["rows"] = rows
    return {**entry, **summary(t, timer)}


def profile_device(device, precisions, grid, timer, gemm_rows=()):
    records = []
    for name in precisions:
        dtype = DTYPES[name]
        if not supported(dtype, device):
            records.append({"kind": "gemm", "precision": name, "skipped": "this device does not run " + name + " GEMMs"})
            continue
        for n in grid["gemm"]:
            records.append(linear_layer_gemms(n, n, n, device, dtype, name, timer, None))
        for rows in gemm_rows:
            for n in grid["linear_weights"]:
                if n >= rows:
                    records.append(linear_layer_gemms(rows, n, n, device, dtype, name, timer, rows))
        for batch, channels, hw in grid["convolution"]:
            conv = torch.nn.Conv2d(channels, channels, 3, padding=1, bias=False).to(device=device, dtype=dtype)
            x = torch.randn(batch, channels, hw, hw, device=device).to(dtype)
            with torch.no_grad():
                t = timer.times(lambda: conv(x))
            flop = 2 * batch * channels * hw * hw * channels * 9
            records.append({"kind": "convolution", "precision": name, "shape": [batch, channels, hw, hw, 3, 3],
                            "flop": flop, **summary(t, timer)})
    for n in grid["memory_bound"]:
        a = torch.randn(n, device=device)
        b = torch.randn(n, device=device)
        c = torch.empty_like(a)
        t = timer.times(lambda: torch.add(a, b, out=c))
        # Two operands read, one result written.
        records.append({"kind": "memory_bound", "precision": "fp32", "shape": [n], "bytes": 3 * 4 * n, **summary(t, timer)})
    return records


def node_groups(world, local_world):
    """The processes of each node, assuming torchrun's numbering (node-major, local_world a node)."""
    return [list(range(start, min(start + local_world, world))) for start in range(0, world, local_world)]


def tier_groups(world, local_world, rank):
    """(tier, process group, group size) for each tier there is: this process's node, and all of them
    across nodes (group None: the default group)."""
    groups = []
    nodes = node_groups(world, local_world)
    # new_group must be called by every process for every group, in the same order.
    node_handles = [dist.new_group(ranks) for ranks in nodes]
    mine = next(i for i, ranks in enumerate(nodes) if rank in ranks)
    if local_world > 1:
        groups.append(("intra_node", node_handles[mine], local_world))
    if len(nodes) > 1:
        groups.append(("inter_node", None, world))
    return groups


def profile_collectives(device, grid, timer, groups):
    records = []
    for tier, group, size in groups:
        for nbytes in grid["collective_bytes"]:
            elements = max(size, nbytes // 4 // size * size)  # a multiple of the group size
            x = torch.ones(elements, device=device)
            gathered = [torch.empty(elements // size, device=device) for _ in range(size)]
            part = torch.empty(elements // size, device=device)
            ops = {
                "all_reduce": lambda: dist.all_reduce(x, group=group),
                "all_gather": lambda: dist.all_gather(gathered, part, group=group),
                "reduce_scatter": lambda: dist.reduce_scatter(part, list(x.chunk(size)), group=group),
            }
            for op, run in ops.items():
                entry = {"kind": "collective", "op": op, "tier": tier, "group_size": size, "bytes": elements * 4}
                try:
                    t = timer.times(run)
                except RuntimeError as e:
                    # gloo has no reduce_scatter: say so in the file instead of guessing.
                    entry["skipped"] = str(e).splitlines()[0][:200]
                    records.append(entry)
                    continue
                records.append({**entry, **summary(t, timer)})
    return records


def profile_overlap(device, grid, timer, groups):
    """How much compute a collective takes from the device when it runs behind computation, as DDP's
    gradient all-reduces run behind the backward pass: for each tier, an all-reduce of the grid's two
    largest messages alone, a linear layer's GEMMs alone (repeated to last about four times the
    all-reduce, so that it runs hidden), and both at once, the all-reduce started first (async_op)
    and the GEMMs timed on their own stream. The entry's median_s is the GEMMs' time with the
    all-reduce behind them; (median_s - compute_alone_s) / communication_alone_s is the loss."""
    records = []
    # The largest of the grid's square GEMMs that takes at most 10 ms, so that the repeats can match
    # the all-reduce's time closely (any GEMM shows the loss; a tiny one would time kernel launches).
    n = min(grid["gemm"])
    for size in sorted(grid["gemm"]):
        a = torch.randn(size, size, device=device)
        torch.mm(a, a)  # untimed: the first GEMM of a size can pay library set-up (cuBLAS)
        timer.sync()
        begin = time.perf_counter()
        for _ in range(3):
            torch.mm(a, a)
        timer.sync()
        if time.perf_counter() - begin > 0.010:
            break
        n = size
    agreed = torch.tensor([n], dtype=torch.float64)
    dist.all_reduce(agreed, op=dist.ReduceOp.MIN)  # the same GEMM in every process
    n = int(agreed.item())
    x, w, g = (torch.randn(n, n, device=device) for _ in range(3))

    def gemms(repeats):
        for _ in range(repeats):
            torch.mm(x, w.t())
            torch.mm(g, w)
            torch.mm(g.t(), x)

    def timed_gemms(repeats, before=None):
        """The GEMMs' own time: CUDA events on their stream (the all-reduce runs on another), or the
        wall clock on a CPU."""
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            work = before() if before else None
            start.record()
            gemms(repeats)
            end.record()
            end.synchronize()
            if work:
                work.wait()
            return start.elapsed_time(end) / 1e3
        work = before() if before else None
        begin = time.perf_counter()
        gemms(repeats)
        seconds = time.perf_counter() - begin
        if work:
            work.wait()
        return seconds

    one = statistics.median(timer.times(lambda: timed_gemms(1), own_time=True))
    for tier, group, size in groups:
        for nbytes in sorted(grid["collective_bytes"])[-2:]:
            elements = max(size, nbytes // 4 // size * size)
            buf = torch.ones(elements, device=device)
            alone = statistics.median(timer.times(lambda: dist.all_reduce(buf, group=group)))
            # Every process must run the same number of GEMMs: take the slowest's choice.
            repeats = torch.tensor([max(1, round(4 * alone / one))], dtype=torch.float64)
            dist.all_reduce(repeats, op=dist.ReduceOp.MAX)
            repeats = int(repeats.item())
            compute = statistics.median(timer.times(lambda: timed_gemms(repeats), own_time=True))
            t = timer.times(lambda: timed_gemms(repeats, lambda: dist.all_reduce(buf, group=group, async_op=True)),
                            own_time=True)
            records.append({"kind": "overlap", "op": "all_reduce", "tier": tier, "group_size": size,
                            "bytes": elements * 4, "gemm_shape": [n, n, n], "gemm_repeats": repeats,
                            "communication_alone_s": alone, "compute_alone_s": compute, **summary(t, timer)})
    return records


def launch_environment():
    """(world, rank, local_rank, local_world) from torchrun's variables, else Slurm's or Open MPI's."""
    env = os.environ
    for world, rank, local, local_world in [
        ("WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE"),
        ("SLURM_NTASKS", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE"),
        ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
    ]:
        if world in env:
            try:
                w, r = int(env[world]), int(env[rank])
                l = int(env.get(local, "0"))
                lw = int(env.get(local_world, str(w)).split("(")[0])  # Slurm writes "8(x2)"
            except ValueError:
                fail(world + ", " + rank + ", " + local + ", " + local_world + ": expected integers")
            if w > 1 and not ("MASTER_ADDR" in env and "MASTER_PORT" in env):
                fail("launched as " + str(w) + " processes by " + world + " but MASTER_ADDR and MASTER_PORT are not set")
            return w, r, l, lw
    return 1, 0, 0, 1


def strip_spawn(args):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("--processes", "--processes-per-node"):
            skip = True
        elif not a.startswith("--processes"):
            out.append(a)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="the pase-measurements v1 file to write")
    parser.add_argument("--grid", choices=sorted(GRIDS), default="full", help="sizes to measure (quick: for tests)")
    parser.add_argument("--precisions", default=None,
                        help="comma-separated, of fp32, bf16, fp16 (default: fp32 on CPU, all three on GPU)")
    parser.add_argument("--gemm-rows", default="",
                        help="comma-separated row counts: also measure linear layers of that many rows (a "
                             "layer's tokens or samples per device) and square weights of the grid's sizes")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch.set_num_threads per process (default: PyTorch's choice); use what training uses")
    parser.add_argument("--processes", type=int, default=0,
                        help="start this many local processes (one node) instead of using torchrun")
    parser.add_argument("--timeout", type=float, default=None,
                        help="with --processes: stop them all after this many seconds (exit 124)")
    parser.add_argument("--processes-per-node", type=int, default=0,
                        help="with --processes: pretend nodes of this many processes (tests the between-node path)")
    args = parser.parse_args()
    if args.processes:
        per_node = args.processes_per_node or args.processes
        if args.processes < 1 or per_node < 1 or args.processes % per_node:
            fail("--processes must be >= 1 and a multiple of --processes-per-node")
        sys.exit(local_launch.launch(__file__, strip_spawn(sys.argv[1:]), args.processes, per_node, args.timeout))
    if args.warmup < 0 or args.repeats < 1:
        fail("--warmup must be >= 0 and --repeats >= 1")
    if args.threads < 0:
        fail("--threads must be >= 1 (0: PyTorch's default)")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        gemm_rows = sorted({int(r) for r in args.gemm_rows.split(",") if r.strip()})
    except ValueError:
        fail("--gemm-rows: expected comma-separated positive integers, got '" + args.gemm_rows + "'")
    if any(r < 1 for r in gemm_rows):
        fail("--gemm-rows: row counts must be >= 1")

    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        fail("--device cuda: no CUDA device is visible to PyTorch")
    precisions = (args.precisions or ("fp32,bf16,fp16" if use_cuda else "fp32")).split(",")
    for p in precisions:
        if p not in DTYPES:
            fail("--precisions: unknown precision '" + p + "' (use fp32, bf16, fp16)")

    world, rank, local_rank, local_world = launch_environment()
    if use_cuda:
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if world > 1:
        dist.init_process_group("nccl" if use_cuda else "gloo")

    timer = Timer(device, args.warmup, args.repeats, world)
    records = profile_device(device, precisions, GRIDS[args.grid], timer, gemm_rows)
    if world > 1:
        groups = tier_groups(world, local_world, rank)
        records += profile_collectives(device, GRIDS[args.grid], timer, groups)
        records += profile_overlap(device, GRIDS[args.grid], timer, groups)
        dist.barrier()

    if rank == 0:
        doc = {
            "format": "pase-measurements",
            "version": 1,
            "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "platform": platform.platform(),
            "torch": torch.__version__,
            "device": torch.cuda.get_device_name(device) if use_cuda else (platform.processor() or "cpu"),
            "device_type": device.type,
            "threads_per_process": torch.get_num_threads(),
            "gemm_rows": gemm_rows,
            "processes": world,
            "processes_per_node": local_world,
            "nodes": (world + local_world - 1) // local_world,
            "backend": ("nccl" if use_cuda else "gloo") if world > 1 else None,
            "measurements": records,
        }
        tmp = args.output + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.output)  # a reader never sees half a file
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
