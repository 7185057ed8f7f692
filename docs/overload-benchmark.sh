#!/usr/bin/env bash
# Overload figures of the service: starts it in Release on 127.0.0.1 (a free port) with its default admission
# settings (or MAX_CONCURRENT / MAX_WAITING) so that more connections than permits overload it, loads
# POST /v1/embeddings (a uint8 .npy batch of 32 images, .npy answers) with Debian's wrk at 32 and then at
# 256 connections, and reports for each: total requests/s, goodput (200 answers/s), 429 answers, other
# statuses and socket errors, p99 latency of the 200 answers only, the bytes the service logged during the
# run, and its RSS. The target line is goodput(256)/goodput(32) >= 0.70: overload should cost little of
# the work the service can do. It reports the ratio; it does not fail on it.
#
# Usage: bash docs/overload-benchmark.sh [MODEL] [SECONDS]
#   MODEL    a models root (its default model; default ./models), a name folder (its latest version) or a
#            version folder (models/<name>/<version>); SECONDS: each measured wrk run (default 20).
# Environment: CONNECTIONS (default "32 256"), MAX_CONCURRENT and MAX_WAITING (Hypersphere:MaxConcurrentRequests and
#   Hypersphere:MaxWaitingRequests; default: the service's own, 64 and 256),
#   THREADS (wrk threads, default 2), BATCH (images per request, default 32), WARMUP (seconds of unreported
#   load at the first connection count before the runs, default 5), PORT (default: a free one), any
#   Hypersphere__* setting (passed to the service), KEEP_LOG (a path to keep the service's log at). The service
#   runs from its output folder, as the image runs from /app, so it logs at its shipped levels (appsettings.json)
#   and the log bytes are what a deployment would write.
#
# Why p99 comes from /metrics: wrk's Lua response() callback sees no times, and wrk's own latency figures mix
# the fast 429 answers with the 200s. The service's histogram
# hypersphere_http_request_duration_seconds{method="POST",route="/v1/embeddings",status="200"} is scraped
# before and after each run; the p99 is interpolated linearly inside the bucket of the difference that holds
# it (server-side time, from the request's arrival in the app to its answer). Status counts come from the
# client side (the Lua script), so answers the server never wrote (resets, timeouts) are not lost.
# Needs: dotnet, wrk (apt-get install -y wrk), curl, /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

model_arg=${1:-models}
seconds=${2:-20}
connection_counts=${CONNECTIONS:-32 256}
max_concurrent=${MAX_CONCURRENT:-}
max_waiting=${MAX_WAITING:-}
threads=${THREADS:-2}
batch=${BATCH:-32}
warmup=${WARMUP:-5}
python=/usr/bin/python3
port=${PORT:-$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
url=http://127.0.0.1:$port
# shellcheck source=docs/service-script-common.sh
source docs/service-script-common.sh

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

# --- which model: the root to serve and, for a name or version folder, the ?model= query -----------------
folder=$(cd "$model_arg" && pwd)
if [ -f "$folder/model.json" ]; then
  root=$(dirname "$(dirname "$folder")"); model="$(basename "$(dirname "$folder")")@$(basename "$folder")"; card=$folder/model.json
elif find "$folder" -mindepth 2 -maxdepth 2 -name model.json | grep -q .; then
  root=$(dirname "$folder"); model=$(basename "$folder")
  card=$(find "$folder" -mindepth 2 -maxdepth 2 -name model.json | sort -V | tail -1)
else
  root=$folder; model=
  card=$(find "$folder" -mindepth 3 -maxdepth 3 -name model.json | sort | head -1)
  [ -n "$card" ] || { echo "no <name>/<version>/model.json under $folder" >&2; exit 1; }
fi
query=${model:+?model=$model}

# --- the request body: BATCH images as one uint8 .npy array (N, C, H, W) ---------------------------------
"$python" - "$card" "$batch" "$work/body" <<'PY'
import gzip, json, os, random, struct, sys
card, batch, out = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
c, h, w = card["input"]["channels"], card["input"]["height"], card["input"]["width"]
fmnist = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
if (c, h, w) == (1, 28, 28) and os.path.exists(fmnist):
    pixels, source = gzip.open(fmnist).read()[16:16 + batch * 784], "Fashion-MNIST test images"
else:
    rng = random.Random(0)
    pixels, source = bytes(rng.randrange(256) for _ in range(batch * c * h * w)), "random pixels"
header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }" % (batch, c, h, w)
header = header.ljust((10 + len(header) + 1 + 63) // 64 * 64 - 10 - 1) + "\n"
body = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + pixels
open(out, "wb").write(body)
print(f"body: {batch} {source} ({c}x{h}x{w}) as one .npy array, {len(body)} bytes")
PY

# Counts answers by status in each wrk thread; done() adds the threads up and prints one line "status count ...".
cat >"$work/overload.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-npy"
wrk.headers["Accept"] = "application/x-npy"
local f = assert(io.open("$work/body", "rb"))
wrk.body = f:read("*a")
f:close()

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local line = "STATUSES"
  for status, count in pairs(total) do
    line = line .. " " .. status .. ":" .. count
  end
  io.write(line .. "\n")
end
LUA

# --- start the service ---------------------------------------------------------------------------------
echo "building the service (Release)"
dotnet build -c Release src/Hypersphere.Service >/dev/null
# Run from the output folder, as the image runs from /app: its appsettings.json (the shipped log levels) is then read.
app=$(pwd)/src/Hypersphere.Service/bin/Release/net10.0
# Unset admission settings keep the service's defaults (appsettings.json).
(cd "$app" && export ${max_concurrent:+Hypersphere__MaxConcurrentRequests=$max_concurrent} ${max_waiting:+Hypersphere__MaxWaitingRequests=$max_waiting} && exec dotnet Hypersphere.Service.dll \
  --urls "$url" --Hypersphere:ModelsPath="$root" --Hypersphere:WatchModels=false >"$work/service.log" 2>&1) &
service_pid=$!
wait_until_ready "$url"
check=$(curl -s -o /dev/null -w '%{http_code}' -H "Content-Type: application/x-npy" -H "Accept: application/x-npy" --data-binary "@$work/body" "$url/v1/embeddings$query")
[ "$check" = 200 ] || { echo "a test request was answered $check" >&2; exit 1; }
echo "service on $url: models root $root${model:+, model $model}, Hypersphere:MaxConcurrentRequests=${max_concurrent:-default}, MaxWaitingRequests=${max_waiting:-default}"

# The p99 of the 200 answers between two scrapes of /metrics: difference of the cumulative buckets, then linear
# interpolation inside the bucket that holds the 99th percentile. Prints "p99_ms count".
p99_between() {
  "$python" - "$1" "$2" <<'PY'
import re, sys
series = re.compile(r'^hypersphere_http_request_duration_seconds_bucket\{(?P<labels>[^}]*)\} (?P<value>\S+)$')
def buckets(path):
    found = {}
    for line in open(path):
        m = series.match(line.strip())
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m["labels"]))
        if labels.get("route") == "/v1/embeddings" and labels.get("status") == "200" and labels.get("method") == "POST":
            found[float("inf") if labels["le"] == "+Inf" else float(labels["le"])] = float(m["value"])
    return found
before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
bounds = sorted(after)
cumulative = [after[b] - before.get(b, 0.0) for b in bounds]
total = cumulative[-1] if cumulative else 0
if total == 0:
    print("n/a 0"); sys.exit()
rank, lower, below = 0.99 * total, 0.0, 0.0
for bound, count in zip(bounds, cumulative):
    if count >= rank:
        if bound == float("inf"):
            print(f">{lower * 1000:.0f} {total:.0f}"); break
        print(f"{(lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)) * 1000:.1f} {total:.0f}"); break
    lower, below = bound, count
PY
}

# --- load it -------------------------------------------------------------------------------------------
first=${connection_counts%% *}
if [ "$warmup" -gt 0 ]; then
  wrk -t"$threads" -c"$first" -d"${warmup}s" --timeout 30s -s "$work/overload.lua" "$url/v1/embeddings$query" >/dev/null
fi

declare -A goodput
results=()
for connections in $connection_counts; do
  curl -fsS "$url/metrics" >"$work/metrics.before"
  log_before=$(stat -c %s "$work/service.log")
  echo
  echo "wrk: ${seconds}s, $connections connections, $threads threads"
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 30s --latency -s "$work/overload.lua" "$url/v1/embeddings$query" >"$work/wrk.txt"
  curl -fsS "$url/metrics" >"$work/metrics.after"
  log_bytes=$(( $(stat -c %s "$work/service.log") - log_before ))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$service_pid/status")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$service_pid/status")
  grep -E "Requests/sec|Socket errors|requests in|Latency  " "$work/wrk.txt" | sed 's/^/  wrk: /'

  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
  elapsed=$(awk '/requests in/ {for (i = 1; i <= NF; i++) if ($i == "in") {v = $(i + 1); sub(/,$/, "", v); print v}}' "$work/wrk.txt")
  statuses=$(grep '^STATUSES' "$work/wrk.txt" | cut -d' ' -f2-)
  read -r ok rejected other <<<"$("$python" - "$statuses" <<'PY'
import sys
counts = dict(pair.split(":") for pair in sys.argv[1].split())
ok, rejected = int(counts.pop("200", 0)), int(counts.pop("429", 0))
print(ok, rejected, ",".join(f"{s}:{c}" for s, c in sorted(counts.items())) or "none")
PY
)"
  secs=$("$python" -c "import sys, re; v = sys.argv[1]; m = re.match(r'([\d.]+)(ms|s|m)', v); print(float(m[1]) * {'ms': 0.001, 's': 1, 'm': 60}[m[2]])" "$elapsed")
  good=$(awk -v n="$ok" -v s="$secs" 'BEGIN {printf "%.1f", n / s}')
  goodput[$connections]=$good
  read -r p99 counted <<<"$(p99_between "$work/metrics.before" "$work/metrics.after")"
  socket_errors=$(grep -E "Socket errors" "$work/wrk.txt" | sed 's/^ *Socket errors: //' || true)
  answers=$(grep -E "requests in" "$work/wrk.txt" | awk '{print $1}')
  per_answer=$(awk -v b="$log_bytes" -v n="$answers" 'BEGIN {printf "%.0f", (n > 0 ? b / n : 0)}')
  results+=("$(printf '%-11s %9s %10s %10s %-16s %-28s %12s %12s %10s %14s' "$connections" "$rps" "$good" "$rejected" "$other" "${socket_errors:-none}" "$p99" "$log_bytes" "$per_answer" "$((rss / 1024))/$((hwm / 1024))")")
done

# --- summary -------------------------------------------------------------------------------------------
echo
echo "overload: Hypersphere:MaxConcurrentRequests=${max_concurrent:-default}, MaxWaitingRequests=${max_waiting:-default}, $batch images per request, ${seconds}s per run"
printf '%-11s %9s %10s %10s %-16s %-28s %12s %12s %10s %14s\n' connections "req/s" "goodput/s" "429s" "other status" "socket errors" "p99 200s ms" "log bytes" "log B/req" "RSS/peak MiB"
for line in "${results[@]}"; do echo "$line"; done
set -- $connection_counts
if [ $# -ge 2 ]; then
  low=$1; high=${!#}
  ratio=$(awk -v a="${goodput[$high]}" -v b="${goodput[$low]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
  verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.70 ? "meets" : "MISSES")}')
  echo "goodput($high)/goodput($low) = $ratio: $verdict the target >= 0.70"
fi

kill -TERM "$service_pid"
wait "$service_pid" 2>/dev/null || true
service_pid=
echo "service stopped (SIGTERM)"
