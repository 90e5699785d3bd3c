#!/usr/bin/env bash
# The engine beside the machine's limit (issue 19): the same client sends the
# same 2.2 KB ORU over 1, 8, 32 and 64 MLLP connections (each waiting for its
# ACK before sending the next, as HL7 senders do) first to the floor, a
# minimal server that only frames MLLP, group-commits to RocksDB and ACKs
# (`navette_bench floor`), then to `navette serve` on its default
# configuration (parse, commit, route, deliver to files). A third server,
# the floor with files (`navette_bench floor --files`), also writes each
# acknowledged message to a durable file with the engine's own file
# destination: the least any server that delivers to files must pay, so the
# engine's end-to-end rate can be read against what the disk and the cores
# allow. Rounds alternate the three so that all see the machine in the same
# state; it prints every run, then the medians as tables, and where the
# engine's CPU went.
#   bench/run.sh [BUILD_DIR] [MESSAGES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
messages=${2:-20000}
rounds=${3:-3}
size=2200
bin="$build/bin"
work=$(mktemp -d /tmp/navette-bench-XXXXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# The embedded default configuration, on ports of its own, with the per-peer
# connection limit (32) lifted: every load connection comes from 127.0.0.1.
sed -e 's/127.0.0.1:8575/127.0.0.1:18575/' -e 's/127.0.0.1:2575/127.0.0.1:12575/' \
  -e 's/max_connections_per_peer: 32/max_connections_per_peer: 256/' \
  engine/config/default.yaml > "$work/config.yaml"
grep -q 'max_connections_per_peer: 256' "$work/config.yaml" || { echo "config: no per-peer limit to lift" >&2; exit 1; }

# Each round gets a data directory of its own, all deleted at exit: on ext4
# without a journal (this machine's disk), creating a file skips the inodes
# deleted in the last ~30 s, one lookup each, so deleting the previous
# round's outbox files just before a round made its deliveries slower.
start_engine() {
  "$bin/navette" serve --config "$work/config.yaml" --data-dir "$work/data-$1" --log-level warn &
  server=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18575/readyz >/dev/null && return; sleep 0.1; done
  echo "engine did not start" >&2; exit 1
}
start_floor() {  # start_floor ROUND [--files DIR]
  local round=$1; shift
  "$bin/navette_bench" floor --port 12576 --dir "$work/floor-$round" "$@" > "$work/floor.log" &
  server=$!
  for _ in $(seq 100); do grep -q listening "$work/floor.log" 2>/dev/null && return; sleep 0.05; done
  echo "floor did not start" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" || true; server=""; }
delivered() { curl -sf http://127.0.0.1:18575/metrics | awk '/^navette_delivered_total/ { n += $2 } END { print n + 0 }'; }
files_written() { cat "$files_counter" 2>/dev/null || echo 0; }

# CPU time of each of the server's threads, by name, in ns (schedstat).
cpu_by_thread() {
  for task in /proc/"$server"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' < "$task/comm")" "$(cut -d' ' -f1 "$task/schedstat")"
  done 2>/dev/null | awk '{ ns[$1] += $2 } END { for (t in ns) print t, ns[t] }'
}

# One run against a server that delivers (the engine, or the floor with
# files): ACK rate and latency from the client, then the time until every
# acknowledged message is written (end to end), and the CPU each thread
# spent on it, per message.
#   run_delivering KIND E2E_KIND COUNT_FUNCTION PORT CONNECTIONS MESSAGES
run_delivering() {
  local kind=$1 e2e_kind=$2 count=$3 port=$4 k=$5 n=$6 before started line sent finished
  before=$($count)
  cpu_by_thread > "$work/cpu-before"
  started=$(date +%s.%N)
  line=$("$bin/navette_bench" mllp --port "$port" --connections "$k" --messages "$n" --size "$size")
  echo "$kind $line" | tee -a "$results"
  sent=$(echo "$line" | sed -n 's/.*messages=\([0-9]*\).*/\1/p')
  for _ in $(seq 12000); do [ "$($count)" -ge $((before + sent)) ] && break; sleep 0.01; done
  finished=$(date +%s.%N)
  cpu_by_thread > "$work/cpu-after"
  awk -v kind="$e2e_kind" -v k="$k" -v n="$sent" -v a="$started" -v b="$finished" 'BEGIN {
    printf "%-6s connections=%-3d messages=%-7d all delivered after %5.2f s  %6.0f msg/s\n", kind, k, n, b - a, n / (b - a) }' |
    tee -a "$results"
  record_cpu "$kind" "$k" "$sent"
}

# The CPU the server's threads spent between cpu-before and cpu-after, per
# message: a KINDcpu line a thread and a KINDtotal line.
#   record_cpu KIND CONNECTIONS MESSAGES
record_cpu() {
  awk -v kind="$1" -v k="$2" -v n="$3" 'NR == FNR { before[$1] = $2; next }
    { us = ($2 - before[$1]) / 1000 / n; total += us
      if (us >= 0.05) printf "%scpu connections=%-3d thread=%s us_per_msg=%.1f\n", kind, k, $1, us }
    END { printf "%stotal connections=%-3d us_per_msg=%.1f\n", kind, k, total }' \
    "$work/cpu-before" "$work/cpu-after" >> "$results"
}

# syncfs, which the file deliveries use, writes out everything dirty on the
# file system: a build's gigabytes still in the page cache would be charged
# to the first rounds.
sync
echo "# $(nproc) cores, $(uname -r), $(date -u +%F), ${messages} messages of ${size} bytes (a quarter with 1 connection), ${rounds} rounds"
results="$work/results"
for round in $(seq "$rounds"); do
  start_floor "$round"
  for k in 1 8 32 64; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    cpu_by_thread > "$work/cpu-before"
    echo "floor  $("$bin/navette_bench" mllp --port 12576 --connections "$k" --messages "$n" --size "$size")" |
      tee -a "$results"
    cpu_by_thread > "$work/cpu-after"
    record_cpu floor "$k" "$n"
  done
  stop_server
  files_counter="$work/files-$round.delivered"
  start_floor "$round" --files "$work/files-$round"
  for k in 1 8 32 64; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    run_delivering ffloor fe2e files_written 12576 "$k" "$n"
  done
  stop_server
  start_engine "$round"
  for k in 1 8 32 64; do
    n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
    run_delivering engine e2e delivered 12575 "$k" "$n"
  done
  stop_server
done

# median KIND CONNECTIONS FIELD: the median over the rounds of the figure
# before FIELD ("msg/s"), or after "FIELD=" (p50, p99).
median() {
  awk -v kind="$1" -v k="connections=$2" -v field="$3" '$1 == kind && $3 == k || $1 == kind && $2 == k {
      for (i = 2; i <= NF; i++) {
        if (field == "msg/s" && $i == "msg/s") print $(i - 1)
        if (index($i, field "=") == 1) print substr($i, length(field) + 2)
      } }' "$results" |
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo
echo "# medians of ${rounds} rounds; ACK latency in ms (p50 / p99)"
echo "| connections | minimal server ACK/s | navette ACK/s | navette / minimal | navette end to end/s | end to end / minimal | minimal ACK ms | navette ACK ms |"
echo "|---|---|---|---|---|---|---|---|"
for k in 1 8 32 64; do
  awk -v k="$k" -v f="$(median floor "$k" msg/s)" -v e="$(median engine "$k" msg/s)" \
    -v d="$(median e2e "$k" msg/s)" -v fp50="$(median floor "$k" p50)" -v fp99="$(median floor "$k" p99)" \
    -v ep50="$(median engine "$k" p50)" -v ep99="$(median engine "$k" p99)" 'BEGIN {
    printf "| %d | %d | %d | %.0f %% | %d | %.0f %% | %.2f / %.2f | %.2f / %.2f |\n",
      k, f, e, 100 * e / f, d, 100 * d / f, fp50, fp99, ep50, ep99 }'
done

# The same figures against the floor with files: what delivering one durable
# file a message leaves of the floor, and the engine's share of that.
echo
echo "# the floor with files (medians of ${rounds} rounds): it acknowledges as the minimal server does, then writes each message to a durable file"
echo "| connections | with files ACK/s | ACK / minimal | with files end to end/s | end to end / minimal | navette end to end / with files | with files ACK ms |"
echo "|---|---|---|---|---|---|---|"
for k in 1 8 32 64; do
  awk -v k="$k" -v f="$(median floor "$k" msg/s)" -v fa="$(median ffloor "$k" msg/s)" \
    -v fd="$(median fe2e "$k" msg/s)" -v d="$(median e2e "$k" msg/s)" \
    -v p50="$(median ffloor "$k" p50)" -v p99="$(median ffloor "$k" p99)" 'BEGIN {
    printf "| %d | %d | %.0f %% | %d | %.0f %% | %.0f %% | %.2f / %.2f |\n",
      k, fa, 100 * fa / f, fd, 100 * fd / f, 100 * d / fd, p50, p99 }'
done

# The median of the numbers on stdin as a table cell ("–" when none).
median_cell() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf " %.1f |", v[int((NR + 1) / 2)]; else printf " – |" }'; }

# Where the engine's CPU went: microseconds of CPU per message by thread
# (medians over the rounds), from each run's first send to its last file.
echo
echo "# CPU per message (us, medians of ${rounds} rounds): each server, all its threads, then navette's by thread"
threads=$(awk '$1 == "enginecpu" { sub("thread=", "", $3); print $3 }' "$work/results" | sort -u)
printf '| thread |'; for k in 1 8 32 64; do printf ' %d conn. |' "$k"; done; echo
printf '|---|'; for k in 1 8 32 64; do printf -- '---|'; done; echo
for kind in floor ffloor engine; do
  case $kind in
    floor) printf '| the floor (all) |' ;;
    ffloor) printf '| the floor with files (all) |' ;;
    engine) printf '| navette (all) |' ;;
  esac
  for k in 1 8 32 64; do
    awk -v kind="${kind}total" -v k="connections=$k" '$1 == kind && $2 == k { sub("us_per_msg=", "", $3); print $3 }' \
      "$work/results" | median_cell
  done
  echo
done
for t in $threads; do
  printf '| %s |' "$t"
  for k in 1 8 32 64; do
    awk -v t="thread=$t" -v k="connections=$k" '$1 == "enginecpu" && $2 == k && $3 == t { sub("us_per_msg=", "", $4); print $4 }' \
      "$work/results" | median_cell
  done
  echo
done
