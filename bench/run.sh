#!/usr/bin/env bash
# Runs the benchmark the README reports, on this machine: the engine over MLLP
# with 1, 8 and 32 connections, then the store alone with the same
# concurrency; each three times, in turn, and reports every run, the median,
# and the ratios the README discusses.
#   bench/run.sh [BUILD_DIR] [MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
messages=${2:-20000}
bin="$build/bin"
work=$(mktemp -d /tmp/navette-bench-XXXXXX)
engine=""
trap '[ -n "$engine" ] && kill "$engine" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/config.yaml" <<YAML
engine:
  admin: { listen: "127.0.0.1:18575" }
sources:
  - name: bench
    # Every load connection comes from 127.0.0.1: lift the per-peer limit
    # (default 32) so that a run with more connections is not refused.
    mllp: { listen: "127.0.0.1:12575", max_connections_per_peer: 256 }
destinations:
  - name: outbox
    file: { directory: outbox }
routes:
  - { name: all, to: [outbox] }
YAML

# Each round gets a data directory of its own, all deleted at exit: on ext4
# without a journal (this machine's disk), creating a file skips the inodes
# deleted in the last ~30 s, one lookup each, so deleting the previous
# round's 45,000 outbox files just before a round made its deliveries
# several times slower.
start_engine() {
  data="$work/data-$1"
  "$bin/navette" serve --config "$work/config.yaml" --data-dir "$data" --log-level warn &
  engine=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18575/readyz >/dev/null && return; sleep 0.1; done
  echo "engine did not start" >&2; exit 1
}
stop_engine() { kill "$engine"; wait "$engine" || true; engine=""; }
delivered() { curl -sf http://127.0.0.1:18575/metrics | awk '/^navette_delivered_total/ { n += $2 } END { print n + 0 }'; }

# One MLLP run, then the time until the engine has delivered every message
# it acknowledged: the end-to-end rate, which a burst's ACK rate can hide.
run_mllp() {  # run_mllp CONNECTIONS MESSAGES
  local before started line sent finished
  before=$(delivered)
  started=$(date +%s.%N)
  line=$("$bin/navette_bench" mllp --port 12575 --connections "$1" --messages "$2")
  echo "$line" | tee -a "$results"
  sent=$(echo "$line" | sed -n 's/.*messages=\([0-9]*\).*/\1/p')
  for _ in $(seq 6000); do [ "$(delivered)" -ge $((before + sent)) ] && break; sleep 0.01; done
  finished=$(date +%s.%N)
  awk -v k="$1" -v n="$sent" -v a="$started" -v b="$finished" 'BEGIN {
    printf "e2e    connections=%-3d messages=%-7d all delivered after %5.2f s  %6.0f msg/s\n", k, n, b - a, n / (b - a) }' |
    tee -a "$results"
}

echo "# $(nproc) cores, $(uname -r), $(date -u +%F), ${messages} messages of 1500 bytes (a quarter with 1 connection)"
results="$work/results"
for round in 1 2 3; do
  start_engine "$round"
  for k in 1 8 32; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    run_mllp "$k" "$n"
  done
  stop_engine
  for k in 1 8 32; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    "$bin/navette_bench" store --dir "$work/store-only" --connections "$k" --messages "$n" | tee -a "$results"
  done
done

median() {  # median() KIND CONNECTIONS: the figure before "msg/s"
  awk -v kind="$1" -v k="connections=$2" '$1 == kind && $2 == k {
      for (i = 2; i <= NF; i++) if ($i == "msg/s") print $(i - 1) }' "$results" |
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo
echo "# median of 3 runs (messages/s); end to end: until every message is delivered"
for k in 1 8 32; do
  e=$(median mllp "$k"); s=$(median store "$k"); d=$(median e2e "$k")
  awk -v k="$k" -v e="$e" -v s="$s" -v d="$d" \
    'BEGIN { printf "connections=%-3d engine %7.0f  store %7.0f  engine/store %3.0f%%  end to end %7.0f\n", k, e, s, 100 * e / s, d }'
done
awk -v e1="$(median mllp 1)" -v e32="$(median mllp 32)" -v s1="$(median store 1)" -v s32="$(median store 32)" \
  'BEGIN { printf "engine, 32 connections / 1 connection: %.1fx (the store alone: %.1fx)\n", e32 / e1, s32 / s1 }'
