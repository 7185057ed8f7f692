#!/usr/bin/env bash
# Rebuilds the shipped 30-epoch models (README "Shipped models"): for each of align-uniform and contrastive,
# trains on Fashion-MNIST (width 0.25, batch 512, 30 epochs, seed 0, 2 threads; ~40 min each on 2 idle
# cores), evaluates with the paper's protocol and exports embedding + fc7 to a new model version, verified
# against the TorchSharp module before anything is written. Re-running resumes an interrupted run.
# Usage: bash docs/ship-models.sh [RUNS] [MODELS]    (defaults: runs/shipped, a scratch models folder)
# The version exported is 2 (the folder must not exist yet); compare its model.json with models/<name>/2.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs/shipped}
models=${2:-runs/shipped/models}
epochs=${EPOCHS:-30}
dotnet build -c Release src/Hypersphere.Cli >/dev/null
hs() { dotnet src/Hypersphere.Cli/bin/Release/net10.0/hypersphere.dll "$@"; }

for loss in align-uniform contrastive; do
  run=$runs/fmnist-$loss-$epochs
  if [ -f "$run/checkpoint.bin" ]; then
    hs train --resume --out "$run" --threads 2            # finishes an interrupted run; no-op when done
  else
    hs train --dataset fashion-mnist --loss "$loss" --epochs "$epochs" --batch-size 512 --width 0.25 --seed 0 --threads 2 --out "$run"
  fi
  [ -f "$run/eval.json" ] || hs eval --checkpoint "$run" --protocol all --linear-epochs 100 --threads 2 >/dev/null
  [ -d "$models/fmnist-$loss/2" ] || hs export --checkpoint "$run" --out "$models/fmnist-$loss/2" --outputs embedding,fc7
  echo "fmnist-$loss: $(tr -d ' \n' < "$run/eval.json")"
done
