#!/usr/bin/python3
"""End-to-end tests of `pase report --html` (issue 15).

  html_report_test.py numbers PASE SOURCE_DIR   every tagged number on the page equals the one in the
                                                search JSON / results HDF5 it came from (or is
                                                recomputed from them exactly), and the text shown agrees
  html_report_test.py browser PASE SOURCE_DIR   headless Chromium renders the page (screenshot not
                                                blank, DOM has the answer and one <svg> per chart)
                                                and the page asks for nothing from the network

Exit 0: passed, 1: failed, 77: skipped (no chromium).
"""
import html.parser
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

PRICE_A100, PRICE_H100 = 1.5, 3.25


def run(*args, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=kw.pop("timeout", 120), **kw)
    if r.returncode != 0:
        sys.exit("FAIL: %s exited %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r.stdout


class Tagged(html.parser.HTMLParser):
    """Collects the data-key/data-value spans with their text, the svg count and resource references."""

    def __init__(self):
        super().__init__()
        self.values, self.svgs, self.open, self.resources, self.ids = [], 0, None, [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "svg":
            self.svgs += 1
        for name in ("src", "href", "xlink:href", "srcset", "action", "data"):
            if name in a and tag != "span":
                self.resources.append((tag, name, a[name]))
        if "data-key" in a:
            self.open = dict(a, text="")

    def handle_data(self, data):
        if self.open is not None:
            self.open["text"] += data

    def handle_endtag(self, tag):
        if tag == "span" and self.open is not None:
            self.values.append(self.open)
            self.open = None


def parse_page(path):
    p = Tagged()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p.feed(text)
    return p, text


def expect(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)


def close(a, b):
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def shown_number(text):
    m = re.search(r"-?[0-9][0-9,]*\.?[0-9]*(e[+-]?[0-9]+)?", text)
    return float(m.group(0).replace(",", "")) if m else None


def training(source, key, tokens, price):
    """The time-to-train numbers recomputed from a scenario's batch, seq, devices and step times."""
    steps = float(math.ceil(tokens / (source["batch"] * source["seq"])))
    out = {}
    for who, step in (("found", source["step"]), ("data_parallel", source["dp_step"])):
        seconds = steps * step
        hours = seconds / 3600.0 * source["procs"]
        out["train.%s.steps" % who] = steps
        out["train.%s.seconds" % who] = seconds
        out["train.%s.device_hours" % who] = hours
        out["train.%s.cost" % who] = hours * price
    out["train.saving.seconds"] = out["train.data_parallel.seconds"] - out["train.found.seconds"]
    out["train.saving.cost"] = out["train.data_parallel.cost"] - out["train.found.cost"]
    return out[key]


def check_shown(v, value):
    """The text shown is the value rounded (3+ significant digits), in its unit."""
    key, text = v["data-key"], v["text"]
    shown = shown_number(text)
    expect(shown is not None, "%s: no number in %r" % (key, text))
    scale = 1.0
    if key.endswith("time_s"):
        scale = 1e3  # ms
    elif key.endswith(".share") or key.endswith("bubble_fraction"):
        scale = 100.0
    elif key.endswith("bytes_per_device"):
        scale = 1e-9  # GB
    elif key.endswith("seconds"):
        unit = text.split()[-1] if text.split()[-1] != "more" else text.split()[-2]
        scale = {"days": 1 / 86400, "h": 1 / 3600, "min": 1 / 60, "s": 1}[unit]
        value = abs(value)
    expected = value * scale
    expect(abs(shown - expected) <= 0.006 * abs(expected) + 0.5 * (1 if "," in text or key.endswith("steps") else 1e-9),
           "%s: shown %r, value %r" % (key, text, expected))


def numbers(pase, source_dir):
    work = tempfile.mkdtemp(prefix="pase-html-")
    try:
        # A search: JSON keys by path.
        result = os.path.join(work, "s.json")
        run(pase, "search", os.path.join(source_dir, "inputs", "gpt.json"), "--cluster", "dgx-a100", "--precision",
            "bf16", "--procs", "16", "--set", "layers=2", "--set", "batch=8", "--output", result)
        page = os.path.join(work, "s.html")
        out = run(pase, "report", result, "--tokens", "2B", "--price-per-device-hour", str(PRICE_A100),
                  "--deadline", "30d", "--html", page)
        expect("page: " + page in out, "no page line in " + out)
        doc = json.load(open(result))
        p, text = parse_page(page)
        expect(len(p.values) > 20, "only %d tagged numbers" % len(p.values))
        scenario = {"batch": doc["params"]["batch"], "seq": doc["params"]["seq"], "procs": doc["procs"],
                    "step": doc["step_time_s"], "dp_step": doc["data_parallel"]["step_time_s"]}
        keys = set()
        for v in p.values:
            key, value = v["data-key"], float(v["data-value"])
            keys.add(key)
            if key.startswith("train."):
                want = training(scenario, key, 2e9, PRICE_A100)
            else:
                want = doc
                for part in key.split("."):
                    want = want[int(part)] if isinstance(want, list) else want[part]
            expect(close(value, float(want)), "%s: page %r, JSON %r" % (key, value, want))
            check_shown(v, value)
        for k in ("speedup_over_data_parallel", "step_time_s", "data_parallel.step_time_s", "train.found.cost",
                  "train.data_parallel.seconds", "layers.0.time_s"):
            expect(k in keys, "the page does not show " + k)
        print("search page: %d numbers equal the JSON's" % len(p.values))

        # The memory model's keys (a search on a cluster has them): a memory chart against the device's
        # capacity, the baselines with the fastest that fits named in the answer; without them, neither.
        expect("memory" in doc and "baselines" in doc, "a search on dgx-a100 has no memory or baselines")
        capacity_gb = doc["memory"]["capacity_bytes"] / 1e9
        fitting = [b for b in doc["baselines"] if b["fits"]]
        shown = re.search(r"device capacity ([0-9.]+) GB", text)
        expect("chart-memory" in p.ids and shown is not None and abs(float(shown.group(1)) - capacity_gb) <= 0.01 * capacity_gb,
               "no memory chart against the capacity of %.1f GB" % capacity_gb)
        if fitting:
            best = min(fitting, key=lambda b: b["step_time_s"])
            expect("best baseline that fits memory (" + best["name"] in text,
                   "the answer does not name the best fitting baseline " + best["name"])
        for v in p.values:
            if v["data-key"].startswith("baselines."):
                index = int(v["data-key"].split(".")[1])
                expect(float(v["data-value"]) == doc["baselines"][index]["step_time_s"], "baseline step time")
        for key in ("memory", "baselines"):
            del doc[key]
        for layer in doc["layers"]:
            layer.pop("memory_bytes", None)
        with open(result, "w") as f:
            json.dump(doc, f)
        run(pase, "report", result, "--html", page)
        p, text = parse_page(page)
        expect("chart-memory" not in p.ids and "baseline" not in open(page).read(), "memory or baselines without keys")

        # A sweep: results columns by point.
        spec = os.path.join(work, "g.yaml")
        with open(spec, "w") as f:
            f.write("format: pase-sweep\nversion: 1\nname: g\nmodels:\n  - file: %s\n    set: {layers: 1, batch: 8, seq: 256}\n"
                    "axes:\n  cluster: [dgx-a100, dgx-h100]\n  procs: [8, 16]\n" % os.path.join(source_dir, "inputs", "gpt.json"))
        h5 = os.path.join(work, "g.h5")
        run(pase, "sweep", spec, "--output", h5, "-q")
        page = os.path.join(work, "g.html")
        run(pase, "report", h5, "--tokens", "1B", "--price-per-device-hour", "dgx-a100=%s" % PRICE_A100,
            "--price-per-device-hour", "dgx-h100=%s" % PRICE_H100, "--deadline", "14d", "--html", page)
        import h5py
        with h5py.File(h5, "r") as f:
            rows = {int(pt): i for i, pt in enumerate(f["rows/point"][:])}
            col = lambda name: f["rows/" + name][:]
            cols = {n: col(n) for n in ("procs", "step_time_s", "data_parallel_step_time_s", "speedup_over_data_parallel")}
            cols.update({"pipeline/" + n: col("pipeline/" + n) for n in f["rows/pipeline"]})
            cluster = [c.decode() if isinstance(c, bytes) else c for c in col("cluster")]
            batch, seq = col("params/batch"), col("params/seq")
        p, _ = parse_page(page)
        expect(len(p.values) > 30, "only %d tagged numbers on the sweep page" % len(p.values))
        points = set()
        for v in p.values:
            i = rows[int(v["data-point"])]
            points.add(int(v["data-point"]))
            key, value = v["data-key"], float(v["data-value"])
            if key.startswith("train."):
                price = PRICE_A100 if cluster[i] == "dgx-a100" else PRICE_H100
                want = training({"batch": int(batch[i]), "seq": int(seq[i]), "procs": int(cols["procs"][i]),
                                 "step": float(cols["step_time_s"][i]), "dp_step": float(cols["data_parallel_step_time_s"][i])},
                                key, 1e9, price)
            else:
                want = float(cols[key][i])
            expect(close(value, want), "point %s %s: page %r, HDF5 %r" % (v["data-point"], key, value, want))
            check_shown(v, value)
        expect(points == set(rows), "the sweep page shows points %s of %s" % (sorted(points), sorted(rows)))
        # pase export gains the same columns, equal to the page's.
        import csv
        import io
        table = list(csv.DictReader(io.StringIO(run(
            pase, "export", h5, "--csv", "-", "--tokens", "1B", "--price-per-device-hour", "dgx-a100=%s" % PRICE_A100,
            "--price-per-device-hour", "dgx-h100=%s" % PRICE_H100))))
        shown = {(int(v["data-point"]), v["data-key"]): float(v["data-value"]) for v in p.values}
        columns = {"train_seconds": "train.found.seconds", "train_device_hours": "train.found.device_hours",
                   "train_cost": "train.found.cost", "data_parallel_train_seconds": "train.data_parallel.seconds",
                   "data_parallel_train_cost": "train.data_parallel.cost", "train_cost_saving": "train.saving.cost",
                   "training_steps": "train.found.steps"}
        for row in table:
            for column, key in columns.items():
                expect(float(row[column]) == shown[(int(row["point"]), key)],
                       "CSV %s of point %s: %s, page %r" % (column, row["point"], row[column], shown[(int(row["point"]), key)]))
        # Bad options: one line naming the option, exit 2.
        for args, words in ((["--tokens", "lots"], "--tokens"), (["--deadline", "14"], "--deadline"),
                            (["--tokens", "1B", "--steps", "5"], "one of"), (["--html", os.path.join(work, "x.png")], ".html"),
                            (["--price-per-device-hour", "=3"], "--price-per-device-hour")):
            r = subprocess.run([pase, "report", h5] + args, capture_output=True, text=True, timeout=60)
            expect(r.returncode == 2 and words in r.stderr and r.stderr.count("\n") == 1,
                   "pase report %s: exit %d, %r" % (" ".join(args), r.returncode, r.stderr))
        r = subprocess.run([pase, "report", result, "--samples", "5"], capture_output=True, text=True, timeout=60)
        expect(r.returncode == 0, "--samples on a search: %r" % r.stderr)
        print("sweep page: %d numbers of %d points equal the HDF5's" % (len(p.values), len(points)))
        pipeline(pase, source_dir, work)
    finally:
        shutil.rmtree(work)


# A small GPT whose fastest strategy on 8 A100s within 2 GiB a device is a pipeline of 4 stages of 1
# device, 2 replicas, 5 micro-batches of 3 (the stage search takes about a second): numbers that all
# differ, so that a number shown under another's key is caught.
SMALL_GPT = {"layers": 4, "seq": 128, "d_model": 256, "heads": 4, "d_ff": 1024, "vocab": 512, "batch": 30}


def pipeline(pase, source_dir, work):
    """The stage search's pipeline on the page (pase search --stages auto, and a sweep with
    search.stages: auto): the answer names it, a stage table, the bubble in the step-time chart and
    Megatron-LM's rule of thumb, every number equal to the JSON's / HDF5's."""
    gpt = os.path.join(source_dir, "inputs", "gpt.json")
    sets = [a for k, v in SMALL_GPT.items() for a in ("--set", "%s=%d" % (k, v))]
    result = os.path.join(work, "p.json")
    run(pase, "search", gpt, "--cluster", "dgx-a100", "--precision", "bf16", "--procs", "8", "--memory-per-device",
        "2G", "--stages", "auto", "--output", result, "-q", *sets)
    page = os.path.join(work, "p.html")
    run(pase, "report", result, "--tokens", "1B", "--price-per-device-hour", str(PRICE_A100), "--html", page)
    doc = json.load(open(result))
    expect(len(doc["pipeline"]["stages"]) > 1, "the case is meant to have several stages (pick a model whose best strategy has): %r" % doc["pipeline"])
    p, text = parse_page(page)
    scenario = {"batch": doc["params"]["batch"], "seq": doc["params"]["seq"], "procs": doc["procs"],
                "step": doc["step_time_s"], "dp_step": doc["data_parallel"]["step_time_s"]}
    keys = set()
    for v in p.values:
        key, value = v["data-key"], float(v["data-value"])
        keys.add(key)
        if key.startswith("train."):
            want = training(scenario, key, 1e9, PRICE_A100)
        else:
            want = doc
            for part in key.split("."):
                want = want[int(part)] if isinstance(want, list) else want[part]
            if isinstance(want, list):  # pipeline.stages: their count
                want = len(want)
        expect(close(value, float(want)), "%s: page %r, JSON %r" % (key, value, want))
        check_shown(v, value)
    megatron = [i for i, b in enumerate(doc["baselines"]) if b["name"] == "megatron"]
    expect(megatron, "the stage search's JSON has no Megatron-LM baseline")
    for k in ("pipeline.stages", "pipeline.stage_devices", "pipeline.data_parallel", "pipeline.microbatches",
              "pipeline.microbatch_size", "pipeline.bubble_fraction", "pipeline.stages.0.devices",
              "pipeline.stages.1.microbatch_time_s", "pipeline.stages.1.memory_bytes_per_device",
              "baselines.%d.step_time_s" % megatron[0], "data_parallel.step_time_s"):
        expect(k in keys, "the pipeline page does not show " + k)
    expect('id="pipeline"' in text and "a pipeline of" in text.split('id="answer-line"')[1].split("</p>")[0],
           "no pipeline in the answer line or no stage table")
    expect("Megatron-LM&#39;s rule of thumb" in text or "Megatron-LM's rule of thumb" in text, "no Megatron-LM rule")
    expect("chart-step-time" in p.ids and "pipeline bubble" in text, "no pipeline bubble in the step-time chart")
    print("pipeline page: %d numbers equal the JSON's" % len(p.values))

    # A sweep of the stage search: the rows' pipeline columns on the page and in the CSV.
    spec = os.path.join(work, "p.yaml")
    with open(spec, "w") as f:
        f.write("format: pase-sweep\nversion: 1\nname: p\nmodels:\n  - file: %s\n    set: {%s}\n"
                "axes:\n  cluster: [dgx-a100]\n  procs: [4, 8]\nsearch:\n  precision: bf16\n  memory_per_device: 2G\n"
                "  stages: auto\n" % (gpt, ", ".join("%s: %d" % kv for kv in SMALL_GPT.items())))
    h5 = os.path.join(work, "p.h5")
    run(pase, "sweep", spec, "--output", h5, "-q")
    page = os.path.join(work, "ps.html")
    run(pase, "report", h5, "--html", page)
    import h5py
    with h5py.File(h5, "r") as f:
        rows = {int(pt): i for i, pt in enumerate(f["rows/point"][:])}
        cols = {}
        for name in ("step_time_s", "data_parallel_step_time_s", "speedup_over_data_parallel", "procs"):
            cols[name] = f["rows/" + name][:]
        for name in f["rows/pipeline"]:
            cols["pipeline/" + name] = f["rows/pipeline/" + name][:]
    text = lambda x: x.decode() if isinstance(x, bytes) else x
    p, html_text = parse_page(page)
    keys = set()
    for v in p.values:
        i = rows[int(v["data-point"])]
        key, value = v["data-key"], float(v["data-value"])
        keys.add(key)
        if key.startswith("pipeline/stage_table."):
            _, stage, field = key.split(".")
            want = json.loads(text(cols["pipeline/stage_table"][i]))[int(stage)][field]
        else:
            want = float(cols[key][i])
        expect(close(value, float(want)), "point %s %s: page %r, HDF5 %r" % (v["data-point"], key, value, want))
        check_shown(v, value)
    for k in ("pipeline/stages", "pipeline/microbatches", "pipeline/bubble_fraction", "pipeline/megatron_step_time_s",
              "pipeline/stage_table.0.microbatch_time_s", "pipeline/stage_table.0.memory_bytes_per_device"):
        expect(k in keys, "the pipeline sweep page does not show " + k)
    expect('id="pipeline"' in html_text, "no stage table on the sweep page")
    import csv
    import io
    table = list(csv.DictReader(io.StringIO(run(pase, "export", h5, "--csv", "-"))))
    for row in table:
        i = rows[int(row["point"])]
        for column in ("stages", "stage_devices", "replicas", "microbatches", "microbatch_size", "bubble_fraction",
                       "megatron_step_time_s"):
            expect(float(row[column]) == float(cols["pipeline/" + column][i]),
                   "CSV %s of point %s: %s, HDF5 %r" % (column, row["point"], row[column], cols["pipeline/" + column][i]))
    # The sweep's point on 8 devices is the search above: the same pipeline in its row.
    i = [k for k, procs in enumerate(cols["procs"]) if procs == 8][0]
    pipe = doc["pipeline"]
    for column, want in (("stages", len(pipe["stages"])), ("stage_devices", pipe["stage_devices"]),
                         ("replicas", pipe["data_parallel"]), ("microbatches", pipe["microbatches"]),
                         ("microbatch_size", pipe["microbatch_size"]), ("bubble_fraction", pipe["bubble_fraction"]),
                         ("megatron_step_time_s", doc["baselines"][megatron[0]]["step_time_s"])):
        expect(float(cols["pipeline/" + column][i]) == float(want),
               "HDF5 pipeline/%s of the 8-device point: %r, the search's JSON %r" % (column, cols["pipeline/" + column][i], want))
    expect(float(cols["step_time_s"][i]) == doc["step_time_s"], "the 8-device point's step time is not the search's")
    print("pipeline sweep page: %d numbers equal the HDF5's; the CSV's pipeline columns too; its 8-device row is "
          "the search's pipeline" % len(p.values))


def browser(pase, source_dir):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: no chromium (bash .ci/install-packages installs it)")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="pase-browser-")
    try:
        result = os.path.join(work, "s.json")
        run(pase, "search", os.path.join(source_dir, "inputs", "gpt.json"), "--cluster", "dgx-h100", "--procs", "16",
            "--set", "layers=2", "--set", "batch=8", "--output", result)
        page = os.path.join(work, "s.html")
        out = run(pase, "report", result, "--tokens", "2B", "--price-per-device-hour", "3", "--html", page)
        charts = int(re.search(r"\((\d+) charts\)", out).group(1))
        expect(charts >= 3, "expected at least 3 charts, got %d" % charts)
        p, text = parse_page(page)
        # Nothing to fetch: no resource attribute, no URL in CSS, no URL at all.
        expect(p.resources == [], "resource references: %r" % p.resources)
        expect(not re.search(r"https?://|url\(|@import|<script|<link", text, re.I), "the page names a URL or script")

        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=" + os.path.join(work, "profile"), "--host-resolver-rules=MAP * ~NOTFOUND",
                 "--proxy-server=127.0.0.1:9", "--window-size=1000,1600"]
        dom = run(chromium, *flags, "--dump-dom", "file://" + page, timeout=90)
        expect('id="answer-line"' in dom and "as fast as data parallelism" in dom, "the DOM has no answer line")
        expect(dom.count("<svg") == charts, "the DOM has %d <svg>, the page %d charts" % (dom.count("<svg"), charts))
        for figure in ("chart-step-time", "chart-time-to-train", "chart-cost"):
            expect('id="%s"' % figure in dom, "the DOM has no " + figure)

        shot = os.path.join(work, "shot.png")
        non_white, total = png_non_white(screenshot(chromium, flags, page, shot, work))
        expect(non_white > 0.02 * total, "screenshot nearly blank: %d of %d pixels not white" % (non_white, total))
        print("screenshot: %.1f %% of %d pixels not white" % (100.0 * non_white / total, total))
        urls = page_requests(chromium, flags, page, work)
        expect(not urls, "the page made network requests: %s" % sorted(urls))
        # The check can fail: a page with one remote image is caught.
        bad = os.path.join(work, "bad.html")
        with open(bad, "w") as f:
            f.write('<!DOCTYPE html><html><body><img src="http://example.com/x.png"><p>x</p></body></html>')
        expect(page_requests(chromium, flags, bad, work) == ["http://example.com/x.png"], "the network check missed a remote image")
        print("network log: the report requests nothing; a page with a remote image is caught")
    finally:
        shutil.rmtree(work)


def screenshot(chromium, flags, page, shot, work):
    run(chromium, *flags, "--screenshot=" + shot, "file://" + page, timeout=90)
    return shot


def page_requests(chromium, flags, page, work):
    """The URLs the page itself asked for, from Chromium's network log: requests with an initiator
    (the browser's own update and account checks have none, "not an origin")."""
    netlog = os.path.join(work, "net.json")
    run(chromium, *flags, "--screenshot=" + os.path.join(work, "net.png"), "--log-net-log=" + netlog, "file://" + page,
        timeout=90)
    text = open(netlog, encoding="utf-8", errors="replace").read().rstrip()
    try:
        log = json.loads(text)
    except ValueError:  # cut off at exit: close the events list
        log = json.loads(text.rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for e in log["events"]:
        p = e.get("params", {})
        if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p and p.get("initiator") != "not an origin":
            if not p["url"].startswith("file:"):
                urls.append(p["url"])
    return urls


def png_non_white(path):
    """Pixels that are not white in an 8-bit RGB or RGBA PNG (zlib from the standard library)."""
    import struct
    import zlib
    data = open(path, "rb").read()
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG")
    at, idat, width, height, channels = 8, b"", 0, 0, 3
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            expect(depth == 8 and colour in (2, 6), "unexpected PNG format")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    non_white = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, channels):
            if line[x] < 240 or line[x + 1] < 240 or line[x + 2] < 240:
                non_white += 1
        prev = line
    return non_white, width * height


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("numbers", "browser"):
        sys.exit(__doc__)
    {"numbers": numbers, "browser": browser}[sys.argv[1]](os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]))
