using Rlvr.Grading;

namespace Rlvr.Torch.Training.Configuration;

// One record per component. Defaults = the paper's Qwen2.5-Math-7B ground-truth run
// (upstream.md §3.1: rlvr_deepscaler_grpo_qwen_ground_truth.sh plus train_ppo_naive.py's argparse
// defaults). YAML keys are the snake_case of the property names (`rollout.max_new_tokens`).

/// <summary>The whole configuration of a training run.</summary>
public sealed record TrainConfig
{
    /// <summary>Run identity, seed, device, length.</summary>
    public RunConfig Run { get; init; } = new();
    /// <summary>The policy model to train.</summary>
    public PolicyModelConfig Model { get; init; } = new();
    /// <summary>The training prompts and labels.</summary>
    public DataConfig Data { get; init; } = new();
    /// <summary>How responses are sampled.</summary>
    public RolloutConfig Rollout { get; init; } = new();
    /// <summary>The training reward and the true-label accuracy.</summary>
    public RewardConfig Reward { get; init; } = new();
    /// <summary>GRPO: advantages, clipping, loss, KL, batch sizes.</summary>
    public GrpoConfig Grpo { get; init; } = new();
    /// <summary>Adam and the learning-rate schedule.</summary>
    public OptimizerConfig Optimizer { get; init; } = new();
    /// <summary>Checkpoints and bad-step handling.</summary>
    public CheckpointConfig Checkpoint { get; init; } = new();
    /// <summary>Metrics, TensorBoard, sample dumps.</summary>
    public TelemetryConfig Telemetry { get; init; } = new();
    /// <summary>Evaluation during training.</summary>
    public EvalConfig Eval { get; init; } = new();
    /// <summary>Supervised warm start before GRPO (used by tiny-cpu; off for the paper's runs).</summary>
    public WarmStartConfig WarmStart { get; init; } = new();
}

/// <summary>Run identity and length.</summary>
public sealed record RunConfig
{
    /// <summary>Run name; the default output folder is runs/&lt;name&gt;.</summary>
    public string Name { get; init; } = "qwen2.5-math-7b-ground_truth";
    /// <summary>Every random choice derives from this (upstream --seed 42).</summary>
    public int Seed { get; init; } = 42;
    /// <summary>"auto" (cuda when present), "cpu", "cuda" (under mpirun: cuda:&lt;local rank&gt;) or "cuda:N", as `rlvr eval --device`.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>CPU threads for libtorch (0 = its default). Tiny models run faster on 1 thread, especially on a busy machine.</summary>
    public int Threads { get; init; } = 0;
    /// <summary>Training steps (rollout batches). The paper plots 150-300; upstream stopped runs by hand.</summary>
    public int Steps { get; init; } = 300;
}

/// <summary>The policy model.</summary>
public sealed record PolicyModelConfig
{
    /// <summary>HF checkpoint folder (config.json, safetensors, tokenizer.json) or a Hub id (org/name[@revision]) found in the
    /// Hugging Face cache by `rlvr train`. Empty with <see cref="Tiny"/> set: build one.</summary>
    public string Path { get; init; } = "Qwen/Qwen2.5-Math-7B";
    /// <summary>"auto" (bf16 on GPU, fp32 on CPU), "bfloat16" or "float32" (as `rlvr eval --dtype`; "bf16" and "fp32" also): the compute dtype; masters stay fp32.</summary>
    public string Dtype { get; init; } = "auto";
    /// <summary>
    /// Recompute each decoder layer's activations in backward to save memory (upstream
    /// --gradient_checkpointing); see Models/CheckpointedLayer.cs.
    /// </summary>
    public bool GradientCheckpointing { get; init; } = true;
    /// <summary>When set, the project builds a tiny random Qwen2-architecture model and its own tokenizer.</summary>
    public TinyModelConfig? Tiny { get; init; }
}

/// <summary>Shape of the tiny self-built Qwen2-architecture model.</summary>
public sealed record TinyModelConfig
{
    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; init; } = 64;
    /// <summary>Decoder layers.</summary>
    public int Layers { get; init; } = 2;
    /// <summary>Attention heads.</summary>
    public int Heads { get; init; } = 4;
    /// <summary>Key/value heads (grouped-query attention).</summary>
    public int KvHeads { get; init; } = 2;
    /// <summary>MLP width.</summary>
    public int IntermediateSize { get; init; } = 128;
}

/// <summary>Training prompts and labels.</summary>
public sealed record DataConfig
{
    /// <summary>Dataset catalog name or path (upstream --prompt_data json@data/DeepScaleR), or "generated:arithmetic" / "generated:strategies".</summary>
    public string Source { get; init; } = "DeepScaleR";
    /// <summary>"train" or "test"; empty = the dataset's own default split.</summary>
    public string Split { get; init; } = "";
    /// <summary>
    /// Dataset whose answers are the TRUE labels, matched by problem text, when the training labels are
    /// not (majority-vote or incorrect-label data); empty = the training label is the truth.
    /// </summary>
    public string TrueLabels { get; init; } = "";
    /// <summary>Prompt template (qwen-math = Qwen2.5-Math's chat template with its system prompt; raw; r1; ...).</summary>
    public string Template { get; init; } = "qwen-math";
    /// <summary>Use at most this many rows (0 = all; upstream --max_samples 400000).</summary>
    public int MaxSamples { get; init; } = 400000;
    /// <summary>Shuffle each epoch with seed + epoch (upstream's ResumableRandomSampler).</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>Rows of the generated task (generated sources only).</summary>
    public int GeneratedCount { get; init; } = 400;
    /// <summary>Largest operand of the generated arithmetic task (a + b with a, b in 0..this).</summary>
    public int GeneratedMaxOperand { get; init; } = 19;
    /// <summary>Rows kept out of training for in-training evaluation when no evaluation set is named.</summary>
    public int HeldOut { get; init; } = 0;
    /// <summary>Strategy task (generated:strategies): fraction of warm-start answers written "#sum" (strategy A), which sets the base policy's P(A).</summary>
    public double StrategyAFraction { get; init; } = 0.5;
    /// <summary>Strategy task: fraction of warm-start strategy-B answers ("sum") that are wrong, so B is the worse strategy.</summary>
    public double StrategyBErrorRate { get; init; } = 0.5;
    /// <summary>Generated tasks: the training label is the true answer plus this (non-zero: an incorrect-label reward; accuracy stays against the truth).</summary>
    public int LabelShift { get; init; } = 0;
}

/// <summary>How responses are sampled.</summary>
public sealed record RolloutConfig
{
    /// <summary>Prompts per training step (upstream --rollout_batch_size 64).</summary>
    public int PromptsPerStep { get; init; } = 64;
    /// <summary>Responses per prompt, one GRPO group (upstream --n_samples_per_prompt 16).</summary>
    public int SamplesPerPrompt { get; init; } = 16;
    /// <summary>Sampling temperature (upstream 1.0).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Nucleus sampling mass (upstream 1.0 = off).</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Response budget in tokens (upstream --generate_max_len 3072).</summary>
    public int MaxNewTokens { get; init; } = 3072;
    /// <summary>Prompts are truncated to this many tokens (upstream --prompt_max_len 1024).</summary>
    public int MaxPromptTokens { get; init; } = 1024;
    /// <summary>Stop strings kept in the output (upstream --stop_string, for r1-style prompts).</summary>
    public List<string> Stop { get; init; } = [];
    /// <summary>DAPO dynamic sampling: drop groups whose rewards all agree, then sample more prompts to refill.</summary>
    public bool DynamicSampling { get; init; } = false;
    /// <summary>Extra sampling rounds dynamic sampling may take to refill the batch.</summary>
    public int DynamicSamplingMaxRounds { get; init; } = 3;
    /// <summary>Prompts per call of the rollout engine (bounds the KV cache); 0 = all prompts of the step at once.</summary>
    public int PromptsPerGenerateCall { get; init; } = 0;
}

/// <summary>The training reward and the accuracy measure.</summary>
public sealed record RewardConfig
{
    /// <summary>Reward registry name (upstream --verify_task): math, box_only_format, contain_python_wo_backticks, random0.5, ...</summary>
    public string Name { get; init; } = "math";
    /// <summary>Reward used as "accuracy against the TRUE label", always computed (upstream verify_task_eval math).</summary>
    public string Accuracy { get; init; } = "math";
    /// <summary>Deterministic bound of each grade call (reward, accuracy and in-training evaluation), in units of
    /// grader work (Rlvr.Grading.GradeBudget); a call that runs out counts as "not equal" and as a timeout in
    /// metrics.jsonl. It depends only on the answer, so rewards repeat on any machine and after a resume. The
    /// default is about 1,000 times what any answer of the grading vectors and the shipped datasets needs.</summary>
    public long GradeWorkLimit { get; init; } = GradeOptions.ReproducibleWorkLimit;
    /// <summary>Wall-clock safety net of each grade call, in milliseconds (the work bound decides; this only
    /// stops a call the work count misjudges, and such a timeout is logged as machine-dependent).</summary>
    public double GradeTimeLimitMs { get; init; } = GradeOptions.ReproducibleTimeLimit.TotalMilliseconds;
    /// <summary>The grader behind <c>math</c>, <c>ttt</c> and in-training evaluation: "paper" (the paper's own
    /// reward, quirks included, so results compare with the published runs) or "verify" (robust).</summary>
    public string Grader { get; init; } = "paper";

    /// <summary>The grade options these settings give.</summary>
    public GradeOptions ToGradeOptions(GradeTimeoutCounter? timeouts = null, TimeProvider? clock = null) => GradeOptions.Default with
    {
        TimeLimit = TimeSpan.FromMilliseconds(GradeTimeLimitMs), WorkLimit = GradeWorkLimit, Timeouts = timeouts, Clock = clock,
    };

    /// <summary>The grader mode named by <see cref="Grader"/> (validated by the config loader).</summary>
    public GraderMode ToGraderMode() => Grader == "verify" ? GraderMode.Verify : GraderMode.Paper;
}

/// <summary>GRPO proper (formulas: Training/GrpoMath.cs).</summary>
public sealed record GrpoConfig
{
    /// <summary>Advantages are clamped to +-this (upstream --reward_clip_range -10 10).</summary>
    public double AdvantageClip { get; init; } = 10;
    /// <summary>Divide by the group's std (off = Dr. GRPO's advantage).</summary>
    public bool ScaleByStd { get; init; } = true;
    /// <summary>Second normalisation over all response tokens of the batch (upstream: on).</summary>
    public bool WhitenAdvantages { get; init; } = true;
    /// <summary>
    /// The policy loss (Training/GrpoMath.cs): clipped_ratio (PPO, upstream's default), unclipped_ratio
    /// (-rho * A, the paper's "no clipping" ablation) or unclipped_probability (-exp(logp) * A, upstream's
    /// --use_policy_loss_wo_old_log_probs, its only shipped unclipped loss).
    /// </summary>
    public PolicyLossKind PolicyLoss { get; init; } = PolicyLossKind.ClippedRatio;
    /// <summary>Lower clip bound eps (upstream --eps_clip 0.2).</summary>
    public double EpsLow { get; init; } = 0.2;
    /// <summary>Upper clip bound eps (0.2 upstream; DAPO's clip-higher uses 0.28).</summary>
    public double EpsHigh { get; init; } = 0.2;
    /// <summary>Loss reduction; upstream's code takes the token mean of each micro-batch.</summary>
    public LossAggregation LossAggregation { get; init; } = LossAggregation.TokenMean;
    /// <summary>KL penalty coefficient (paper: 0, and then no reference model is loaded).</summary>
    public double KlCoef { get; init; } = 0;
    /// <summary>KL estimator (upstream k1; k3 with --use_kl_estimator_k3).</summary>
    public KlEstimator KlEstimator { get; init; } = KlEstimator.K1;
    /// <summary>Entropy bonus coefficient (paper: 0).</summary>
    public double EntropyCoef { get; init; } = 0;
    /// <summary>Samples per optimizer step (upstream --train_batch_size 128: 1024 / 128 = 8 updates per rollout batch).</summary>
    public int TrainBatchSize { get; init; } = 128;
    /// <summary>Samples per forward/backward (upstream --micro_train_batch_size 4).</summary>
    public int MicroBatchSize { get; init; } = 4;
    /// <summary>Passes over each rollout batch (upstream --max_epochs 1).</summary>
    public int Epochs { get; init; } = 1;
}

/// <summary>Adam and its schedule (DeepSpeedCPUAdam upstream).</summary>
public sealed record OptimizerConfig
{
    /// <summary>Peak learning rate (paper 5e-7).</summary>
    public double Lr { get; init; } = 5e-7;
    /// <summary>Adam beta1 (upstream --adam_betas 0.9 0.95).</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Adam beta2.</summary>
    public double Beta2 { get; init; } = 0.95;
    /// <summary>Adam epsilon.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>Global gradient-norm clip (upstream --max_norm 1.0).</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>constant (paper) or cosine.</summary>
    public Optimization.ScheduleKind Schedule { get; init; } = Optimization.ScheduleKind.Constant;
    /// <summary>Linear warmup in optimizer steps (paper 0).</summary>
    public int WarmupSteps { get; init; } = 0;
    /// <summary>Cosine floor as a fraction of the peak.</summary>
    public double MinLrRatio { get; init; } = 0;
    /// <summary>
    /// Sum a bf16 model's micro-batch gradients in fp32 (upstream's DeepSpeed does). Costs 4 bytes per
    /// parameter while an optimizer step spans several micro-batches (30 GB on a 7B model); false keeps
    /// autograd's bf16 sums.
    /// </summary>
    public bool Fp32GradAccumulation { get; init; } = true;
    /// <summary>
    /// ZeRO stage of the optimizer state over data-parallel ranks (`mpirun -np N`): 0 = every rank keeps all
    /// fp32 masters and Adam moments; 1 = each rank keeps and updates its shard of whole parameters and
    /// broadcasts them (ZeRO-1, upstream's DeepSpeed runs ZeRO-3); 2 = also the gradient sums: each is reduced
    /// to its parameter's owner only (ZeRO-2). Valid: 0, 1 or 2. The same update in every case.
    /// </summary>
    public int ZeroStage { get; init; } = 0;
}

/// <summary>Checkpoints and bad-step handling.</summary>
public sealed record CheckpointConfig
{
    /// <summary>Save every N steps (upstream --save_steps 50); 0 = only at the end.</summary>
    public int Every { get; init; } = 50;
    /// <summary>Keep the last K checkpoints (upstream --max_ckpt_num 1).</summary>
    public int Keep { get; init; } = 1;
    /// <summary>Stop after this many consecutive skipped (NaN/Inf) optimizer steps.</summary>
    public int MaxBadSteps { get; init; } = 5;
}

/// <summary>Telemetry outputs.</summary>
public sealed record TelemetryConfig
{
    /// <summary>Write sample completions every N steps (0 = never).</summary>
    public int SamplesEvery { get; init; } = 10;
    /// <summary>Completions per dump.</summary>
    public int SamplesCount { get; init; } = 8;
    /// <summary>Also write a TensorBoard event file.</summary>
    public bool Tensorboard { get; init; } = true;
    /// <summary>
    /// Regex (case-insensitive) that marks a response as strategy A for the strategy metrics: the paper's
    /// code reasoning is "python" (its "mentions python" predicate); the strategy task's is "^#".
    /// </summary>
    public string StrategyPattern { get; init; } = "python";
}

/// <summary>Evaluation during training.</summary>
public sealed record EvalConfig
{
    /// <summary>
    /// Evaluate in the training process every N steps (0 = never): it stalls training while it runs, so it
    /// suits small runs; larger ones leave snapshots (<see cref="SnapshotEvery"/>) for `rlvr eval --follow`.
    /// </summary>
    public int Every { get; init; } = 0;
    /// <summary>
    /// Write a light weight snapshot (an HF folder, no optimizer state) every N steps, and one of the base model
    /// at step 0, for `rlvr eval --follow RUN_DIR` to evaluate in another process as they appear (upstream's
    /// asynchronous evaluation, which ran every step); 0 = none. Apart from resume checkpoints.
    /// </summary>
    public int SnapshotEvery { get; init; } = 0;
    /// <summary>Evaluated snapshots kept (the newest); a snapshot not yet evaluated is never deleted.</summary>
    public int SnapshotKeep { get; init; } = 1;
    /// <summary>
    /// Evaluation sets by catalog name, each optionally with <c>@k</c> samples per problem (k = 1 greedy, more at
    /// T 0.6, as upstream's NAME@k tasks; without @k the paper's plan: MATH-500 greedy, others 8 at 0.6); empty =
    /// the held-out slice of the training data, greedy.
    /// </summary>
    public List<string> Sets { get; init; } = [];
    /// <summary>Greedy response budget for evaluation.</summary>
    public int MaxNewTokens { get; init; } = 3072;
    /// <summary>Evaluate at most this many held-out prompts.</summary>
    public int MaxPrompts { get; init; } = 500;
}

/// <summary>Supervised warm start (teacher-forced cross-entropy on prompt + reference answer).</summary>
public sealed record WarmStartConfig
{
    /// <summary>Optimizer steps (0 = none).</summary>
    public int Steps { get; init; } = 0;
    /// <summary>Learning rate.</summary>
    public double Lr { get; init; } = 3e-3;
    /// <summary>Sequences per step.</summary>
    public int BatchSize { get; init; } = 32;
}
