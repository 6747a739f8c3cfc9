using Rlvr.Core.Data;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Tiny;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training;

/// <summary>Resolves the parts of a run that the configuration names: device, dtype, data, true labels.</summary>
public static class TrainingSetup
{
    /// <summary>
    /// Device and dtype: "auto" picks CUDA when present, bf16 compute on GPU and fp32 on CPU. Among several
    /// ranks on one machine, rank r binds GPU <paramref name="localRank"/> (one process per device).
    /// </summary>
    public static Placement ResolvePlacement(TrainConfig config, Distributed.World? world = null)
    {
        var deviceName = config.Run.Device == "auto" ? (torch.cuda.is_available() ? "cuda" : "cpu") : config.Run.Device;
        if (deviceName != "cpu" && !torch.cuda.is_available())
            throw new InvalidOperationException($"run.device is {deviceName} but no CUDA device is available");
        var device = deviceName == "cpu" ? torch.CPU
            : CudaIndex(deviceName) is int index ? torch.device(DeviceType.CUDA, index)
            : world is { Size: > 1 } w ? torch.device(DeviceType.CUDA, w.LocalRank) : torch.CUDA;
        var dtype = config.Model.Dtype switch
        {
            "bf16" or "bfloat16" => ScalarType.BFloat16,
            "fp32" or "float32" => ScalarType.Float32,
            _ => device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32,
        };
        return new Placement(device, dtype);
    }

    /// <summary>
    /// Refuses a catalog dataset that has no train split when no split is named: its default would be the
    /// test split, and a run that cycles a 100-row test split is a different experiment that looks like the
    /// paper's. The shipped majority-vote and incorrect-label folders are such sets (upstream's train.json
    /// files are not public); the message names the <c>rlvr label</c> command that makes the train split.
    /// <c>data.split: test</c> trains on the test split on purpose.
    /// </summary>
    public static void CheckTrainSplit(DataConfig data)
    {
        if (data.Split.Length > 0 || DatasetCatalog.Find(data.Source) is not { } spec || spec.Splits.ContainsKey(DatasetSplit.Train)) return;
        const string Family = "DeepScaleR_mv_labeled_";
        if (spec.Name.StartsWith(Family, StringComparison.Ordinal))
        {
            var labeller = spec.Name[Family.Length..];
            var setName = Family + (labeller.EndsWith("_incorrect", StringComparison.Ordinal) ? labeller[..^"_incorrect".Length] : labeller);
            throw new InvalidDataException(
                $"data.source {spec.Name}: no train split (only its test split ships; upstream's train.json is not public), and a run must not train on a test split: "
                + $"make the train split with `rlvr label --data DeepScaleR --model DIR --votes 64 --name {setName} --out labels` (DIR: the labelling model) "
                + $"and pass --set data.source=labels/{spec.Name}");
        }
        throw new InvalidDataException(
            $"data.source {spec.Name}: no train split (it has only a test split), and a run must not train on a test split unawares: pass --set data.split=test to do so on purpose");
    }

    /// <summary>
    /// The datasets the configuration names (data.source, data.true_labels, eval.sets) exist, as catalog names
    /// (with the shipped data folder found) or as files or folders: checked before the run folder is made, so
    /// a typo in eval.sets fails now rather than after minutes of warm start.
    /// </summary>
    public static void CheckDataSources(TrainConfig config)
    {
        var generated = new[] { ArithmeticTask.SourceName, StrategyTask.SourceName };
        if (config.Data.Source.StartsWith("generated:", StringComparison.Ordinal))
        {
            if (!generated.Contains(config.Data.Source))
                throw new InvalidDataException($"data.source '{config.Data.Source}': the generated tasks are {string.Join(" and ", generated)}");
        }
        else CheckDataset("data.source", config.Data.Source);
        if (config.Data.TrueLabels.Length > 0) CheckDataset("data.true_labels", config.Data.TrueLabels);
        foreach (var set in config.Eval.Sets) CheckDataset("eval.sets", Rlvr.Core.Evaluation.EvalSession.SplitSamples(set).Dataset);  // "AMC@8": AMC, 8 samples
    }

    private static void CheckDataset(string key, string name)
    {
        if (DatasetCatalog.Find(name) is not null)
        {
            try { DataDirectory.Resolve(); }
            catch (DatasetException e) { throw new DatasetException($"{key} {name}: {e.Message}"); }
        }
        else if (!Directory.Exists(name) && !File.Exists(name))
            throw new DatasetException($"{key} '{name}': not a dataset name nor an existing file or folder; valid names: {string.Join(", ", DatasetCatalog.AllNames)}");
    }

    /// <summary>N of "cuda:N", else null.</summary>
    public static int? CudaIndex(string device) =>
        device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device.AsSpan(5), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : null;

    /// <summary>Training problems and held-out problems (the last <c>data.held_out</c> rows).</summary>
    public static (IReadOnlyList<Problem> Train, IReadOnlyList<Problem> HeldOut) LoadProblems(DataConfig data, int seed)
    {
        IReadOnlyList<Problem> all;
        if (data.Source == ArithmeticTask.SourceName || data.Source == StrategyTask.SourceName)
            all = StrategyTask.Generate(data.GeneratedCount, data.GeneratedMaxOperand, seed, data.LabelShift)
                .Select(p => p with { Source = data.Source }).ToArray();
        else if (data.Source.StartsWith("generated:", StringComparison.Ordinal))
            throw new InvalidDataException($"data.source '{data.Source}': the generated tasks are {ArithmeticTask.SourceName} and {StrategyTask.SourceName}");
        else
        {
            var split = data.Split.Length == 0 ? (DatasetSplit?)null : DatasetSplits.Parse(data.Split);
            all = DatasetLoader.Load(data.Source, new DatasetLoadOptions(Split: split)).Problems;
        }
        if (data.MaxSamples > 0 && all.Count > data.MaxSamples) all = all.Take(data.MaxSamples).ToArray();
        if (data.HeldOut >= all.Count)
            throw new InvalidDataException($"data.held_out ({data.HeldOut}) leaves no training rows of {all.Count} in {data.Source}");
        return (all.Take(all.Count - data.HeldOut).ToArray(), all.Skip(all.Count - data.HeldOut).ToArray());
    }

    /// <summary>The TRUE label of each problem: computed for generated tasks; from <c>data.true_labels</c> matched by problem text, else its own label.</summary>
    public static Func<Problem, string> TrueLabels(DataConfig data)
    {
        if (data.Source.StartsWith("generated:", StringComparison.Ordinal)) return StrategyTask.TrueAnswer;  // both tasks are "a+b="
        if (data.TrueLabels.Length == 0) return p => p.Label;
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Test })
        {
            try
            {
                foreach (var p in DatasetLoader.Load(data.TrueLabels, new DatasetLoadOptions(Split: split)).Problems)
                    truth.TryAdd(p.Prompt, p.Label);
            }
            catch (DatasetException) { /* a dataset may lack one split */ }
        }
        if (truth.Count == 0) throw new InvalidDataException($"data.true_labels '{data.TrueLabels}': no rows could be read");
        // A problem missing from the truth set has no known true answer: its accuracy counts it as wrong
        // against an empty label rather than silently using the (possibly wrong) training label.
        return p => truth.TryGetValue(p.Prompt, out var label) ? label : "";
    }

    /// <summary>Loads an HF folder onto <paramref name="placement"/>.</summary>
    public static CausalLanguageModel LoadModel(string directory, Placement placement) => CheckpointLoader.Load(directory, placement);
}
