#!/usr/bin/env bash
# Measures how long replacing a node of a 3-node local cluster that holds N entries takes: from the
# moment the new member's process starts to the moment `cluster replace` has promoted it (a voter)
# and removed the old member. Usage: scripts/replace-timing.sh PAXOSLOG_BINARY [ENTRIES] (1,000,000
# entries of 100 bytes by default). Nothing is asserted: it measures.
set -euo pipefail
B=$1
N=${2:-1000000}
D=$(mktemp -d /tmp/pxl-replace-XXXXXX)
trap '"$B" cluster stop --dir "$D" >/dev/null 2>&1 || true; kill -9 $(cat "$D"/node-4.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$D"' EXIT
"$B" cluster start --dir "$D" --nodes 3 --wait 30 >/dev/null
python3 -c "
import sys
for i in range($N): sys.stdout.write(f'{i:010d}' + 'x' * 89 + '\n')
" > "$D/input"
t0=$(date +%s.%N)
"$B" append --cluster "$D" --timeout 900 < "$D/input" > /dev/null
t1=$(date +%s.%N)
echo "appended $N entries in $(echo "$t1 - $t0" | bc) s"
"$B" cluster replace --cluster "$D" 3 --address "unix:$D/node-4.sock" --data "$D/node-4" --timeout 300 --json \
    > "$D/replace.out" 2> "$D/replace.err" &
replace=$!
until grep -q '"id" *: *4' "$D/cluster.json" 2>/dev/null; do sleep 0.05; done
started=$(date +%s.%N)
"$B" node --config "$D/cluster.json" --id 4 --join --pid-file "$D/node-4.pid" > "$D/node-4.log" 2>&1 &
wait $replace
done=$(date +%s.%N)
echo "new member started -> promoted and the old one removed: $(echo "$done - $started" | bc) s"
cat "$D/replace.out"
"$B" cluster status --dir "$D" | cut -c1-90
