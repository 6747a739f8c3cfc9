namespace Rlvr.Torch.Training.Optimization;

/// <summary>Shape of the learning rate over optimizer steps.</summary>
public enum ScheduleKind
{
    /// <summary>Linear warmup, then constant (the paper: constant 5e-7, no warmup).</summary>
    Constant,
    /// <summary>Linear warmup, then cosine decay to <c>MinRatio x peak</c> at the last step.</summary>
    Cosine,
}

/// <summary>Learning rate at each optimizer step (0-based), as transformers' get_scheduler does.</summary>
/// <param name="Peak">The learning rate after warmup.</param>
/// <param name="WarmupSteps">Steps of linear warmup from 0 (upstream: 0).</param>
/// <param name="TotalSteps">Optimizer steps of the run (for cosine).</param>
/// <param name="MinRatio">Cosine floor as a fraction of <paramref name="Peak"/>.</param>
public sealed record LearningRateSchedule(ScheduleKind Kind, double Peak, int WarmupSteps = 0, int TotalSteps = 1, double MinRatio = 0)
{
    /// <summary>The learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return Peak * step / WarmupSteps;  // transformers: step 0 has lr 0
        return Kind switch
        {
            ScheduleKind.Constant => Peak,
            ScheduleKind.Cosine => Cosine(step),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
        };
    }

    private double Cosine(long step)
    {
        double span = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((step - WarmupSteps) / span, 0, 1);
        return Peak * (MinRatio + (1 - MinRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
