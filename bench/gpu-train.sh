#!/usr/bin/env bash
# Training speed on the GPU machine in ONE device call (see ../shared/device/README.md): the project's
# GRPO optimizer step on a random-weight Qwen2.5-Math-1.5B shape in bf16 (fp32 masters), then the
# Hugging Face baseline (LM loss, AdamW, gradient checkpointing) on the same shape and tokens:
# 8 sequences x (256 + 768) = 8 x 1,024 tokens, as in the reference numbers.
# Prepare here first (publish without libtorch natives into .device/), as for bench/gpu-generate.sh:
#   ../shared/device/bundle.sh src/Rlvr.Cli/Rlvr.Cli.csproj -p:BundleLibtorch=false
# Then run there with carry [".device"]:   bash bench/gpu-train.sh [micro-batch]
set -uo pipefail
micro=${1:-8}
rlvr() { bash .device/run.sh rlvr.dll "$@"; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
echo "== rlvr bench train (bf16 compute, fp32 masters, gradient checkpointing as the baseline)"
# nvidia-smi samples the peak memory of the process (TorchSharp exposes no CUDA memory statistics)
( while sleep 0.5; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits; done ) > /tmp/rlvr-mem.txt &
sampler=$!
rlvr bench train --preset qwen2.5-math-1.5b --device cuda --batch 8 --micro-batch "$micro" --prompt 256 --new 768 --repeats 3 --gradient-checkpointing --json
kill $sampler 2>/dev/null
echo "peak GPU memory used (MiB, sampled): $(sort -n /tmp/rlvr-mem.txt | tail -1)"
echo "== Hugging Face transformers baseline, same machine, same shape"
# (it also generates for one prompt first; only hf_train_tok_s and hf_train_peak_gib matter here)
python3 .device/hf_baseline.py --preset qwen2.5-math-1.5b --prompt 256 --new 768 --train-batch 8 --batch 1
