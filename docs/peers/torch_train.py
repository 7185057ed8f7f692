#!/usr/bin/python3
"""PyTorch peer of Hypersphere's C# trainer, for a side-by-side speed comparison.

Measures training throughput (images per second) of the same work per step as
`hypersphere train` on Fashion-MNIST, with Debian's python3-torch (1.13) and numpy only
(no torchvision). Each piece mirrors a C# file in src/Hypersphere.Training:

- Models/SmallAlexNet.cs, Models/EncoderConfig.cs: five 3x3 conv blocks without bias, each
  BatchNorm2d + ReLU, 3/2 max-pool after blocks 1, 2 and 5; fc6 and fc7 without bias, each
  BatchNorm1d + ReLU; fc8 with bias; L2 normalisation. Channels = max(1, round(base * width))
  with round-half-to-even (C#'s Math.Round and Python's round agree). Weights N(0, 0.02),
  BatchNorm scale 1 / shift 0, biases 0.
- Losses/HypersphereLosses.cs, Losses/TrainingObjective.cs: both views go through the encoder
  in ONE forward pass of the concatenated 2B batch, then split. Alignment (alpha = 2), the
  uniformity of each view (Gram-based squared distances clamped at 0, pairs i < j via
  triu_indices, logsumexp minus log count) averaged over the two views, and for
  `--loss contrastive` the symmetric InfoNCE (tau = 0.5). Alignment and uniformity are computed
  in every mode (the C# code logs them), the loss is built as 0 + w * term for each weight > 0.
- Augmentation/ViewAugmenter.cs: per image RandomResizedCrop (torchvision's get_params:
  10 tries of scale in [0.2, 1] and log-uniform ratio in [3/4, 4/3], then a centre crop) and a
  horizontal flip, all done by one affine_grid + grid_sample (bilinear, border padding,
  align_corners = False); then brightness and contrast jitter (0.4, per-image factors, the two
  in a random order per batch) for grayscale; then normalisation with the data set's mean/std.
- Data/AugmentedBatches.cs: a seeded permutation per epoch, full batches only (the last
  incomplete batch is dropped), both views made on a background thread that runs up to 3
  batches ahead (a bounded queue), one producer per epoch; every random choice derives from
  (seed, epoch, batch, view) through the same SplitMix64-style mix as Seeds.cs.
- Training/Trainer.cs: SGD (momentum 0.9, dampening 0, weight decay 1e-4, not Nesterov; one
  parameter at a time like TorchSharp's managed SGD, so foreach=False) with lr = 0.12 * B / 256;
  per step: loss, loss.item() and a finiteness check, zero_grad (gradients zeroed in place, as
  TorchSharp's OptimizerHelper does), backward, step, then alignment.item() and
  uniformity.item().

The random generators differ from .NET's System.Random, so the crops and the weights are not
bit-identical to the C# run; the amount and kind of work per step is. Not mirrored: the C#
trainer's checkpoint at the end of each epoch and its progress display (neither is per step),
and the step learning-rate schedule (its first drop is at 77.5 % of the epochs).

BLAS: Debian's torch is built with BLAS_INFO=generic, so its Linear layers and the loss's Gram
matrices run on whatever /usr/lib/x86_64-linux-gnu/libblas.so.3 points to (update-alternatives).
With only libblas3 installed that is the reference (netlib) BLAS, single-threaded and about
3 GFLOP/s here (a 512x1024 @ 1024x1024 matmul), which by FLOP count is about half of a
B = 256 step; the convolutions use oneDNN either way. Installing
libopenblas0-pthread switches the alternative to OpenBLAS. The JSON's "blas" field names the
library that was actually loaded: report it with every number.

Timing: --warmup steps untimed, then --steps steps timed with a wall clock, including any wait
for the augmentation thread. Prints one JSON line on stdout, e.g.

    /usr/bin/python3 docs/peers/torch_train.py --threads 2 --batch-size 512 --steps 30
"""

import argparse
import contextlib
import gzip
import json
import math
import os
import queue
import random
import struct
import sys
import threading
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
PREFETCH = 3  # AugmentedBatches.Prefetch
MOMENTUM = 0.9  # TrainConfig.Momentum
WEIGHT_DECAY = 1e-4  # TrainConfig.WeightDecay
BASE_CONV_CHANNELS = [96, 192, 384, 384, 192]  # EncoderConfig.BaseConvChannels
BASE_FC_UNITS = 4096  # EncoderConfig.BaseFcUnits
MASK64 = (1 << 64) - 1

# LossSpec.FromPreset: (align weight, uniform weight, contrastive weight, alpha, t, tau)
PRESETS = {
    "align-uniform": (1.0, 1.0, 0.0, 2.0, 2.0, 0.5),
    "contrastive": (0.0, 0.0, 1.0, 2.0, 2.0, 0.5),
}


# ---------------------------------------------------------------- seeds (Seeds.cs)

def _scramble(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mix(seed, *coordinates):
    """Seeds.Mix: a SplitMix64-style hash of the run seed and coordinates, a non-negative int."""
    state = seed & MASK64
    for c in coordinates:
        state = _scramble(state ^ _scramble((c + 0x9E3779B97F4A7C15) & MASK64))
    return _scramble(state) >> 33


# ---------------------------------------------------------------- data (IdxFile.cs, ImageDataset.cs)

def read_idx_images(path):
    """Images of an IDX file (magic 0x803: unsigned bytes, N x rows x columns), as uint8 [N, 1, H, W]."""
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 16:
        raise SystemExit(f"'{path}' is truncated: an IDX image header needs 16 bytes")
    magic, n, rows, cols = struct.unpack(">iIII", raw[:16])
    if magic != 0x00000803:
        raise SystemExit(f"'{path}' starts with magic 0x{magic:08X}, but an IDX image file starts with 0x00000803")
    if len(raw) != 16 + n * rows * cols:
        raise SystemExit(f"'{path}' holds {len(raw) - 16} data bytes, but its header declares {n}x{rows}x{cols}")
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols)


def load_fashion_mnist(data_dir, limit):
    for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            break
    else:
        raise SystemExit(f"Fashion-MNIST train-images-idx3-ubyte(.gz) is missing from '{data_dir}' "
                         "(apt-get install dataset-fashion-mnist)")
    pixels = read_idx_images(path)
    if limit > 0:
        pixels = pixels[:limit]  # ImageDataset.Take: the first N images
    return np.ascontiguousarray(pixels)


def channel_statistics(pixels):
    """ImageDataset.ChannelStatistics: per-channel mean and population std of pixels / 255 (float64 sums)."""
    n, c = pixels.shape[0], pixels.shape[1]
    mean, std = [], []
    for ch in range(c):
        plane = pixels[:, ch].astype(np.int64)
        count = float(plane.size)
        m = float(plane.sum()) / 255.0 / count
        squares = float((plane * plane).sum()) / (255.0 * 255.0) / count
        mean.append(m)
        std.append(math.sqrt(max(squares - m * m, 1e-12)))
    return np.array(mean, dtype=np.float32), np.array(std, dtype=np.float32)


# ---------------------------------------------------------------- augmentation (ViewAugmenter.cs)

class ViewAugmenter:
    MIN_LOG_RATIO = math.log(3.0 / 4)
    MAX_LOG_RATIO = math.log(4.0 / 3)

    def __init__(self, output_size, crop_scale_min, mean, std, brightness=0.4, contrast=0.4, crop_scale_max=1.0):
        self.size = output_size
        self.scale_min = crop_scale_min
        self.scale_max = crop_scale_max
        self.brightness = brightness
        self.contrast = contrast
        self.channels = len(mean)
        if self.channels != 1:
            raise SystemExit("this peer mirrors the grayscale (Fashion-MNIST) recipe only")
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, self.channels, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, self.channels, 1, 1)

    def augment(self, images, rng):
        """One random view of each image: uint8 [B, C, H, W] -> normalised float [B, C, S, S]."""
        x = images.to(torch.float32) / 255.0
        b = x.shape[0]
        x = self._resized_crop_and_flip(x, b, rng)
        x = self._jitter(x, b, rng)
        return (x - self.mean) / self.std

    def _resized_crop_and_flip(self, x, b, rng):
        height, width = x.shape[2], x.shape[3]
        theta = np.zeros((b, 6), dtype=np.float32)
        for n in range(b):
            top, left, h, w = self._sample_crop(height, width, rng)
            flip = -1.0 if rng.random() < 0.5 else 1.0
            theta[n, 0] = flip * w / width
            theta[n, 2] = (2.0 * left + w) / width - 1
            theta[n, 4] = h / height
            theta[n, 5] = (2.0 * top + h) / height - 1
        grid = F.affine_grid(torch.from_numpy(theta).view(b, 2, 3), [b, self.channels, self.size, self.size],
                             align_corners=False)
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    def _sample_crop(self, height, width, rng):
        area = float(height * width)
        for _ in range(10):
            target = area * (self.scale_min + rng.random() * (self.scale_max - self.scale_min))
            ratio = math.exp(self.MIN_LOG_RATIO + rng.random() * (self.MAX_LOG_RATIO - self.MIN_LOG_RATIO))
            w = int(round(math.sqrt(target * ratio)))
            h = int(round(math.sqrt(target / ratio)))
            if 0 < w <= width and 0 < h <= height:
                return rng.randrange(height - h + 1), rng.randrange(width - w + 1), h, w
        in_ratio = width / height
        if in_ratio < 3.0 / 4:
            fh, fw = int(round(width / (3.0 / 4))), width
        elif in_ratio > 4.0 / 3:
            fh, fw = height, int(round(height * (4.0 / 3)))
        else:
            fh, fw = height, width
        return (height - fh) // 2, (width - fw) // 2, fh, fw

    def _jitter(self, x, b, rng):
        operations = [0, 1]  # grayscale: brightness and contrast only
        rng.shuffle(operations)
        for op in operations:
            if op == 0 and self.brightness > 0:
                x = (x * self._factors(b, self.brightness, rng)).clamp(0, 1)
            elif op == 1 and self.contrast > 0:
                f = self._factors(b, self.contrast, rng)
                gray_mean = x.mean([1, 2, 3], keepdim=True)  # Gray(x) is x itself for one channel
                x = (x * f + gray_mean * (1 - f)).clamp(0, 1)
        return x

    @staticmethod
    def _factors(b, strength, rng):
        low = max(0.0, 1 - strength)
        values = [low + rng.random() * (1 + strength - low) for _ in range(b)]
        return torch.tensor(values, dtype=torch.float32).view(b, 1, 1, 1)


# ---------------------------------------------------------------- batches (AugmentedBatches.cs)

class AugmentedBatches:
    def __init__(self, pixels, augmenter, batch_size, seed):
        if batch_size < 2 or batch_size > pixels.shape[0]:
            raise SystemExit(f"batch size must be between 2 and the number of training images "
                             f"({pixels.shape[0]}), but was {batch_size}")
        self.pixels = pixels
        self.augmenter = augmenter
        self.batch_size = batch_size
        self.seed = seed

    @property
    def batches_per_epoch(self):
        return self.pixels.shape[0] // self.batch_size

    def epoch(self, epoch):
        """Yields (view1, view2, index) for every full batch of the epoch, made on a background thread."""
        order = np.random.RandomState(mix(self.seed, epoch)).permutation(self.pixels.shape[0])
        q = queue.Queue(maxsize=PREFETCH)
        stop = threading.Event()
        done = object()

        def produce():
            try:
                for b in range(self.batches_per_epoch):
                    if stop.is_set():
                        break
                    batch = self._make(order, epoch, b)
                    while not stop.is_set():
                        try:
                            q.put(batch, timeout=0.1)
                            break
                        except queue.Full:
                            continue
            except BaseException as e:  # surfaced in the consumer
                q.put(e)
            finally:
                q.put(done)

        producer = threading.Thread(target=produce, name=f"augment-epoch-{epoch}", daemon=True)
        producer.start()
        try:
            while True:
                item = q.get()
                if item is done:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while producer.is_alive():
                try:
                    q.get(timeout=0.1)
                except queue.Empty:
                    pass
            producer.join()

    def _make(self, order, epoch, b):
        idx = order[b * self.batch_size:(b + 1) * self.batch_size]
        images = torch.from_numpy(self.pixels[idx])
        with torch.no_grad():
            view1 = self.augmenter.augment(images, random.Random(mix(self.seed, epoch, b, 1)))
            view2 = self.augmenter.augment(images, random.Random(mix(self.seed, epoch, b, 2)))
        return view1, view2, b


# ---------------------------------------------------------------- model (SmallAlexNet.cs, EncoderConfig.cs)

def scale(units, width):
    return max(1, int(round(units * width)))


def pool_size(size):
    return (size - 3) // 2 + 1


class SmallAlexNet(nn.Module):
    def __init__(self, channels, height, width, width_multiplier, feature_dim):
        super().__init__()
        c = [scale(u, width_multiplier) for u in BASE_CONV_CHANNELS]
        fc = scale(BASE_FC_UNITS, width_multiplier)
        ph, pw = pool_size(pool_size(pool_size(height))), pool_size(pool_size(pool_size(width)))
        if ph < 1 or pw < 1:
            raise SystemExit(f"input {height}x{width} is too small for SmallAlexNet")
        self.conv1 = nn.Conv2d(channels, c[0], 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(c[0], c[1], 3, padding=1, bias=False)
        self.conv3 = nn.Conv2d(c[1], c[2], 3, padding=1, bias=False)
        self.conv4 = nn.Conv2d(c[2], c[3], 3, padding=1, bias=False)
        self.conv5 = nn.Conv2d(c[3], c[4], 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c[0])
        self.bn2 = nn.BatchNorm2d(c[1])
        self.bn3 = nn.BatchNorm2d(c[2])
        self.bn4 = nn.BatchNorm2d(c[3])
        self.bn5 = nn.BatchNorm2d(c[4])
        self.pool = nn.MaxPool2d(3, 2)
        self.fc6 = nn.Linear(c[4] * ph * pw, fc, bias=False)
        self.bn6 = nn.BatchNorm1d(fc)
        self.fc7 = nn.Linear(fc, fc, bias=False)
        self.bn7 = nn.BatchNorm1d(fc)
        self.fc8 = nn.Linear(fc, feature_dim, bias=True)
        self.blocks = [(self.conv1, self.bn1, True), (self.conv2, self.bn2, True), (self.conv3, self.bn3, False),
                       (self.conv4, self.bn4, False), (self.conv5, self.bn5, True)]
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("bias"):
                    p.zero_()
                elif name.startswith("bn"):
                    p.fill_(1)
                else:
                    nn.init.normal_(p, 0, 0.02)

    def forward(self, x):
        for conv, norm, pooled in self.blocks:
            x = F.relu(norm(conv(x)))
            if pooled:
                x = self.pool(x)
        x = x.flatten(1)
        x = F.relu(self.bn7(self.fc7(F.relu(self.bn6(self.fc6(x))))))
        return F.normalize(self.fc8(x), p=2, dim=1, eps=1e-12)


# ---------------------------------------------------------------- losses (HypersphereLosses.cs, TrainingObjective.cs)

def alignment(x, y, alpha):
    distance = (x - y).norm(p=2, dim=1)
    return distance.square().mean() if alpha == 2 else distance.pow(alpha).mean()


def squared_distances(a, b):
    aa = a.square().sum(1, keepdim=True)
    bb = b.square().sum(1, keepdim=True).t()
    return (aa + bb - 2 * a.matmul(b.t())).clamp_min(0)


def log_mean_exp(v):
    flat = v.flatten()
    return torch.logsumexp(flat, 0) - math.log(flat.shape[0])


def uniformity(x, t):
    n = x.shape[0]
    pairs = torch.triu_indices(n, n, 1, device=x.device)
    return log_mean_exp(squared_distances(x, x)[pairs[0], pairs[1]] * -t)


def contrastive(x, y, tau):
    logits = x.matmul(y.t()) / tau
    targets = torch.arange(x.shape[0], dtype=torch.int64, device=x.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets)) / 2


def compute_loss(encoder, view1, view2, spec):
    align_w, uniform_w, contrastive_w, alpha, t, tau = spec
    both = encoder(torch.cat([view1, view2], 0))
    x, y = both.chunk(2, 0)
    align = alignment(x, y, alpha)
    uniform = (uniformity(x, t) + uniformity(y, t)) / 2
    loss = torch.zeros(1, device=both.device).squeeze()
    if align_w > 0:
        loss = loss + align_w * align
    if uniform_w > 0:
        loss = loss + uniform_w * uniform
    if contrastive_w > 0:
        loss = loss + contrastive_w * contrastive(x, y, tau)
    return loss, align.detach(), uniform.detach()


# ---------------------------------------------------------------- training (Trainer.cs)

def loaded_blas():
    """The BLAS shared library(ies) this process mapped (Debian's torch calls the system libblas.so.3)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if line.rstrip().endswith((".so", ".so.3")) or ".so." in line}
    except OSError:
        return "unknown"
    names = sorted(p for p in paths if any(k in os.path.basename(p) for k in ("blas", "blis", "mkl_rt", "mkl_core")))
    return ",".join(names) if names else "unknown"


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of `hypersphere train` for a throughput comparison")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--loss", choices=sorted(PRESETS), default="align-uniform")
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--feature-dim", type=int, default=128)
    ap.add_argument("--crop-scale-min", type=float, default=0.2)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (0 = all)")
    ap.add_argument("--steps", type=int, default=30, help="timed steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before timing")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=None, help="base learning rate (default 0.12 * batch / 256)")
    args = ap.parse_args()
    if args.steps < 1 or args.warmup < 0 or args.threads < 1 or args.limit < 0:
        ap.error("need --steps >= 1, --warmup >= 0, --threads >= 1, --limit >= 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed % (1 << 32))
    random.seed(args.seed)

    pixels = load_fashion_mnist(args.data_dir, args.limit)
    mean, std = channel_statistics(pixels)
    _, channels, height, width = pixels.shape
    augmenter = ViewAugmenter(height, args.crop_scale_min, mean, std)
    batches = AugmentedBatches(pixels, augmenter, args.batch_size, args.seed)
    encoder = SmallAlexNet(channels, height, width, args.width, args.feature_dim)
    encoder.train()
    lr = args.lr if args.lr is not None else 0.12 * args.batch_size / 256
    optimizer = torch.optim.SGD(encoder.parameters(), lr=lr, momentum=MOMENTUM, dampening=0,
                                weight_decay=WEIGHT_DECAY, nesterov=False, foreach=False)
    spec = PRESETS[args.loss]

    total = args.warmup + args.steps
    done = 0
    start = None
    last_loss = float("nan")
    epoch = 0
    while done < total:
        with contextlib.closing(batches.epoch(epoch)) as epoch_batches:
            for view1, view2, index in epoch_batches:
                if done == args.warmup:
                    start = time.perf_counter()
                loss, align, uniform = compute_loss(encoder, view1, view2, spec)
                value = loss.item()
                if not math.isfinite(value):
                    raise SystemExit(f"the loss became {value} at epoch {epoch + 1}, batch {index + 1}")
                optimizer.zero_grad(set_to_none=False)
                loss.backward()
                optimizer.step()
                align.item()
                uniform.item()
                last_loss = value
                done += 1
                if done >= total:
                    break
        epoch += 1
    elapsed = time.perf_counter() - start

    print(json.dumps({
        "torch": torch.__version__,
        "threads": args.threads,
        "batch": args.batch_size,
        "steps": args.steps,
        "images_per_second": args.steps * args.batch_size / elapsed,
        "seconds_per_step": elapsed / args.steps,
        "final_loss": last_loss,
        "loss": args.loss,
        "warmup": args.warmup,
        "images": int(pixels.shape[0]),
        "width": args.width,
        "feature_dim": args.feature_dim,
        "blas": loaded_blas(),
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
