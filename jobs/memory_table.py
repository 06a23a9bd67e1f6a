#!/usr/bin/env python3
"""Prints the device-memory table of README.md from the files jobs/memory-table.sh wrote.

Each cell is one `pase search ... -o MODEL-PROCS.json` (exit 0) or its one-line refusal in
MODEL-PROCS.err (exit 3: no strategy fits; the line names the smallest footprint). Numbers are the
JSON's, in GB (1e9 bytes), milliseconds and seconds; nothing is computed here but unit changes.
Usage: python3 jobs/memory_table.py OUT
"""
import json
import os
import re
import sys

MODELS = ["llama-7b", "gpt3-175b"]
PROCS = [8, 16, 32, 64, 128, 256, 512, 1024]


def gb(x):
    return f"{x / 1e9:.1f}"


def fits(b):
    return f"{gb(b['memory_per_device_bytes'])} {'fits' if b['fits'] else 'no'}"


def row(out, model, procs):
    base = os.path.join(out, f"{model}-{procs}")
    if not os.path.exists(base + ".exit"):
        return None
    code = open(base + ".exit").read().strip()
    if code == "3":
        err = open(base + ".err").read()
        smallest = re.search(r"the smallest needs ([0-9.]+) GB", err)
        return (f"| {model} | {procs} | no | no | nothing fits: smallest {smallest.group(1) if smallest else '?'} GB "
                f"| - | - | - | - |")
    if code != "0":
        return f"| {model} | {procs} | search stopped (exit {code}) | | | | | | |"
    d = json.load(open(base + ".json"))
    m = d["memory"]
    by_name = {b["name"]: b for b in d["baselines"]}
    recomputed = sum(1 for layer in d["layers"] if layer.get("recompute"))
    found = f"{gb(m['per_device_bytes'])} GB, {d['step_time_s'] * 1e3:.0f} ms"
    if recomputed:
        found += f", {recomputed} layers recompute"
    gap = "0 (optimum fits)" if m["unconstrained_fits"] else f"{100 * m['relative_gap']:.2f}% ({m['dp_solves']} DPs)"
    speedup = d["speedup_over_data_parallel"]
    best = d["speedup_over_best_baseline"]
    speedups = f"{'-' if speedup is None else f'{speedup:.2f}'} / {'-' if best is None else f'{best:.2f}'}"
    times = f"{d['search_seconds']:.1f} / +{m['constraint_seconds']:.1f}"
    return (f"| {model} | {procs} | {fits(by_name['data_parallel'])} | {fits(by_name['fsdp'])} | {found} | {gap} "
            f"| {speedups} | {times} | {d['devices_used']} |")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "memory-table"
    print("| model | devices | data parallel, GB a device | FSDP, GB a device | pase's strategy: peak, step "
          "| proven gap | speedup over DP / best baseline | search s / constraint s more | devices used |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        for procs in PROCS:
            line = row(out, model, procs)
            if line:
                print(line)


if __name__ == "__main__":
    main()
