"""Starts a script as several local processes of one torch.distributed job (gloo or NCCL), as
torchrun would on one machine, for pase_profile.py --processes and the tests' training scripts.

A fixed MASTER_PORT is a hazard on a shared machine: two jobs that pick the same port join each
other's rendezvous and wait forever. Unless MASTER_PORT is set, the launcher takes a port the
kernel reports free. A process that fails ends the job at once (the others would wait for it in
their first collective until the 30-minute default timeout), and so does --timeout or SIGTERM.
"""

import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(script, args, count, processes_per_node=None, timeout_s=None):
    """Runs `script args` as `count` processes with torch.distributed's environment variables;
    returns 0 when all succeed, else the first failure's exit code (124 on the timeout)."""
    per_node = processes_per_node or count
    port = os.environ.get("MASTER_PORT") or str(free_port())
    children = []
    for rank in range(count):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, WORLD_SIZE=str(count),
                   RANK=str(rank), LOCAL_RANK=str(rank % per_node), LOCAL_WORLD_SIZE=str(per_node))
        children.append(subprocess.Popen([sys.executable, os.path.abspath(script)] + list(args), env=env))

    def stop_all(*_):
        for child in children:
            if child.poll() is None:
                child.kill()
        for child in children:
            child.wait()

    def on_term(signum, _frame):
        stop_all()
        sys.exit(128 + signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    deadline = time.monotonic() + timeout_s if timeout_s else None
    try:
        while True:
            codes = [child.poll() for child in children]
            failed = [code for code in codes if code not in (None, 0)]
            if failed:
                stop_all()
                return failed[0]
            if all(code == 0 for code in codes):
                return 0
            if deadline is not None and time.monotonic() > deadline:
                print("%s: the %d processes did not finish within %g s; stopped them" %
                      (os.path.basename(script), count, timeout_s), file=sys.stderr)
                stop_all()
                return 124
            time.sleep(0.05)
    finally:
        signal.signal(signal.SIGTERM, previous)
