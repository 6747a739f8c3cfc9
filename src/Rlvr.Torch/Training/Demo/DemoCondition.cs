namespace Rlvr.Torch.Training.Demo;

/// <summary>One arm of <c>rlvr demo</c>: a name, what it tests, and the overrides it applies to the strategies preset.</summary>
/// <param name="Name">Short name (table row, run folder).</param>
/// <param name="What">One line: what the paper says about it.</param>
/// <param name="Overrides"><c>--set</c>-style assignments applied after the demo's own.</param>
/// <param name="OneUpdatePerBatch">Train batch = the whole rollout batch (one optimizer step, strictly on-policy).</param>
public sealed record DemoCondition(string Name, string What, IReadOnlyList<string> Overrides, bool OneUpdatePerBatch = false)
{
    /// <summary>
    /// The paper's rewards and ablations on the strategy task. The base policy prefers strategy A (the
    /// better one) except in the inverse control, where the warm start makes A the minority.
    /// </summary>
    public static IReadOnlyList<DemoCondition> All { get; } =
    [
        new("ground_truth", "the true answer: should gain most", ["reward.name=math"]),
        new("random_clip", "random reward, PPO clip, several updates per batch: the clip bias should raise P(A) and accuracy", ["reward.name=random0.5"]),
        new("random_no_clip", "random reward without the clip: no systematic gain expected", ["reward.name=random0.5", "grpo.policy_loss=unclipped_ratio"]),
        new("random_one_update", "random reward, one update per rollout batch (ratio = 1, the clip never acts): no systematic gain expected",
            ["reward.name=random0.5"], OneUpdatePerBatch: true),
        new("format", "format reward (an answer can be extracted): almost always 1 here, so almost no signal", ["reward.name=format"]),
        new("incorrect", "incorrect labels (sum + 1): rewards only wrong answers", ["reward.name=math", "data.label_shift=1"]),
        new("inverse_random_clip", "random reward with clip, but A is the minority (P(A) small): the clip bias should favour B and lose",
            ["reward.name=random0.5", "data.strategy_a_fraction=0.25"]),
    ];
}
