#!/usr/bin/env bash
# Data-parallel overhead on one machine (issue 16): the tiny-cpu run and the bench training step at 1 process
# and at N ranks under Open MPI, with the time and bytes per step spent in collectives. On a 2-core machine
# this measures overhead, not speed-up (2 ranks share the 2 cores the one process had).
#   bash bench/mpi-train.sh [ranks] [steps]     (needs mpirun: apt-get install -y openmpi-bin)
set -euo pipefail
ranks=${1:-2}; steps=${2:-20}
cd "$(dirname "$0")/.."
dotnet build -c Release src/Rlvr.Cli -v q -nologo > /dev/null
cli=artifacts/bin/Rlvr.Cli/release_linux-x64/rlvr.dll
export OMPI_MCA_btl_vader_single_copy_mechanism=${OMPI_MCA_btl_vader_single_copy_mechanism:-none}  # containers often forbid CMA
mpi=(mpirun --allow-run-as-root --oversubscribe -np "$ranks")
out=$(mktemp -d)
# generate calls of prompts_per_step / ranks prompts, so that 1 process and N ranks sample the same rollouts
sets=(--set run.steps="$steps" --set rollout.prompts_per_generate_call=$((32 / ranks)) --set eval.every=0 --set checkpoint.every=0 --set telemetry.samples_every=0)
summary() {  # mean over steps 3.. of the step time, collective time and bytes (rank 0's metrics.jsonl)
  python3 - "$1" <<'PY'
import json, sys
m = [json.loads(l) for l in open(sys.argv[1] + "/metrics.jsonl")][2:]
mean = lambda k: sum(x[k] for x in m) / len(m)
print(f"  steps 3-{len(m) + 2}: {mean('seconds_step'):.3f} s per step, collectives {mean('seconds_communicating'):.3f} s "
      f"and {mean('bytes_communicated') / 1e6:.2f} MB per step; reward {m[-1]['reward_mean']:.3f} at the last step")
PY
}
echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== rlvr train (tiny-cpu, $steps steps): 1 process"
dotnet "$cli" train --out "$out/one" "${sets[@]}" > /dev/null; summary "$out/one"
echo "== rlvr train (tiny-cpu, $steps steps): $ranks ranks"
"${mpi[@]}" dotnet "$cli" train --out "$out/mpi" "${sets[@]}" > /dev/null; summary "$out/mpi"
echo "== rlvr train (tiny-cpu, $steps steps): $ranks ranks, ZeRO-1"
"${mpi[@]}" dotnet "$cli" train --out "$out/zero1" "${sets[@]}" --set optimizer.zero_stage=1 > /dev/null; summary "$out/zero1"
cmp -s "$out/one/metrics.jsonl" "$out/mpi/metrics.jsonl" || true
echo "== rlvr bench train (cpu-small, 31 M parameters): 1 process, then $ranks ranks (gradients all-reduced)"
b=(bench train --preset cpu-small --threads 1 --batch 4 --micro-batch 4 --prompt 32 --new 32 --repeats 3)
dotnet "$cli" "${b[@]}" | tail -1
"${mpi[@]}" dotnet "$cli" "${b[@]}" | tail -4
rm -rf "$out"
