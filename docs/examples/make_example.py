"""Writes the example embeddings that the README's `hypersphere quality` line measures.

1000 unit vectors in 32 dimensions drawn around 10 class centres (labels.txt), and a positive
view of each (the same vector perturbed and renormalised), as float32 .npy. Seeded.
Run: /usr/bin/python3 docs/examples/make_example.py  (needs python3-numpy)
"""
import os
import numpy as np

rng = np.random.default_rng(2020)
n, d, classes = 1000, 32, 10
unit = lambda a: a / np.linalg.norm(a, axis=1, keepdims=True)
centres = unit(rng.standard_normal((classes, d)))
labels = rng.integers(0, classes, n)
x = unit(centres[labels] + 0.45 * rng.standard_normal((n, d)))
y = unit(x + 0.25 * rng.standard_normal((n, d)))
here = os.path.dirname(os.path.abspath(__file__))
np.save(os.path.join(here, "embeddings.npy"), x.astype(np.float32))
np.save(os.path.join(here, "positives.npy"), y.astype(np.float32))
with open(os.path.join(here, "labels.txt"), "w") as f:
    f.write("\n".join(str(l) for l in labels) + "\n")
