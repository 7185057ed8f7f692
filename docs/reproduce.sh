#!/usr/bin/env bash
# Reproduces docs/reproduction.md: five encoders on Fashion-MNIST (width 0.25, batch 512, 10 epochs,
# seed 0, 2 threads), each evaluated with the paper's protocol. Usage: bash docs/reproduce.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/reproduction}
epochs=${EPOCHS:-10}
dotnet build -c Release src/Hypersphere.Cli >/dev/null
hs() { dotnet src/Hypersphere.Cli/bin/Release/net10.0/hypersphere.dll "$@"; }
common=(--dataset fashion-mnist --width 0.25 --batch-size 512 --seed 0 --threads 2)

# Random init: the untrained encoder (no step), evaluated like the others.
[ -f "$out/random-init/checkpoint.bin" ] || hs train "${common[@]}" --loss align-uniform --epochs "$epochs" --max-steps 0 --out "$out/random-init"
for loss in contrastive align-uniform align-only uniform-only; do
  if [ -f "$out/$loss/checkpoint.bin" ]; then
    hs train --resume --out "$out/$loss" --threads 2   # finishes a run that was interrupted; no-op when done
  else
    hs train "${common[@]}" --loss "$loss" --epochs "$epochs" --out "$out/$loss"
  fi
done
for run in random-init contrastive align-uniform align-only uniform-only; do
  [ -f "$out/$run/eval.json" ] || hs eval --checkpoint "$out/$run" --protocol all --linear-epochs 100 --threads 2 > /dev/null
  echo "$run: $(tr -d ' \n' < "$out/$run/eval.json")"
done
