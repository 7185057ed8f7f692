#!/usr/bin/env bash
# Memory under repeated hostile input: starts the service in Release on 127.0.0.1:8091 with the shipped models,
# sends ROUNDS rounds of the same ~700 malformed requests (broken JSON, invalid UTF-8, duplicate keys, huge numbers,
# .npy files with broken headers, requests of 10 zero-filled 5000×5000 PNGs, oversized quality matrices), and after
# each round prints the service's RSS, its managed heap (dotnet_total_memory_bytes from /metrics), and how many
# answers were 5xx (should be 0). Then stops the service with SIGTERM.
#
# Usage: bash docs/hostile-soak.sh [ROUNDS]      (default 10)
# Needs: dotnet, /usr/bin/python3. Any Hypersphere__* setting in the environment is passed to the service, and so
# are MALLOC_ARENA_MAX and DOTNET_* settings (the container images set MALLOC_ARENA_MAX=2; compare with and without).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
url=http://127.0.0.1:8091
# shellcheck source=docs/service-script-common.sh
source docs/service-script-common.sh

dotnet build src/Hypersphere.Service -c Release -v quiet -nologo >/dev/null
# Run from the output folder, as the image runs from /app: its appsettings.json (the shipped log levels) is then read.
models=$PWD/models
(cd src/Hypersphere.Service/bin/Release/net10.0 && exec dotnet Hypersphere.Service.dll --urls "$url" \
  --Hypersphere:ModelsPath "$models" --Hypersphere:ExecutionProvider cpu >"$work/service.log" 2>&1) &
service_pid=$!
wait_until_ready "$url"

/usr/bin/python3 - "$url" "$rounds" "$service_pid" <<'PY'
import http.client, json, random, struct, sys, zlib, base64, urllib.parse
url, rounds, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]
host = urllib.parse.urlparse(url)
rng = random.Random(7)

def png_zero(w, h):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (w * 4)
    data = b"".join(raw.compress(row) for _ in range(h)) + raw.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) + chunk(b"IDAT", data) + chunk(b"IEND", b"")

big = base64.b64encode(png_zero(5000, 5000)).decode()
def npy(header, data=b""):
    h = header.encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data

corpus = []
for i in range(300):
    kind = i % 6
    if kind == 0: body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    elif kind == 1: body = b'{"input": "\xff\xfe' + bytes(rng.randrange(128, 256) for _ in range(50)) + b'"}'
    elif kind == 2: body = b'{"model":"nope","model":"fmnist-align-uniform","input":"AAAA"}'
    elif kind == 3: body = json.dumps({"input": [[1e308] * 784] * 8}).encode()
    elif kind == 4: body = b'{"input": "\\ud800"}'
    else: body = ("[" * 5000).encode()
    corpus.append(("POST", "/v1/embeddings", "application/json", body))
for i in range(200):
    kind = i % 5
    if kind == 0: body = b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFFF) + b"{}"
    elif kind == 1: body = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (abc,), }")
    elif kind == 2: body = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1180591620717411303424, 28, 28), }")
    elif kind == 3: body = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (64, 28, 28), }", bytes(1000))
    else: body = npy("{'descr': '<f8', 'fortran_order': True, 'shape': (8, 28, 28), }", bytes(8 * 784 * 8))
    corpus.append(("POST", "/v1/embeddings", "application/x-npy", body))
for i in range(20):
    corpus.append(("POST", "/v1/embeddings", "application/json", json.dumps({"input": [big] * 10}).encode()))
for i in range(180):
    n = 4096 if i % 2 else 1024
    corpus.append(("POST", "/v1/quality", "application/json", json.dumps({"embeddings": [[1.0, 0.0, 0.0, 0.0]] * n, "alpha": 1e6 if i % 3 else 2, "t": 1e300}).encode()))

def rss_mb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
def heap_mb(conn):
    conn.request("GET", "/metrics"); text = conn.getresponse().read().decode()
    for line in text.splitlines():
        if line.startswith("dotnet_total_memory_bytes "): return float(line.split()[1]) / 2**20
    return float("nan")

conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
print(f"{'round':>5} {'requests':>8} {'5xx':>4} {'RSS MiB':>8} {'heap MiB':>9}")
print(f"{0:>5} {0:>8} {0:>4} {rss_mb():>8.0f} {heap_mb(conn):>9.0f}")
for r in range(1, rounds + 1):
    fives = 0
    for method, path, ctype, body in corpus:
        try:
            conn.request(method, path, body=body, headers={"Content-Type": ctype, "Accept": "application/x-npy" if r % 2 else "application/json"})
            status = conn.getresponse(); status.read()
            fives += status.status >= 500
        except (http.client.HTTPException, OSError):
            conn.close(); conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
    print(f"{r:>5} {len(corpus):>8} {fives:>4} {rss_mb():>8.0f} {heap_mb(conn):>9.0f}", flush=True)
PY
echo "service log: $(wc -c <"$work/service.log") bytes"
