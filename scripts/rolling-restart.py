#!/usr/bin/env python3
"""Measures what a rolling restart costs appenders: the longest pause in acknowledgements while
each node of a local 3-node cluster is stopped and started again in turn.

Usage: scripts/rolling-restart.py PAXOSLOG_BINARY [--signal TERM|KILL] [--rounds N] [--clients C]

A local cluster is started in a temporary directory; C `paxoslog append` processes (1 by default)
stream lines through it: one client about 2,000 lines a second, each of C > 1 clients about 100
lines a second. Acknowledgements of every client count: the pause is the longest time in which
no client was acknowledged anything. Each node in turn, leader included, gets the signal (TERM: a clean stop,
where a leader first hands leadership to the most caught-up follower; KILL: the others must notice
and elect), is waited for, and is started again from its argv in cluster.json; 2 s later the next.
For every restart the script prints the longest gap between two consecutive acknowledgements
within 3 s of the signal, and at the end the median and maximum over the restarts. Nothing is
asserted: it measures.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def main() -> int:
    binary = sys.argv[1]
    sig = signal.SIGKILL if "--signal" in sys.argv and sys.argv[sys.argv.index("--signal") + 1] == "KILL" else signal.SIGTERM
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
    clients = int(sys.argv[sys.argv.index("--clients") + 1]) if "--clients" in sys.argv else 1
    with tempfile.TemporaryDirectory(prefix="pxl-rolling-") as d:
        subprocess.run([binary, "cluster", "start", "--dir", d, "--nodes", "3", "--wait", "30"], check=True,
                       stdout=subprocess.DEVNULL)
        try:
            return measure(binary, d, sig, rounds, clients)
        finally:
            subprocess.run([binary, "cluster", "stop", "--dir", d], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


def measure(binary: str, d: str, sig: signal.Signals, rounds: int, clients: int) -> int:
    acks: list[float] = []
    stop = threading.Event()
    appends = []
    threads = []
    # One client sends 20 lines every 10 ms; each of many sends 5 every 50 ms.
    lines, pause = (20, 0.01) if clients == 1 else (5, 0.05)

    def feed(append: subprocess.Popen, client: int) -> None:
        n = 0
        while not stop.is_set():
            append.stdin.write("".join(f"client {client} line {n + i}\n" for i in range(lines)))
            append.stdin.flush()
            n += lines
            time.sleep(pause)
        append.stdin.close()

    def read(append: subprocess.Popen) -> None:
        for _ in append.stdout:
            acks.append(time.monotonic())

    for client in range(clients):
        append = subprocess.Popen([binary, "append", "--cluster", d, "--timeout", "60"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        appends.append(append)
        threads += [threading.Thread(target=feed, args=(append, client)), threading.Thread(target=read, args=(append,))]
    for t in threads:
        t.start()
    time.sleep(2)
    description = json.load(open(os.path.join(d, "cluster.json")))
    gaps = []
    leader_gaps = []
    for _ in range(rounds):
        for node in description["nodes"]:
            pid = int(open(os.path.join(d, f"node-{node['id']}.pid")).read())
            was_leader = leader_of(binary, d) == node["id"]
            at = time.monotonic()
            os.kill(pid, sig)
            while os.path.exists(f"/proc/{pid}") and open(f"/proc/{pid}/stat").read().split()[2] != "Z":
                time.sleep(0.01)
            log = open(os.path.join(d, f"node-{node['id']}.log"), "a")
            subprocess.Popen(node["argv"], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
            time.sleep(2.5)
            window = [t for t in acks if at - 0.5 <= t <= at + 3]
            gap = max((b - a for a, b in zip(window, window[1:])), default=3.0)
            gaps.append(gap)
            role = "leader" if was_leader else "follower"
            if was_leader:
                leader_gaps.append(gap)
            print(f"node {node['id']} ({role}) SIG{sig.name[3:]}: longest pause in acknowledgements "
                  f"{gap * 1000:.0f} ms", flush=True)
    stop.set()
    for t in threads:
        t.join()
    codes = [append.wait() for append in appends]
    print(f"{len(gaps)} restarts with SIG{sig.name[3:]}: median pause {statistics.median(gaps) * 1000:.0f} ms, "
          f"max {max(gaps) * 1000:.0f} ms; of the leader ({len(leader_gaps)}): "
          + (f"median {statistics.median(leader_gaps) * 1000:.0f} ms, max {max(leader_gaps) * 1000:.0f} ms"
             if leader_gaps else "none")
          + f"; {clients} appends exited {sorted(set(codes))}")
    return 0


def leader_of(binary: str, d: str):
    # Asked a few times: under load a node may not answer status in time.
    for _ in range(5):
        status = subprocess.run([binary, "cluster", "status", "--dir", d, "--json"], capture_output=True, text=True)
        for line in status.stdout.splitlines():  # one JSON object per node
            try:
                node = json.loads(line)
            except ValueError:
                continue
            if node.get("role") == "leader":
                return node.get("id")
        time.sleep(0.1)
    print(f"no leader in cluster status: {status.stdout.strip()} {status.stderr.strip()}", flush=True)
    return None


if __name__ == "__main__":
    sys.exit(main())
