#!/usr/bin/env python3
"""Mutation test (issue 16): hostile variants of the shipped model files, sweep specs and command
lines, run through the pase binary for a bounded time. Every run must end by itself (no signal, no
run past PER_RUN_S), and
  - exit 0: every cost and step time in the JSON report is a finite number >= 0;
  - exit 2 (bad input): stderr is exactly one line, and a type error names its field (never the
    loader's fallback "a field has the wrong type");
  - any other exit code is one the README lists (1 failure, 3 too little memory).
The mutations come from a fixed seed, so a failure is reproducible: the case's command line and
mutated file are printed. Usage: mutation_test.py PASE SOURCE_DIR [BUDGET_S]."""

import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

PER_RUN_S = 20
HOSTILE_NUMBERS = [0, -1, 1, 2**31, 2**31 - 1, -(2**31), 2**53 + 1, 2**62, 2**63 - 1, -(2**63), 2**64,
                   1e308, -1e308, 1e-320, 0.5, 1e30, 4.6e18]
HOSTILE_VALUES = HOSTILE_NUMBERS + ["", "x", "batch*batch*batch*batch*batch", "((((1))))", "-" * 300 + "1",
                                    "1e999", None, True, [], {}, [1, 2], {"a": 1}]
HOSTILE_OPTION_VALUES = ["0", "-1", "1e308", "nan", "inf", "-inf", "9223372036854775807", "18446744073709551616",
                         "0x10", "", "1e-320", "x" * 5000, "1,2", "2147483648"]


def walk(node, path=()):
    """Every (path, value) of a JSON document."""
    yield path, node
    if len(path) > 30:  # inside a nesting mutation: nothing more to find
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def set_at(doc, path, value):
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def delete_at(doc, path):
    node = doc
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]


def mutate_json(doc, rng):
    doc = json.loads(json.dumps(doc))
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        paths = [p for p, _ in walk(doc) if p]
        if not paths:
            break
        path = rng.choice(paths)
        kind = rng.random()
        if kind < 0.55:
            set_at(doc, path, rng.choice(HOSTILE_VALUES))
        elif kind < 0.7:
            delete_at(doc, path)
        elif kind < 0.8:
            node = doc
            for p in path[:-1]:
                node = node[p]
            old = node[path[-1]]
            if isinstance(old, (int, float)) and not isinstance(old, bool):
                node[path[-1]] = rng.choice([old * 2, old + 1, -old, old * 1000003])
        elif kind < 0.9:
            nested = 1
            for _ in range(rng.choice([70, 300, 900])):
                nested = [nested]
            set_at(doc, path, nested)
        else:
            node = doc
            for p in path[:-1]:
                node = node[p]
            if isinstance(node, dict):
                node[rng.choice(["op", "dims", "bogus", "repeat", "extends", "in", "units"])] = rng.choice(HOSTILE_VALUES)
    return doc


def mutate_text(text, rng):
    lines = text.split("\n")
    for _ in range(rng.choice([1, 1, 2])):
        i = rng.randrange(len(lines))
        kind = rng.random()
        if kind < 0.5:
            words = lines[i].split(" ")
            j = rng.randrange(len(words))
            words[j] = str(rng.choice(HOSTILE_NUMBERS + ["{from: 1, to: 2, times: 1.0000000000001}",
                                                           "{from: 1, to: 1e308, times: 1.000001}", "[", "}", "---",
                                                           "{to: 1e308, step: 1}", "'", "&a", "*a"]))
            lines[i] = " ".join(words)
        elif kind < 0.7:
            del lines[i]
        elif kind < 0.85:
            lines.insert(i, lines[i])
        else:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


def costs_in(report):
    """Every cost-like number of a JSON search report."""
    keys = ("total_cost", "step_time_s", "cost", "time_s", "compute_s", "communication_s", "exposed_communication_s",
            "speedup_over_data_parallel")
    for path, value in walk(report):
        if path and path[-1] in keys:
            yield "/".join(map(str, path)), value


class Runner:
    def __init__(self, pase, work):
        self.pase, self.work = pase, work
        self.counts = {"runs": 0, "exit0": 0, "exit2": 0, "other": 0, "failures": 0}
        self.failures = []

    def run(self, args, what, report=None):
        self.counts["runs"] += 1
        try:
            r = subprocess.run([self.pase] + args, capture_output=True, text=True, errors="replace",
                               timeout=PER_RUN_S, cwd=self.work)
        except subprocess.TimeoutExpired:
            return self.fail(what, args, f"ran past {PER_RUN_S} s")
        if r.returncode < 0:
            return self.fail(what, args, f"killed by signal {-r.returncode}: {r.stderr[-300:]}")
        if r.returncode == 0:
            self.counts["exit0"] += 1
            if report and os.path.exists(report):
                try:
                    with open(report) as f:
                        doc = json.load(f)
                except ValueError as e:
                    return self.fail(what, args, f"exit 0 with an unreadable report: {e}")
                for name, value in costs_in(doc):
                    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                        return self.fail(what, args, f"exit 0 with {name} = {value}")
                os.remove(report)
        elif r.returncode == 2:
            self.counts["exit2"] += 1
            if r.stderr.count("\n") != 1 or not r.stderr.endswith("\n"):
                return self.fail(what, args, "exit 2 without a one-line error: " + repr(r.stderr[:400]))
            if "a field has the wrong type" in r.stderr:
                return self.fail(what, args, "a type error that does not name its field: " + r.stderr[:400])
        elif r.returncode in (1, 3):
            self.counts["other"] += 1
        else:
            return self.fail(what, args, f"exit {r.returncode}: {r.stderr[-300:]}")

    def fail(self, what, args, why):
        self.counts["failures"] += 1
        self.failures.append(f"{what}: pase {' '.join(args)[:300]}: {why}")


def main():
    sys.setrecursionlimit(10000)
    pase, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    budget = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    rng = random.Random(16)
    inputs = os.path.join(source, "inputs")
    models = {name: json.load(open(os.path.join(inputs, name)))
              for name in ["alexnet.json", "rnnlm.json", "transformer.json", "measured-example.json", "inception3.json"]}
    specs = {}
    for name in ["sweep-small.yaml", "sweep-reference.yaml"]:
        with open(os.path.join(source, "jobs", name)) as f:
            specs[name] = f.read().replace("../inputs/", inputs + "/")
    with tempfile.TemporaryDirectory(prefix="pase-mutation-") as work:
        runner = Runner(pase, work)
        model_path, report = os.path.join(work, "m.json"), os.path.join(work, "out.json")
        spec_path = os.path.join(work, "s.yaml")
        start = time.monotonic()
        case = 0
        while time.monotonic() - start < budget:
            case += 1
            kind = case % 3
            if kind == 0:  # a mutated model file
                name = rng.choice(sorted(models))
                with open(model_path, "w") as f:
                    json.dump(mutate_json(models[name], rng), f)
                runner.run(["search", model_path, "--procs", rng.choice(["2", "8", "64"]), "--max-memory", "256M",
                            "-o", report], f"case {case}: {name} mutated (copy kept as {model_path} on failure)", report)
                if runner.failures and runner.failures[-1].startswith(f"case {case}:"):
                    with open(model_path) as f:
                        runner.failures[-1] += " | model: " + f.read()[:2000]
            elif kind == 1:  # a mutated sweep spec (counted, not run)
                name = rng.choice(sorted(specs))
                text = mutate_text(specs[name], rng)
                with open(spec_path, "w") as f:
                    f.write(text)
                runner.run(["sweep", spec_path, "--dry-run"], f"case {case}: {name} mutated")
                if runner.failures and runner.failures[-1].startswith(f"case {case}:"):
                    runner.failures[-1] += " | spec: " + text[:2000]
            else:  # a command line with a hostile option value
                command = rng.choice(["search", "plan"])
                option = rng.choice(["--procs", "--flops", "--bw", "--max-memory", "--threads", "--set",
                                     "--replicate-below", "--order", "--nodes", "--cluster", "--precision"])
                value = rng.choice(HOSTILE_OPTION_VALUES)
                if option == "--set":
                    value = rng.choice(["batch", "layers", "heads", "nope"]) + "=" + value
                model = os.path.join(inputs, rng.choice(["alexnet.json", "transformer.json", "rnnlm.json"]))
                args = [command, model, option, value, "--max-memory", "256M"] if option != "--max-memory" else \
                    [command, model, option, value]
                if command == "search":
                    args += ["-o", report]
                runner.run(args, f"case {case}: hostile option", report)
        elapsed = time.monotonic() - start
    c = runner.counts
    print(f"mutation test: {c['runs']} runs in {elapsed:.0f} s: {c['exit0']} exit 0 (costs checked), "
          f"{c['exit2']} exit 2 (one line), {c['other']} exit 1 or 3, {c['failures']} failures")
    for f in runner.failures:
        print("FAIL", f)
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
