#!/usr/bin/env bash
# The HTML report against the JSON answer of POST /v1/quality: starts the service in Release on 127.0.0.1:8090,
# posts the same request (N embeddings of dimension D with positives and labels) with Accept: application/json
# and with Accept: text/html alternately (the order swapped every round, so neither always runs second), and prints
# each one's median and mean time (curl's time_total) and the ratio HTML / JSON of the medians. Then stops the
# service with SIGTERM.
#
# Usage: bash docs/quality-report-benchmark.sh [N] [D] [ROUNDS]
#   N (default 2000) rows, D (default 128) dimensions, ROUNDS (default 20) measured pairs after WARMUP (default 5).
# Environment: BODY (default form): form = the multipart/form-data form of .npy files (curl -F embeddings=@x.npy
#   -F positives=@y.npy -F labels=@labels.npy, as a NumPy user sends it); json = one JSON body {embeddings,
#   positives, labels}. API_KEY is sent as a bearer key when set; any Hypersphere__* setting is passed to the service.
#   The embeddings are seeded Gaussian rows normalised to the sphere, the positives those rows plus 0.1 × noise
#   renormalised, the labels 10 classes; the figures and numbers do not depend on a model, so none is loaded but
#   the service's own readiness needs one: ./models (the shipped models) or, without one, service-benchmark.sh's toy.
# Needs: dotnet, curl, /usr/bin/python3 with numpy (python3-numpy).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-2000}
d=${2:-128}
rounds=${3:-20}
warmup=${WARMUP:-5}
body=${BODY:-form}
url=http://127.0.0.1:8090
python=/usr/bin/python3
# shellcheck source=docs/service-script-common.sh
source docs/service-script-common.sh

find models -mindepth 3 -maxdepth 3 -name model.json 2>/dev/null | grep -q . \
  || { echo "no model under ./models (the service is ready only with one): run from a checkout with the shipped models" >&2; exit 1; }

# --- the request: N unit rows, positives, labels --------------------------------------------------------------
"$python" - "$n" "$d" "$work" "$body" <<'PY'
import json, sys
import numpy as np
n, d, work, body = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = np.random.default_rng(0)
x = rng.normal(size=(n, d)); x /= np.linalg.norm(x, axis=1, keepdims=True)
y = x + 0.1 * rng.normal(size=(n, d)); y /= np.linalg.norm(y, axis=1, keepdims=True)
labels = rng.integers(0, 10, size=n)
np.save(f"{work}/x.npy", x.astype(np.float32)); np.save(f"{work}/y.npy", y.astype(np.float32)); np.save(f"{work}/labels.npy", labels)
if body == "json":
    with open(f"{work}/body.json", "w") as f:
        json.dump({"embeddings": x.astype(np.float32).tolist(), "positives": y.astype(np.float32).tolist(), "labels": labels.tolist()}, f)
print(f"{n} × {d} float32 embeddings with positives and 10 classes of labels, sent as {body}")
PY
if [ "$body" = json ]; then
  request=(-H "Content-Type: application/json" --data-binary "@$work/body.json")
elif [ "$body" = form ]; then
  request=(-F "embeddings=@$work/x.npy" -F "positives=@$work/y.npy" -F "labels=@$work/labels.npy")
else
  echo "BODY must be form or json, not $body" >&2; exit 1
fi
auth=(); [ -z "${API_KEY:-}" ] || auth=(-H "Authorization: Bearer $API_KEY")

# --- start the service -----------------------------------------------------------------------------------------
echo "building the service (Release)"
dotnet build -c Release src/Hypersphere.Service >/dev/null
dotnet src/Hypersphere.Service/bin/Release/net10.0/Hypersphere.Service.dll \
  --urls "$url" --Hypersphere:ModelsPath="$PWD/models" --Hypersphere:WatchModels=false \
  --Logging:LogLevel:Default=Warning >"$work/service.log" 2>&1 &
service_pid=$!
wait_until_ready "$url"

# One timed request: prints curl's time_total; fails unless 200 with the asked-for type.
post() {
  local accept=$1 out
  out=$(curl -s -o "$work/answer" -w '%{http_code}|%{time_total}|%{content_type}' -H "Accept: $accept" "${auth[@]}" "${request[@]}" "$url/v1/quality")
  IFS='|' read -r code seconds type <<<"$out"
  [ "$code" = 200 ] && [[ $type == "$accept"* ]] || { echo "Accept: $accept was answered $code $type: $(head -c 300 "$work/answer")" >&2; exit 1; }
  echo "$seconds"
}

for _ in $(seq 1 "$warmup"); do post application/json >/dev/null; post text/html >/dev/null; done
html_bytes=$(wc -c <"$work/answer")
: >"$work/json.txt"; : >"$work/html.txt"
for i in $(seq 1 "$rounds"); do
  if [ $((i % 2)) -eq 1 ]; then
    post application/json >>"$work/json.txt"; post text/html >>"$work/html.txt"
  else
    post text/html >>"$work/html.txt"; post application/json >>"$work/json.txt"
  fi
done

# --- summary -----------------------------------------------------------------------------------------------------
"$python" - "$work" "$rounds" "$n" "$d" "$html_bytes" <<'PY'
import statistics, sys
work, rounds, n, d, html_bytes = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
json_t = [float(v) for v in open(f"{work}/json.txt")]
html_t = [float(v) for v in open(f"{work}/html.txt")]
jm, hm = statistics.median(json_t), statistics.median(html_t)
print(f"N = {n}, d = {d}: {rounds} requests each, alternating")
print(f"JSON (Accept: application/json): median {jm * 1000:.1f} ms, mean {statistics.mean(json_t) * 1000:.1f} ms, min {min(json_t) * 1000:.1f} ms")
print(f"HTML (Accept: text/html):        median {hm * 1000:.1f} ms, mean {statistics.mean(html_t) * 1000:.1f} ms, min {min(html_t) * 1000:.1f} ms ({html_bytes / 1024:.0f} KiB)")
print(f"ratio HTML / JSON (medians):     {hm / jm:.3f}  (target ≤ 1.1)")
PY

kill -TERM "$service_pid"
wait "$service_pid" 2>/dev/null || true
service_pid=
