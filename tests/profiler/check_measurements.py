#!/usr/bin/env python3
"""Checks a pase-measurements v1 file: the header, every kind the run should have measured, and
consistent numbers (positive sizes, min <= median <= max, the repeats asked for)."""
import json
import sys


def main(path, processes, nodes, repeats):
    doc = json.load(open(path))
    problems = []

    def need(cond, what):
        if not cond:
            problems.append(what)

    need(doc.get("format") == "pase-measurements" and doc.get("version") == 1, "format/version")
    need(doc.get("processes") == processes, "processes %r" % doc.get("processes"))
    need(doc.get("nodes") == nodes, "nodes %r" % doc.get("nodes"))
    kinds = {}
    for m in doc["measurements"]:
        kinds.setdefault(m["kind"], []).append(m)
        if "skipped" in m:
            need(m["kind"] == "collective" and m["op"] == "reduce_scatter", "unexpected skip %r" % m)
            continue
        need(m["repeats"] == repeats, "repeats in %r" % m)
        need(0 < m["min_s"] <= m["median_s"] <= m["max_s"], "times in %r" % m)
        size = m.get("flop", m.get("bytes"))
        need(isinstance(size, int) and size > 0, "size in %r" % m)
    for kind in ("gemm", "convolution", "memory_bound"):
        need(len(kinds.get(kind, [])) >= 2, "too few %s measurements" % kind)
    collectives = kinds.get("collective", [])
    overlaps = kinds.get("overlap", [])
    if processes == 1:
        need(not collectives and not overlaps, "collectives measured with one process")
    else:
        tier = "inter_node" if nodes > 1 else "intra_node"
        done = {(m["op"], m["tier"]) for m in collectives if "skipped" not in m}
        for op in ("all_reduce", "all_gather"):
            need((op, tier) in done, "no %s on %s" % (op, tier))
        need(all(m["group_size"] == (processes if nodes > 1 else processes // nodes) for m in collectives),
             "group sizes")
        # The all-reduce behind GEMMs: the two largest message sizes on the tier, both alone-times.
        need(len([m for m in overlaps if m["tier"] == tier and m["op"] == "all_reduce"]) == 2, "no overlap on " + tier)
        need(all(m["compute_alone_s"] > 0 and m["communication_alone_s"] > 0 and m["gemm_repeats"] >= 1
                 for m in overlaps), "overlap alone-times")
    if problems:
        print(path + ": " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
