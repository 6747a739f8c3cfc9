using Rlvr.Core.Reporting;

namespace Rlvr.Core.Analysis;

/// <summary>Runs that differ only in their seed: one condition of a comparison, labelled by what sets it apart.</summary>
public sealed record RunCondition(string Label, IReadOnlyList<RunCurves> Runs);

/// <summary>
/// Groups runs into conditions and reduces each condition's seeds to a band: the mean over the seeds that have a
/// value at a step, between the lowest and the highest of them (the band shows the spread between seeds; one seed
/// draws a line without a band).
/// </summary>
public static class RunConditions
{
    /// <summary>Settings that differ between seeds of one condition and so do not define it.</summary>
    private static readonly string[] SeedOnly = ["run.seed", "run.name"];

    /// <summary>
    /// Runs whose config.yaml settings are equal but for run.seed and run.name form one condition, in the order of
    /// their first run. A condition is labelled by the settings whose values differ between conditions
    /// ("reward.name=random"), or with one condition by its run.name.
    /// </summary>
    public static IReadOnlyList<RunCondition> Group(IReadOnlyList<RunCurves> runs)
    {
        string Key(RunCurves r) => string.Join("\n", r.Settings.Where(s => !SeedOnly.Contains(s.Key)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
        var groups = runs.GroupBy(Key).Select(g => g.ToList()).ToList();
        var differing = groups.Count < 2 ? [] : groups
            .SelectMany(g => g[0].Settings.Keys).Distinct().Where(k => !SeedOnly.Contains(k))
            .Where(k => groups.Select(g => g[0].Settings.GetValueOrDefault(k)).Distinct().Count() > 1)
            .Order(StringComparer.Ordinal).ToList();
        return groups.Select(g => new RunCondition(Label(g[0], differing), g)).ToList();
    }

    private static string Label(RunCurves first, IReadOnlyList<string> differing)
    {
        if (differing.Count == 0)
            return first.Settings.GetValueOrDefault("run.name") ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(first.Folder)));
        var parts = differing.Take(3).Select(k => $"{k}={first.Settings.GetValueOrDefault(k) ?? "-"}");
        return string.Join(", ", parts) + (differing.Count > 3 ? $" (+{differing.Count - 3} more)" : "");
    }

    /// <summary>
    /// The condition's band for curve <paramref name="curve"/>: per step the mean, minimum and maximum over the seeds
    /// that have the step, after a trailing moving average of <paramref name="smooth"/> points within each seed.
    /// Null when no seed has the curve.
    /// </summary>
    public static BandSeries? Band(RunCondition condition, string curve, int smooth = 1)
    {
        if (smooth < 1) throw new ArgumentException($"--smooth {smooth}: need at least 1");
        var seeds = condition.Runs.Select(r => r.Series.GetValueOrDefault(curve)).OfType<IReadOnlyList<CurvePoint>>()
            .Select(points => Smooth(points, smooth)).ToList();
        if (seeds.Count == 0) return null;
        var steps = seeds.SelectMany(s => s.Keys).Distinct().Order().ToArray();
        var atStep = steps.Select(step => seeds.Where(s => s.ContainsKey(step)).Select(s => s[step]).ToArray()).ToArray();
        var label = condition.Runs.Count > 1 ? $"{condition.Label} ({condition.Runs.Count} seeds)" : condition.Label;
        return new BandSeries(label, steps.Select(s => (double)s).ToArray(), atStep.Select(v => v.Average()).ToArray(),
            atStep.Select(v => v.Min()).ToArray(), atStep.Select(v => v.Max()).ToArray());
    }

    private static Dictionary<int, double> Smooth(IReadOnlyList<CurvePoint> points, int window)
    {
        var smoothed = new Dictionary<int, double>();
        for (var i = 0; i < points.Count; i++)
        {
            var from = Math.Max(0, i - window + 1);
            var sum = 0.0;
            for (var j = from; j <= i; j++) sum += points[j].Value;
            smoothed[points[i].Step] = sum / (i - from + 1);
        }
        return smoothed;
    }
}
