#!/usr/bin/env bash
# The NCCL path on the GPU machine in ONE device call (issue 16). That machine has one GPU and no MPI,
# so this is world size 1 with NCCL forced (RLVR_COLLECTIVES=nccl): the P/Invoke binding, the unique-id
# bootstrap, ncclAllReduce / ncclBroadcast on the default stream and the async-error polling all run, the
# sums being over one rank. Run it AFTER bench/gpu-all.sh (the CUDA path itself has never run).
# Prepare here as bench/README.md says (publish without CPU libtorch into .device/), then run there with
# carry [".device"] and timeout_s 300:   bash bench/gpu-nccl.sh
set -uo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
# NCCL and the CUDA runtime as PyTorch's wheels ship them (nvidia/nccl/lib, nvidia/cuda_runtime/lib or torch/lib).
find_lib() { python3 - "$1" <<'PY'
import glob, os, sys, torch
roots = [os.path.dirname(torch.__file__)] + [os.path.join(p, "nvidia") for p in sys.path if os.path.isdir(os.path.join(p, "nvidia"))]
hits = sorted(h for r in roots for h in glob.glob(os.path.join(r, "**", sys.argv[1]), recursive=True))
print(hits[0] if hits else "")
PY
}
export RLVR_NCCL_LIBRARY=$(find_lib 'libnccl.so.2') RLVR_CUDART_LIBRARY=$(find_lib 'libcudart.so.1*') RLVR_COLLECTIVES=nccl RLVR_NCCL_TIMEOUT_S=60
echo "NCCL: ${RLVR_NCCL_LIBRARY:-not found}; CUDA runtime: ${RLVR_CUDART_LIBRARY:-not found}"
echo "== tiny-cpu trainer on CUDA through NCCL (world size 1), ZeRO-1 code path, 4 steps then resumed to 6"
rm -rf /tmp/nccl-train
timeout 150 bash .device/run.sh rlvr.dll train --set run.device=cuda --set model.dtype=bf16 --set run.steps=4 --set checkpoint.every=2 --set optimizer.zero_stage=1 --out /tmp/nccl-train | tail -3
timeout 100 bash .device/run.sh rlvr.dll train --set run.device=cuda --set model.dtype=bf16 --set run.steps=6 --set checkpoint.every=2 --set optimizer.zero_stage=1 --out /tmp/nccl-train --resume | tail -3
echo "== the 1.5B training step with its gradient all-reduced by NCCL (fp32 sums: 6.2 GB per step; bf16: 3.1 GB)"
timeout 120 bash .device/run.sh rlvr.dll bench train --preset qwen2.5-math-1.5b --device cuda --batch 8 --micro-batch 4 --prompt 256 --new 768 --repeats 3 --gradient-checkpointing
timeout 120 bash .device/run.sh rlvr.dll bench train --preset qwen2.5-math-1.5b --device cuda --batch 8 --micro-batch 8 --prompt 256 --new 768 --repeats 3 --gradient-checkpointing
