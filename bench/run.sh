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
    mllp: { listen: "127.0.0.1:12575" }
destinations:
  - name: outbox
    file: { directory: outbox }
routes:
  - { name: all, to: [outbox] }
YAML

start_engine() {
  rm -rf "$work/data"
  "$bin/navette" serve --config "$work/config.yaml" --data-dir "$work/data" --log-level warn &
  engine=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18575/readyz >/dev/null && return; sleep 0.1; done
  echo "engine did not start" >&2; exit 1
}
stop_engine() { kill "$engine"; wait "$engine" || true; engine=""; }

echo "# $(nproc) cores, $(uname -r), $(date -u +%F), ${messages} messages of 1500 bytes (a quarter with 1 connection)"
results="$work/results"
for round in 1 2 3; do
  start_engine
  for k in 1 8 32; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    "$bin/navette_bench" mllp --port 12575 --connections "$k" --messages "$n" | tee -a "$results"
  done
  stop_engine
  for k in 1 8 32; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    "$bin/navette_bench" store --dir "$work/store-only" --connections "$k" --messages "$n" | tee -a "$results"
  done
done

median() {  # median() KIND CONNECTIONS
  awk -v kind="$1" -v k="connections=$2" '$1 == kind && $2 == k { print $6 }' "$results" |
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo
echo "# median of 3 runs (messages/s)"
for k in 1 8 32; do
  e=$(median mllp "$k"); s=$(median store "$k")
  awk -v k="$k" -v e="$e" -v s="$s" \
    'BEGIN { printf "connections=%-3d engine %7.0f  store %7.0f  engine/store %3.0f%%\n", k, e, s, 100 * e / s }'
done
awk -v e1="$(median mllp 1)" -v e32="$(median mllp 32)" -v s1="$(median store 1)" -v s32="$(median store 32)" \
  'BEGIN { printf "engine, 32 connections / 1 connection: %.1fx (the store alone: %.1fx)\n", e32 / e1, s32 / s1 }'
