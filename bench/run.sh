#!/usr/bin/env bash
# Runs the benchmark the README reports: the engine over MLLP with 1, 8 and 32
# connections, then the store alone with the same concurrency, on this
# machine. Usage: bench/run.sh [BUILD_DIR] [MESSAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
messages=${2:-20000}
bin="$build/bin"
work=$(mktemp -d /tmp/navette-bench-XXXXXX)
trap 'kill "$engine" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

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
"$bin/navette" serve --config "$work/config.yaml" --data-dir "$work/data" --log-level warn &
engine=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18575/readyz >/dev/null && break; sleep 0.1; done

echo "# $(nproc) cores, $(uname -r), $(date -u +%F)"
for k in 1 8 32; do
  n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
  "$bin/navette_bench" mllp --port 12575 --connections "$k" --messages "$n"
done
for k in 1 8 32; do
  n=$messages; [ "$k" -eq 1 ] && n=$((messages / 4))
  "$bin/navette_bench" store --dir "$work/store-only" --connections "$k" --messages "$n"
done
