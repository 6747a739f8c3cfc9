#!/usr/bin/env bash
# rlvr eval on the GPU machine, in ONE device call: MATH-500 (500 problems, one greedy sample each,
# 3,072 max new tokens, 4 shards, the paper's settings) with a random-weight Qwen2.5-Math-1.5B-shaped
# model in bf16 and the Qwen2 tokenizer fixture. Random weights almost never emit EOS, so every
# problem runs the full 3,072 tokens: a worst case for the time per problem.
# Prepare here first exactly as for bench/gpu-generate.sh (bench/README.md, step 1), then run there with
# carry [".device"]:   bash bench/gpu-eval.sh [limit]     (limit: problems; default all 500)
set -uo pipefail
limit=${1:-500}
rlvr() { bash .device/run.sh rlvr.dll "$@"; }
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
rm -rf .device/out-eval
time rlvr eval --model tests/fixtures/qwen2-tokenizer --random-weights qwen2.5-math-1.5b --template qwen-math \
  --datasets MATH-500 --limit "$limit" --max-new-tokens 3072 --shards 4 \
  --device cuda --out .device/out-eval
mkdir -p "${OUT:-/tmp}/eval" && cp .device/out-eval/summary.json "${OUT:-/tmp}/eval/" 2>/dev/null || true
