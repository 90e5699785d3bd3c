#!/usr/bin/env bash
# Backlog benchmark (issue 3, acceptance 6): queues MESSAGES messages behind
# an HTTP destination that is down, reports the engine's resident memory
# while they wait, then brings the destination up and reports the drain rate
# beside the receiver's own limit, measured in the same run (issue 19).
#   bench/backlog.sh [BUILD_DIR] [MESSAGES]
# Needs about 4 GB of free disk per million messages (1,500 bytes each).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
messages=${2:-1000000}
bin="$build/bin"
work=$(mktemp -d /tmp/navette-backlog-XXXXXX)
engine="" sampler=""
trap '[ -n "$sampler" ] && kill "$sampler" 2>/dev/null; [ -n "$engine" ] && kill "$engine" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/config.yaml" <<YAML
engine:
  admin: { listen: "127.0.0.1:18575" }
sources:
  - name: bench
    mllp: { listen: "127.0.0.1:12575" }
destinations:
  - name: web
    http: { url: "http://127.0.0.1:18580/in" }
    delivery:
      max_in_flight: 8
      retry: { max_delay: 5s }
routes:
  - { name: all, to: [web] }
YAML

metric() {  # value of a metric line, 0 if absent
  curl -sf http://127.0.0.1:18575/metrics | awk -v name="$1" '$1 == name { print $2; found=1 } END { if (!found) print 0 }'
}
# Numeric comparison that also reads Prometheus' 1e+06 notation.
reached() { awk -v value="$1" -v op="$2" -v bound="$3" 'BEGIN { exit !(op == ">=" ? value + 0 >= bound : value + 0 == bound) }'; }
kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$engine/status"; }
mib() { echo $(( $1 / 1024 )); }

"$bin/navette" serve --config "$work/config.yaml" --data-dir "$work/data" --log-level warn \
  2> "$work/engine.log" &
engine=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18575/readyz >/dev/null && break; sleep 0.1; done
# Resident memory once a second, for the peak while queueing and draining.
( while kill -0 "$engine" 2>/dev/null; do
    awk '$1 == "VmRSS:" { print $2 }' "/proc/$engine/status" 2>/dev/null || true
    sleep 1
  done > "$work/rss.log" ) &
sampler=$!

echo "# $(nproc) cores, $(uname -r), $(date -u +%F), ${messages} messages of 1500 bytes, destination down"
"$bin/navette_bench" mllp --port 12575 --connections 8 --messages "$messages"
depth_metric='navette_queue_depth{destination="web"}'
until reached "$(metric "$depth_metric")" ">=" "$messages"; do sleep 1; done
queued_peak=$(sort -n "$work/rss.log" | tail -1)
echo "queued   messages=${messages}  RSS now $(mib "$(kib VmRSS)") MiB, peak $(mib "$(kib VmHWM)") MiB; store on disk $(du -sm "$work/data" | cut -f1) MiB"

# The receiver's own limit, in this run: the same POSTs from 8 connections
# (the destination's max_in_flight) straight to a receiver of its own.
limit_messages=$(( messages < 200000 ? messages : 200000 ))
"$bin/navette_bench" receive --port 18581 --messages "$limit_messages" > "$work/limit-receive.log" &
receiver=$!
for _ in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18581/ && break; sleep 0.1; done
limit_line=$("$bin/navette_bench" post --port 18581 --connections 8 --messages "$limit_messages")
wait "$receiver"
echo "$limit_line"
limit_rate=$(echo "$limit_line" | awk '{ for (i = 2; i <= NF; i++) if ($i == "msg/s") print $(i - 1) }')

# The destination comes back.
drain_line=$("$bin/navette_bench" receive --port 18580 --messages "$messages")
echo "$drain_line"
until reached "$(metric "$depth_metric")" "==" 0; do sleep 1; done
drain_rate=$(echo "$drain_line" | awk '{ for (i = 2; i <= NF; i++) if ($i == "msg/s") print $(i - 1) }')
awk -v d="$drain_rate" -v l="$limit_rate" 'BEGIN {
  printf "drain    %.0f msg/s = %.0f %% of the receiver'"'"'s own limit (%.0f msg/s from 8 connections)\n", d, 100 * d / l, l }'
echo "drained  RSS now $(mib "$(kib VmRSS)") MiB, peak over the whole run $(mib "$(kib VmHWM)") MiB (sampled peak while queueing $(mib "$queued_peak") MiB)"
echo "delivered_total $(metric 'navette_delivered_total{destination="web"}'), dead letters $(metric 'navette_dead_letters{destination="web"}')"
