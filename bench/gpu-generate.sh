#!/usr/bin/env bash
# Generation on the GPU machine, everything in ONE device call (see ../shared/device/README.md and
# bench/README.md): a CUDA correctness smoke test on the four fixtures, the project's rollout engine on a
# random-weight Qwen2.5-Math-1.5B shape, and the Hugging Face baseline on the same machine.
# Prepare here first (publish without libtorch natives into .device/):
#   ../shared/device/bundle.sh src/Rlvr.Cli/Rlvr.Cli.csproj -p:BundleLibtorch=false
# Then run there with carry [".device"]:   bash bench/gpu-generate.sh [batch] [prompt] [new]
set -uo pipefail
batch=${1:-64}; prompt=${2:-256}; new=${3:-256}
rlvr() { bash .device/run.sh rlvr.dll "$@"; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

echo "== smoke: each fixture's greedy ids on CUDA (float32 must equal transformers' reference; bfloat16 shown)"
# All four fixtures: Qwen2/Llama decode through the CUDA-only RMSNorm route and the fused q/k/v product,
# OLMo-2 through its own norms. Then seeded sampling, which on CUDA draws from the device's default generator.
for fixture in qwen2-tied qwen2-untied llama3 olmo2; do
  ids=$(python3 -c "import json; print(','.join(map(str, json.load(open('tests/fixtures/$fixture/reference.json'))['inputs'][0])))")
  for dtype in float32 bfloat16; do
    rlvr generate --model "tests/fixtures/$fixture" --prompt-ids "$ids" --greedy --max-new-tokens 20 --ignore-eos --json \
      --device cuda --dtype "$dtype" > /tmp/smoke.json
    python3 - "$fixture" "$dtype" <<'PY'
import json, sys
fixture, dtype = sys.argv[1:]
expected = json.load(open(f"tests/fixtures/{fixture}/reference.json"))["greedy"][0]
try:
    got = json.load(open("/tmp/smoke.json"))[0]["tokens"]
except Exception as e:
    print(f"{fixture} {dtype}: FAILED to run ({e})"); sys.exit()
same = sum(a == b for a, b in zip(got, expected))
verdict = ("OK" if got == expected else "MISMATCH") if dtype == "float32" else f"{same}/{len(expected)} equal to fp32 reference"
print(f"{fixture} {dtype}: {verdict}")
PY
  done
done
echo "== sampling on CUDA: the same seed twice must give the same ids"
for run in 1 2; do
  rlvr generate --model tests/fixtures/qwen2-untied --prompt-ids 5,17,42 --n 2 --temperature 1 --max-new-tokens 12 --seed 7 \
    --ignore-eos --json --device cuda | python3 -c "import json,sys; print([s['tokens'] for s in json.load(sys.stdin)])"
done

echo "== rlvr bench generate (bf16, sampling T=1, no EOS)"
rlvr bench generate --preset qwen2.5-math-1.5b --device cuda --batch "$batch" --prompt "$prompt" --new "$new" --repeats 2 --json

echo "== Hugging Face transformers baseline, same machine, same shape"
python3 .device/hf_baseline.py --preset qwen2.5-math-1.5b --batch "$batch" --prompt "$prompt" --new "$new" --skip-train
