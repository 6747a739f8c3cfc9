#!/usr/bin/env bash
# Every GPU check of issues 4, 5 and 6 in ONE device call (a session has 15 minutes of device time):
# generation and training beside the Hugging Face baseline, then an evaluation slice of MATH-500 at
# 3,072 tokens. Each part has its own time limit so one slow part cannot eat the others' time.
# Prepare here first as bench/README.md says (publish without CPU libtorch into .device/), then run
# there with carry [".device"] and timeout_s 600:   bash bench/gpu-all.sh [eval-problems]
set -uo pipefail
problems=${1:-64}
cd "$(dirname "$0")/.."
echo "== generation (issue 4)";          timeout 200 bash bench/gpu-generate.sh 64 256 256
echo "== training step (issue 5)";       timeout 200 bash bench/gpu-train.sh
echo "== MATH-500 slice, 3,072 tokens (issue 6)"; timeout 160 bash bench/gpu-eval.sh "$problems"
