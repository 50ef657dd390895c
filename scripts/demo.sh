#!/usr/bin/env bash
# The `make run` demo: a local 3-node cluster, some appends, a leader killed with SIGKILL, more
# appends, and a clean stop. Every step says what it does. Usage: scripts/demo.sh PAXOSLOG DIR
set -euo pipefail
paxoslog=${1:?usage: demo.sh PAXOSLOG DIR}
dir=${2:?usage: demo.sh PAXOSLOG DIR}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
leader() { "$paxoslog" cluster status --dir "$dir" --json | python3 -c '
import json, sys
for line in sys.stdin:
    row = json.loads(line)
    if row.get("role") == "leader":
        print(row["id"]); break'; }

if [ -e "$dir/cluster.json" ]; then
    step "Stopping whatever an earlier demo left in $dir, and starting afresh"
    "$paxoslog" cluster stop --dir "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
fi

step "Starting a 3-node cluster in $dir (paxoslog cluster start --dir $dir)"
"$paxoslog" cluster start --dir "$dir" --nodes 3

step "Appending three entries; each index is printed once a majority has fsynced it"
"$paxoslog" append --cluster "$dir" "hello" "replicated" "world"

step "Streaming 1000 lines from standard input (only the last index is shown)"
seq 1 1000 | sed 's/^/line /' | "$paxoslog" append --cluster "$dir" | tail -n 1

step "Reading the log back through the leader (paxoslog tail, first 5 entries)"
"$paxoslog" tail --cluster "$dir" | head -n 5

step "Cluster status"
"$paxoslog" cluster status --dir "$dir"

step "Where each node serves its metrics (GET /metrics, Prometheus text) and health (GET /health)"
python3 - "$dir/cluster.json" <<'PY'
import json, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
for node in json.load(open(sys.argv[1]))["nodes"]:
    if not node.get("metrics"):
        continue
    base = "http://" + node["metrics"][len("tcp:"):]
    try:
        with opener.open(base + "/health", timeout=5) as response:
            health = "%d %s" % (response.status, response.read().decode().strip())
    except Exception as error:
        health = str(error)
    print("node %d: %s/metrics   %s/health -> %s" % (node["id"], base, base, health))
    if health.startswith("200 ok: leader"):
        with opener.open(base + "/metrics", timeout=5) as response:
            wanted = ("paxoslog_proposals_committed_total", "paxoslog_commit_index", "paxoslog_is_leader")
            for line in response.read().decode().splitlines():
                if line.startswith(wanted):
                    print("    " + line)
PY

old=$(leader)
pid=$(cat "$dir/node-$old.pid")
step "Killing the leader, node $old (pid $pid), with SIGKILL"
kill -9 "$pid"

step "Appending again: the client finds the new leader, nothing is lost or duplicated"
"$paxoslog" append --cluster "$dir" "after the leader died"

new=$(leader)
step "Node $new is the new leader"
"$paxoslog" cluster status --dir "$dir"

step "Restarting node $old with 'paxoslog cluster start' (it restarts only the dead node, which catches up)"
"$paxoslog" cluster start --dir "$dir"
sleep 1
printf 'node %s now holds %s entries, the same as the leader: ' "$old" \
    "$("$paxoslog" tail --cluster "$dir" --node "$old" | wc -l | tr -d ' ')"
"$paxoslog" tail --cluster "$dir" | wc -l | tr -d ' '

step "The last entry, read from node $old's own copy"
"$paxoslog" tail --cluster "$dir" --node "$old" | tail -n 1

step "Stopping the cluster (data stays in $dir)"
"$paxoslog" cluster stop --dir "$dir"
