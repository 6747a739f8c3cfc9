#!/usr/bin/env bash
# Generation on the GPU machine, everything in ONE device call (see ../shared/device/README.md and
# bench/README.md): a CUDA correctness smoke test on a fixture, the project's rollout engine on a
# random-weight Qwen2.5-Math-1.5B shape, and the Hugging Face baseline on the same machine.
# Prepare here first (publish without libtorch natives into .device/):
#   ../shared/device/bundle.sh src/Rlvr.Cli/Rlvr.Cli.csproj -p:BundleLibtorch=false
# Then run there with carry [".device"]:   bash bench/gpu-generate.sh [batch] [prompt] [new]
set -uo pipefail
batch=${1:-64}; prompt=${2:-256}; new=${3:-256}
rlvr() { bash .device/run.sh rlvr.dll "$@"; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

echo "== smoke: olmo2 fixture greedy on CUDA (float32 and bfloat16) vs transformers' reference"
python3 -c "import json; print('expected', json.load(open('tests/fixtures/olmo2/reference.json'))['greedy'][0])"
rlvr generate --model tests/fixtures/olmo2 --prompt-ids 5,17,42,99,7,250,3,3,88,120,301,64 \
  --greedy --max-new-tokens 20 --ignore-eos --json --device cuda --dtype float32
rlvr generate --model tests/fixtures/olmo2 --prompt-ids 5,17,42,99,7,250,3,3,88,120,301,64 \
  --greedy --max-new-tokens 20 --ignore-eos --json --device cuda

echo "== rlvr bench generate (bf16, sampling T=1, no EOS)"
rlvr bench generate --preset qwen2.5-math-1.5b --device cuda --batch "$batch" --prompt "$prompt" --new "$new" --repeats 2 --json

echo "== Hugging Face transformers baseline, same machine, same shape"
python3 .device/hf_baseline.py --preset qwen2.5-math-1.5b --batch "$batch" --prompt "$prompt" --new "$new" --skip-train
