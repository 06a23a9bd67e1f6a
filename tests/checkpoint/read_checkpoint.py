"""Reads a pase checkpoint with h5py alone, following src/checkpoint/README.md: checks the layout,
recomputes the seal's digest and every table's checksum, and prints a summary. Exit code 0 when
everything matches. Usage: python3 read_checkpoint.py CHECKPOINT.h5"""
import sys

import h5py
import numpy as np

M64 = (1 << 64) - 1


def mix(x):
    """SplitMix64's finaliser, on numpy uint64 arrays (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def mix1(x):
    return int(mix(np.array([x & M64], dtype=np.uint64))[0])


def table_checksum(values, step, costs):
    salt = mix1(0x7061736563686B70 + 2 * step + (1 if costs else 0))
    index = np.arange(len(values), dtype=np.uint64)
    bits = values.view(np.uint64) if costs else values.astype(np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum(mix(mix(np.uint64(salt) ^ index) + bits), dtype=np.uint64))


def seal_digest(data):
    """The digest of every byte after the 512-byte seal, in blocks of 1 MiB."""
    body, total = data[512:], 0
    for b, start in enumerate(range(0, len(body), 1 << 20)):
        block = body[start:start + (1 << 20)]
        h = mix1(b + 0x5EA1ED)
        padded = block + b"\0" * (8 - len(block) % 8)  # the last, partial word is zero-padded
        for (w,) in np.frombuffer(padded, dtype="<u8").reshape(-1, 1).tolist():
            x = h ^ w
            h = (((x << 29) | (x >> 35)) & M64) * 0x9E3779B97F4A7C15 & M64
        total = (total + mix1(h ^ len(block))) & M64
    return total


def main(path):
    data = open(path, "rb").read()
    seal = data[:512].rstrip(b"\0").decode().split("\n")
    assert seal[0] == "pase checkpoint seal 1", seal
    assert int(seal[1].split()[1]) == len(data), "the seal's length"
    assert int(seal[2].split()[1], 16) == seal_digest(data), "the seal's digest"
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == b"pase-checkpoint" and f.attrs["format_version"] == 1
        progress = {k: v for k, v in f["progress"].attrs.items()}
        done = int(progress["steps_done"])
        fingerprint = {k: v.decode() for k, v in f["fingerprint"].attrs.items()}
        assert len(f["argmin"]) == done, "one back-substitution table per finished step"
        for group, costs in (("argmin", False), ("costs", True)):
            for name, d in f[group].items():
                step = int(d.attrs["step"])
                assert name == "step_%06d" % step and step < done
                assert (d.dtype == np.float64) == costs
                assert table_checksum(d[()], step, costs) == int(d.attrs["checksum"]), d.name
        print("%s: %s on %s devices, %d of %d steps, %d tables verified" % (
            path, fingerprint["model"], fingerprint["procs"], done, int(progress["steps_total"]),
            len(f["argmin"]) + len(f["costs"])))


if __name__ == "__main__":
    main(sys.argv[1])
