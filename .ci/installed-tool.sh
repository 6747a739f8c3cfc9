#!/usr/bin/env bash
# The installable tool, end to end: `dotnet pack` makes the rlvr .NET tool package, `dotnet tool install` puts it
# in a temporary tool path, and from a folder outside any repository the installed `rlvr` lists the shipped
# datasets, trains the tiny-cpu preset for a few steps and evaluates the checkpoint (whose chat template it
# finds itself). Prints the package size and the time of each phase; exits non-zero on any failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/rlvr-tool-XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
phase() { echo "installed-tool: $1 ($(( $(date +%s) - started )) s)"; started=$(date +%s); }
started=$(date +%s)

# A separate build tree (RLVR_BUILD_TAG) so that packing never touches the test build's outputs.
RLVR_BUILD_TAG=pack- dotnet pack "$repo/src/Rlvr.Cli" -c Release -o "$work/package" -v quiet -nologo >/dev/null
package="$(ls "$work"/package/rlvr.*.nupkg)"
phase "packed $(basename "$package"), $(( $(stat -c %s "$package") / 1000000 )) MB"

# Only the folder just packed as a source: nothing is looked up elsewhere.
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /><add key="local" value="$work/package" /></packageSources></configuration>
XML
dotnet tool install rlvr --tool-path "$work/tools" --configfile "$work/nuget.config" >/dev/null
phase "installed into $work/tools ($(du -sm "$work/tools" | cut -f1) MB)"

mkdir "$work/outside" && cd "$work/outside"
rlvr="$work/tools/rlvr"
"$rlvr" data list | grep -q "MATH-500"
phase "rlvr data list found the shipped datasets"
"$rlvr" train --out run --set run.steps=2 --set warm_start.steps=10 --set eval.every=0 --set checkpoint.every=2 >train.log
test -f run/checkpoints/step-000002/model/model.safetensors
phase "rlvr train (tiny-cpu, 2 steps) wrote a checkpoint"
"$rlvr" eval --model run/checkpoints/step-000002/model --datasets MATH-500,AMC --limit 2 --max-new-tokens 4 --out eval >eval.log
test -f eval/summary.json
grep -q '"template": "raw"' eval/summary.json
phase "rlvr eval on the checkpoint wrote eval/summary.json (template found in the checkpoint)"
echo "installed-tool: passed"
