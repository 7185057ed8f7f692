# Peer measurement for `hypersphere bench metrics`: the paper's official uniformity formula
# in PyTorch, timed on the same float32 data. Usage: python3 - X.npy T REPEATS THREADS
import json, sys, time
import numpy as np
import torch

path, t, repeats, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
x = torch.from_numpy(np.load(path))

def uniformity(x):
    return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()

with torch.no_grad():
    value = uniformity(x).item()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        uniformity(x).item()
        times.append(time.perf_counter() - start)
    value64 = uniformity(x.double()).item()

print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                  "seconds": sorted(times)[len(times) // 2], "value": value, "value_float64": value64}))
