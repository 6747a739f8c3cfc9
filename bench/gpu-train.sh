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
echo "== smoke: the tiny-cpu run on CUDA in bf16, 4 steps, then resumed to 6 (fp32 masters, sums, checkpoints)"
rm -rf /tmp/cuda-train
rlvr train --set run.device=cuda --set model.dtype=bf16 --set run.steps=4 --set checkpoint.every=2 --out /tmp/cuda-train | tail -3
rlvr train --set run.device=cuda --set model.dtype=bf16 --set run.steps=6 --set checkpoint.every=2 --out /tmp/cuda-train --resume | tail -3

echo "== rlvr bench train (bf16 compute, fp32 masters, gradient checkpointing as the baseline)"
# nvidia-smi samples the process's peak (TorchSharp exposes no CUDA memory statistics). It counts the CUDA
# context and the caching allocator's reserve, which torch.cuda.max_memory_allocated (the baseline's
# hf_train_peak_gib) does not, so the baseline is sampled the same way below: compare like with like.
peak() {  # runs "$@" while sampling GPU memory; prints the peak in MiB afterwards
  ( while sleep 0.5; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits; done ) > /tmp/mem.txt &
  local sampler=$!
  "$@"
  kill $sampler 2>/dev/null
  echo "peak GPU memory used (MiB, nvidia-smi, sampled every 0.5 s): $(sort -n /tmp/mem.txt | tail -1)"
}
peak rlvr bench train --preset qwen2.5-math-1.5b --device cuda --batch 8 --micro-batch "$micro" --prompt 256 --new 768 --repeats 3 --gradient-checkpointing --json
echo "== Hugging Face transformers baseline, same machine, same shape"
# (it also generates for one prompt first; only hf_train_tok_s and hf_train_peak_gib matter here)
peak python3 .device/hf_baseline.py --preset qwen2.5-math-1.5b --prompt 256 --new 768 --train-batch 8 --batch 1
