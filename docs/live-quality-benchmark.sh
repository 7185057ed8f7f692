#!/usr/bin/env bash
# The cost of live quality (docs/architecture.md §5 "Live quality"): HTTP .npy embedding throughput with the
# monitor on (the defaults: a window of 4096 rows per version, every row offered, a report every 15 s) and off
# (Hypersphere__LiveQualityWindow=0), in the same run. Each round runs docs/service-benchmark.sh once off and
# once on (off first in odd rounds, on first in even ones, so a drift of the machine's load falls on both), then
# it prints every round's embeddings/s, RSS and CPU seconds (the whole service's since its start, and the live quality
# thread's: the monitor's own cost, which a loaded machine's noise does not hide), the medians and the ratio on/off
# (the target is ≥ 0.97).
#
# Usage: bash docs/live-quality-benchmark.sh [MODEL] [SECONDS] [ROUNDS]
#   MODEL    as docs/service-benchmark.sh takes it (default models/fmnist-align-uniform/2)
#   SECONDS  of each measured run (default 20); ROUNDS (default 3). CONNECTIONS (default 4), WARMUP and the
#   other settings of docs/service-benchmark.sh apply to every run; FORMAT is npy.
set -euo pipefail
cd "$(dirname "$0")/.."

model=${1:-models/fmnist-align-uniform/2}
seconds=${2:-20}
rounds=${3:-3}
connections=${CONNECTIONS:-4}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

run() { # $1: on or off
  local window out
  window=$([ "$1" = on ] && echo 4096 || echo 0)
  out=$(FORMAT=npy Hypersphere__LiveQualityWindow=$window bash docs/service-benchmark.sh "$model" "$seconds" "$connections")
  echo "$1 $(awk '/^embeddings\/s:/ {print $2}' <<<"$out") $(awk '/^service RSS:/ {print $3}' <<<"$out") $(awk '/^service CPU:/ {print $3, $13}' <<<"$out")" | tee -a "$results"
  if grep -q WARNING <<<"$out"; then grep WARNING <<<"$out" >&2; fi
}

echo "live quality on (LiveQualityWindow 4096) vs off (0): $model, $rounds rounds of ${seconds} s, $connections connections, .npy"
echo "mode embeddings/s RSS_MiB service_CPU_s live_thread_CPU_s"
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then run off; run on; else run on; run off; fi
done

median() { awk -v m="$1" '$1 == m {print $2}' "$results" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
off=$(median off)
on=$(median on)
echo
echo "median embeddings/s: off $off, on $on"
echo "ratio on/off:        $(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a / b}') (target >= 0.97)"
