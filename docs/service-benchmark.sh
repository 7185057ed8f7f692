#!/usr/bin/env bash
# HTTP throughput of the service at batch 32: starts it in Release on 127.0.0.1:8089 with one model, loads it
# with Debian's wrk on loopback (POST /v1/embeddings, 32 images per request in one of three forms), prints
# requests/s, embeddings/s, p50/p99 latency and the service's RSS, then stops it with SIGTERM.
#
# Usage: bash docs/service-benchmark.sh [MODEL] [SECONDS] [CONNECTIONS]
#   MODEL        a version folder (models/<name>/<version>), a name folder (its latest version) or a models
#                root (its default model); default: ./models if it holds a model, else a toy model built
#                here with Debian's python3-onnx (1×28×28 → 128, one MatMul and the L2 normalisation).
#   SECONDS      how long wrk runs (default 20); CONNECTIONS: concurrent connections (default 4).
# Environment: FORMAT (default npy): npy = one uint8 .npy array (N, C, H, W) in, a .npy float32 answer
#   (Content-Type and Accept application/x-npy); png = JSON with base64 PNG images in, base64 float32 rows out;
#   json = JSON arrays of C·H·W normalised floats in, JSON numbers out. Images are Fashion-MNIST test images
#   when the model takes 1×28×28 and Debian's dataset-fashion-mnist is installed, else random pixels.
#   THREADS (wrk threads, default 2), BATCH (images per request, default 32), WARMUP (seconds of unreported
#   load before the measured run, default 5),
#   API_KEY (sent as a bearer key; the service is started without keys unless Hypersphere__ApiKeys is set),
#   any Hypersphere__* setting (e.g. Hypersphere__MaxBatchSize=64) is passed to the service.
# Needs: dotnet, wrk (apt-get install -y wrk), /usr/bin/python3 (for the body; python3-onnx for the toy model).
set -euo pipefail
cd "$(dirname "$0")/.."

model_arg=${1:-}
seconds=${2:-20}
connections=${3:-4}
threads=${THREADS:-2}
batch=${BATCH:-32}
format=${FORMAT:-npy}
url=http://127.0.0.1:8089
python=/usr/bin/python3
# shellcheck source=docs/service-script-common.sh
source docs/service-script-common.sh

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

# --- which model: root, name@version ------------------------------------------------------------------
build_toy() {
  "$python" - "$1" <<'PY'
import hashlib, json, os, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
folder = os.path.join(sys.argv[1], "toy", "1")
os.makedirs(folder)
c, h, w, d = 1, 28, 28, 128
weights = np.random.default_rng(0).normal(0.0, 0.05, size=(c * h * w, d)).astype(np.float32)
nodes = [
    helper.make_node("Flatten", ["images"], ["flat"], axis=1),
    helper.make_node("MatMul", ["flat", "W"], ["embedding_raw"]),
    helper.make_node("ReduceL2", ["embedding_raw"], ["norm"], axes=[1], keepdims=1),
    helper.make_node("Max", ["norm", "eps"], ["safe_norm"]),
    helper.make_node("Div", ["embedding_raw", "safe_norm"], ["embedding"]),
]
graph = helper.make_graph(nodes, "toy",
    [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", c, h, w])],
    [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", d])],
    [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "eps")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="service-benchmark")
model.ir_version = 8
onnx.checker.check_model(model)
path = os.path.join(folder, "model.onnx")
onnx.save(model, path)
data = open(path, "rb").read()
card = {
    "name": "toy", "version": "1", "created": "2026-01-01T00:00:00+00:00",
    "input": {"channels": c, "height": h, "width": w, "mean": [0.2860], "std": [0.3530], "resize": "stretch"},
    "embedding_dim": d,
    "onnx": {"file": "model.onnx", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
             "ir_version": 8, "opset": 17, "input": "images", "outputs": ["embedding"]},
    "training": {"dataset": "none", "loss": "none", "loss_parameters": {}, "epochs": 0, "batch_size": 0,
                 "width": 1.0, "seed": 0, "source_commit": None},
    "evaluation": None,
}
json.dump(card, open(os.path.join(folder, "model.json"), "w"), indent=2)
PY
}

if [ -z "$model_arg" ]; then
  if find models -mindepth 3 -maxdepth 3 -name model.json 2>/dev/null | grep -q .; then
    model_arg=models
  else
    echo "no model under ./models: building a toy model with python3-onnx"
    build_toy "$work/models"
    model_arg=$work/models
  fi
fi

folder=$(cd "$model_arg" && pwd)
if [ -f "$folder/model.json" ]; then                       # a version folder
  root=$(dirname "$(dirname "$folder")"); model="$(basename "$(dirname "$folder")")@$(basename "$folder")"
  card=$folder/model.json
elif find "$folder" -mindepth 2 -maxdepth 2 -name model.json | grep -q .; then   # a name folder
  root=$(dirname "$folder"); model=$(basename "$folder")
  card=$(find "$folder" -mindepth 2 -maxdepth 2 -name model.json | sort -V | tail -1)
else                                                      # a models root
  root=$folder; model=
  card=$(find "$folder" -mindepth 3 -maxdepth 3 -name model.json | sort | head -1)
  [ -n "$card" ] || { echo "no <name>/<version>/model.json under $folder" >&2; exit 1; }
fi

# --- the request body: BATCH images in FORMAT ------------------------------------------------------------
"$python" - "$card" "$batch" "$model" "$format" "$work" <<'PY'
import base64, gzip, json, os, random, struct, sys, zlib
card, batch, model, fmt, work = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
c, h, w = card["input"]["channels"], card["input"]["height"], card["input"]["width"]
rng = random.Random(0)
fmnist = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
if (c, h, w) == (1, 28, 28) and os.path.exists(fmnist):          # real images where they fit the model
    data = gzip.open(fmnist).read()[16:16 + batch * 784]
    images, source = [data[i * 784:(i + 1) * 784] for i in range(batch)], "Fashion-MNIST test images"
else:
    images, source = [bytes(rng.randrange(256) for _ in range(c * h * w)) for _ in range(batch)], "random pixels"

def png(planes):                                                   # 8-bit gray or RGB, filter 0 per row
    rows = [bytes([0]) + bytes(planes[ch * h * w + y * w + x] for x in range(w) for ch in range(c)) for y in range(h)]
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0 if c == 1 else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")

headers = {"Content-Type": "application/json"}
query = ""
if fmt == "json":        # C·H·W floats per image, normalised with the card's mean and std; float answers
    mean, std = card["input"]["mean"], card["input"]["std"]
    rows = [[round((img[i] / 255.0 - mean[i // (h * w)]) / std[i // (h * w)], 4) for i in range(c * h * w)] for img in images]
    body = {"input": rows}
    if model: body["model"] = model
    payload = json.dumps(body, separators=(",", ":")).encode()
elif fmt == "png":       # base64 PNG images; base64 float32 answers
    body = {"input": [base64.b64encode(png(img)).decode() for img in images], "encoding_format": "base64"}
    if model: body["model"] = model
    payload = json.dumps(body, separators=(",", ":")).encode()
elif fmt == "npy":       # one uint8 array (N, C, H, W); a .npy float32 answer
    header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }" % (batch, c, h, w)
    header = header.ljust((10 + len(header) + 1 + 63) // 64 * 64 - 10 - 1) + "\n"
    payload = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + b"".join(images)
    headers = {"Content-Type": "application/x-npy", "Accept": "application/x-npy"}
    query = "?model=" + model if model else ""
else:
    sys.exit(f"FORMAT must be json, png or npy, not {fmt}")
open(os.path.join(work, "body"), "wb").write(payload)
open(os.path.join(work, "headers"), "w").write("".join(f"{k}: {v}\n" for k, v in headers.items()))
open(os.path.join(work, "query"), "w").write(query)
print(f"model {model or '(default)'} from {sys.argv[1]}: {batch} {source} as {fmt}, body {len(payload)} bytes")
PY
query=$(cat "$work/query")
{
  echo 'wrk.method = "POST"'
  while IFS=': ' read -r name value; do echo "wrk.headers[\"$name\"] = \"$value\""; done <"$work/headers"
  cat <<LUA
local key = os.getenv("API_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local f = assert(io.open("$work/body", "rb"))
wrk.body = f:read("*a")
f:close()
LUA
} >"$work/post.lua"
curl_headers=()
while IFS= read -r line; do curl_headers+=(-H "$line"); done <"$work/headers"

# --- start the service ---------------------------------------------------------------------------------
echo "building the service (Release)"
dotnet build -c Release src/Hypersphere.Service >/dev/null
dotnet src/Hypersphere.Service/bin/Release/net10.0/Hypersphere.Service.dll \
  --urls "$url" --Hypersphere:ModelsPath="$root" --Hypersphere:WatchModels=false \
  --Logging:LogLevel:Default=Warning >"$work/service.log" 2>&1 &
service_pid=$!
wait_until_ready "$url"
provider=$(curl -fsS "$url/healthz/ready" | "$python" -c 'import json,sys; print(", ".join("%s on %s" % (m["id"], m["provider"]) for m in json.load(sys.stdin)["models"]))')
check=$(curl -s -o /dev/null -w '%{http_code}' "${curl_headers[@]}" ${API_KEY:+-H "Authorization: Bearer $API_KEY"} --data-binary "@$work/body" "$url/v1/embeddings$query")
[ "$check" = 200 ] || { echo "a test request was answered $check" >&2; exit 1; }
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$service_pid/status")

# --- load it -------------------------------------------------------------------------------------------
# A warm-up first (WARMUP seconds, default 5, not reported), so the measured run sees steady state: .NET's
# tiered JIT has recompiled the hot request path by then, as the in-process benchmark's path is after its warm-up.
warmup=${WARMUP:-5}
if [ "$warmup" -gt 0 ]; then
  wrk -t"$threads" -c"$connections" -d"${warmup}s" --timeout 30s -s "$work/post.lua" "$url/v1/embeddings$query" >/dev/null
fi
echo "wrk: ${seconds}s, $connections connections, $threads threads, $batch images per request as $format ($provider)"
wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 30s --latency -s "$work/post.lua" "$url/v1/embeddings$query" | tee "$work/wrk.txt"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$service_pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$service_pid/status")
# CPU seconds of the whole process and of the live quality thread (named live-quality; absent when it is off).
ticks=$(getconf CLK_TCK)
cpu=$(awk -v t="$ticks" '{printf "%.1f", ($14 + $15) / t}' "/proc/$service_pid/stat")
live_cpu=0.0
for task in /proc/"$service_pid"/task/*; do
  if [ "$(cat "$task/comm" 2>/dev/null)" = live-quality ]; then
    live_cpu=$(awk -v t="$ticks" '{printf "%.1f", ($14 + $15) / t}' "$task/stat")
  fi
done

# --- summary -------------------------------------------------------------------------------------------
rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$work/wrk.txt")
echo
echo "requests/s:    $rps"
echo "embeddings/s:  $(awk -v r="$rps" -v b="$batch" 'BEGIN {printf "%.0f", r * b}')"
echo "latency:       p50 $p50, p99 $p99"
echo "service RSS:   $((rss / 1024)) MiB after the run (peak $((hwm / 1024)) MiB, idle after warm-up $((rss_idle / 1024)) MiB)"
echo "service CPU:   $cpu s since start, of which the live quality thread $live_cpu s"
[ -z "$errors" ] || echo "WARNING: $errors answers were not 2xx (429 means the queue was full: raise Hypersphere__MaxQueue)"

kill -TERM "$service_pid"
wait "$service_pid" 2>/dev/null || true
service_pid=
echo "service stopped (SIGTERM)"
