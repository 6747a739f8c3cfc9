using Rlvr.Torch.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Optimization;

/// <summary>What one optimizer step did.</summary>
/// <param name="Applied">False when the gradient was NaN/Inf and the update was skipped.</param>
/// <param name="GradNorm">Global L2 norm of the gradient before clipping (NaN/Inf when skipped).</param>
public readonly record struct OptimizerStepResult(bool Applied, double GradNorm);

/// <summary>
/// Adam (Kingma and Ba; torch.optim.Adam's update, no weight decay) on fp32 master weights with
/// global gradient-norm clipping.
/// Why masters: the paper's lr 5e-7 is far below bf16's resolution (a bf16 weight near 1 moves in
/// steps of ~4e-3), so updating bf16 weights directly would silently not train. When the model's
/// parameters are bf16 (GPU), this keeps an fp32 copy of each one plus fp32 moments, takes the bf16
/// gradients as fp32 (summed over micro-batches in fp32, as upstream's DeepSpeed does), updates the
/// copies and writes them back rounded to bf16. When the model is already fp32 (CPU) the parameters
/// are their own masters and nothing is copied.
/// </summary>
/// <remarks>
/// Memory: the masters and moments are 12 bytes per parameter on top of the model. Everything else is
/// transient and per parameter: <see cref="Apply"/> converts, uses and frees one gradient at a time (never
/// an fp32 copy of all of them), so its peak is the model, its bf16 gradients, the 12 bytes and about two
/// fp32 copies of the largest tensor (the embedding). fp32 gradient sums exist only while an optimizer
/// step spans several micro-batches.
/// <para>
/// Data-parallel ranks: <see cref="ReduceGradients"/> adds the ranks' gradients before <see cref="Apply"/>.
/// With ZeRO stage 1 (Rajbhandari et al., "ZeRO", 2020) each parameter has one owning rank (whole
/// parameters, dealt greedily to the least-loaded rank), which alone keeps its fp32 master and moments and
/// updates it; the owners then broadcast the new weights (together the all-gather of ZeRO's paper), so every
/// rank again holds the whole model. The arithmetic of each parameter's update is unchanged, so the sharded
/// step equals the unsharded one exactly; per rank the 12 bytes per parameter become about 12 / N.
/// With ZeRO stage 2 the gradients are not all-reduced but reduced to each parameter's owner, and the other
/// ranks free theirs: half the traffic of an all-reduce, and from the reduction to the update each rank holds
/// only its shard of the gradients. The reduction runs once per optimizer step, after the last micro-batch,
/// so while a rank accumulates several micro-batches its gradient sums are still whole: the peak memory
/// falls only where each rank computes one micro-batch per step (DeepSpeed's ZeRO-2 reduces buckets during
/// backward instead, which this does not do). The global gradient norm is then the square root of the owners'
/// partial sums of squares added over ranks, the same sum in another order (fp64: the clip factor, and so
/// the update, agree to about 1e-15 relative).
/// </para>
/// </remarks>
public sealed class MasterWeightAdam : IDisposable
{
    private readonly (string Name, Parameter Model, Tensor Master)[] _params;
    private readonly Tensor?[] _m;  // first moments, fp32, shaped as each parameter (null: another rank's shard)
    private readonly Tensor?[] _v;  // second moments
    private readonly int[] _owner;  // the rank that updates each parameter (ZeRO-1), or -1: every rank
    private readonly ICollectives _collectives;
    private readonly int _zeroStage;
    private readonly Tensor?[] _sums; // fp32 gradient sums of earlier micro-batches (separate masters only)
    private readonly long[] _steps;   // updates each parameter received (its own Adam t, as torch.optim.Adam's state["step"])
    private readonly double _beta1, _beta2, _eps, _maxGradNorm;
    private readonly bool _fp32Sums;

    /// <summary>Number of updates applied so far (Adam's t).</summary>
    public long Step { get; private set; }

    /// <summary>Learning rate of the next step (set by the schedule before each step).</summary>
    public double LearningRate { get; set; }

    /// <summary>
    /// Creates the optimizer over <paramref name="parameters"/> (trainable ones only). With
    /// <paramref name="fp32GradientSums"/> false, <see cref="AccumulateGradients"/> does nothing. With
    /// <paramref name="zeroStage"/> 1 the state is sharded over the ranks of <paramref name="collectives"/>.
    /// </summary>
    public MasterWeightAdam(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double maxGradNorm = 1.0, bool fp32GradientSums = true,
        ICollectives? collectives = null, int zeroStage = 0)
    {
        LearningRate = learningRate;
        _beta1 = beta1; _beta2 = beta2; _eps = eps; _maxGradNorm = maxGradNorm; _fp32Sums = fp32GradientSums;
        _collectives = collectives ?? new SingleProcessCollectives();
        _zeroStage = zeroStage;
        using var noGrad = torch.no_grad();
        var trainable = parameters.Where(p => p.Parameter.requires_grad).ToArray();
        _owner = zeroStage >= 1 ? Owners(trainable.Select(p => p.Parameter.numel()).ToArray(), _collectives.World.Size) : trainable.Select(_ => -1).ToArray();
        _params = trainable.Select((p, i) => (p.Name, p.Parameter, Owns(i) ? Float32Master(p.Parameter) : (Tensor)p.Parameter)).ToArray();
        _m = _params.Select((p, i) => Owns(i) ? torch.zeros_like(p.Master) : null).ToArray();
        _v = _params.Select((p, i) => Owns(i) ? torch.zeros_like(p.Master) : null).ToArray();
        _sums = new Tensor?[_params.Length];
        _steps = new long[_params.Length];
    }

    /// <summary>ZeRO-1 ownership: each parameter, in order, to the rank holding the fewest elements so far (ties: lowest rank).</summary>
    public static int[] Owners(IReadOnlyList<long> sizes, int ranks)
    {
        var load = new long[ranks];
        var owner = new int[sizes.Count];
        for (int i = 0; i < sizes.Count; i++)
        {
            int best = 0;
            for (int r = 1; r < ranks; r++) if (load[r] < load[best]) best = r;
            owner[i] = best;
            load[best] += sizes[i];
        }
        return owner;
    }

    private bool Owns(int i) => _owner[i] < 0 || _owner[i] == _collectives.World.Rank;

    /// <summary>True when this rank keeps only its shard of the state (ZeRO-1 over several ranks).</summary>
    public bool Sharded => _owner.Any(o => o >= 0) && _collectives.World.Size > 1;

    /// <summary>Elements of fp32 state (masters kept apart from the model, and moments) this rank holds.</summary>
    public long StateElements => _params.Select((p, i) => (Owns(i) ? 2L : 0L) * p.Master.numel()
        + (Owns(i) && !ReferenceEquals(p.Master, p.Model) ? p.Master.numel() : 0)).Sum();

    /// <summary>The parameter itself when it is fp32, else an fp32 copy (intermediates freed now, not by the GC: on a GPU they are gigabytes).</summary>
    private static Tensor Float32Master(Parameter parameter)
    {
        if (parameter.dtype == ScalarType.Float32) return parameter;
        using var scope = NewDisposeScope();
        return parameter.detach().to(ScalarType.Float32).DetachFromDisposeScope(); // a new tensor: the dtype changes
    }

    /// <summary>True when the model parameters are not fp32 and fp32 masters are kept beside them.</summary>
    public bool KeepsSeparateMasters => _params.Any(p => !IsFloat32(p.Model));

    // Whether a parameter is its own fp32 master. Decided by its dtype, not by whether a master was made: under
    // ZeRO-1 a bf16 parameter another rank owns has no master here, yet its gradients still go into fp32 sums.
    private static bool IsFloat32(Parameter p) => p.dtype == ScalarType.Float32;

    /// <summary>
    /// Adds every rank's gradients (all-reduce, in fp32 where fp32 sums are kept) so that each rank holds the
    /// gradient of the whole global batch. A rank that computed no gradient for a parameter contributes zeros;
    /// a parameter no rank computed a gradient for keeps none (so <see cref="Apply"/> skips it, as one process
    /// would: a zero gradient would still move it through its moments).
    /// </summary>
    public void ReduceGradients(ICollectives collectives)
    {
        using var noGrad = torch.no_grad();
        AccumulateGradients(); // bf16 gradients into their fp32 sums first: the sum over ranks is taken in fp32
        bool InSums(int i) => _fp32Sums && !IsFloat32(_params[i].Model);
        var present = Enumerable.Range(0, _params.Length)
            .Select(i => (InSums(i) ? _sums[i] is not null : _params[i].Model.grad is not null) ? 1.0 : 0.0).ToArray();
        collectives.AllReduceSum(present);
        bool toOwner = _zeroStage >= 2 && Sharded;
        for (int i = 0; i < _params.Length; i++)
        {
            if (present[i] == 0) continue;
            var model = _params[i].Model;
            Tensor gradient;
            if (InSums(i)) gradient = _sums[i] ??= torch.zeros_like(model, dtype: ScalarType.Float32).DetachFromDisposeScope();
            else gradient = model.grad ??= torch.zeros_like(model).DetachFromDisposeScope();
            if (!toOwner) { collectives.AllReduceSum(gradient); continue; }
            collectives.ReduceSum(gradient, _owner[i]);   // ZeRO-2: only the owner needs the sum
            if (!Owns(i)) DropGradient(i);
        }
    }

    /// <summary>The fp32 master of parameter <paramref name="name"/> (the parameter itself on fp32 models).</summary>
    public Tensor Master(string name) => _params.First(p => p.Name == name).Master;

    /// <summary>Clears the model's gradients and the fp32 sums of earlier micro-batches.</summary>
    public void ZeroGrad()
    {
        for (int i = 0; i < _params.Length; i++)
        {
            _params[i].Model.grad = null;
            _sums[i]?.Dispose();
            _sums[i] = null;
        }
    }

    /// <summary>
    /// Moves the model's gradients into fp32 sums and clears them. Call it before each backward of an
    /// optimizer step (before the first there is nothing to move): otherwise autograd adds each
    /// micro-batch's bf16 gradient to a bf16 sum, rounding to 8 bits at every micro-batch. Does nothing on
    /// fp32 models or when the optimizer was made without fp32 gradient sums.
    /// </summary>
    public void AccumulateGradients()
    {
        if (!_fp32Sums) return;
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _params.Length; i++)
        {
            if (IsFloat32(_params[i].Model)) continue;
            using var scope = NewDisposeScope();
            var grad = _params[i].Model.grad;
            if (grad is null) continue;
            if (_sums[i] is null) _sums[i] = grad.to(ScalarType.Float32).DetachFromDisposeScope();
            else _sums[i]!.add_(grad);
            _params[i].Model.grad = null;
        }
    }

    /// <summary>
    /// Clips the accumulated gradients to the global norm limit and applies one Adam update, unless
    /// the gradient holds NaN/Inf: then nothing changes (the step is reported as skipped). Gradients
    /// are cleared either way.
    /// </summary>
    public OptimizerStepResult Apply()
    {
        using var noGrad = torch.no_grad();
        if (_sums.Any(s => s is not null)) AccumulateGradients(); // every gradient in one place: fp32 sums
        double norm = GlobalGradientNorm();
        if (!double.IsFinite(norm))
        {
            ZeroGrad();
            return new OptimizerStepResult(false, norm);
        }
        // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
        double clip = Math.Min(1.0, _maxGradNorm / (norm + 1e-6));
        Step++;
        for (int i = 0; i < _params.Length; i++)
        {
            using var scope = NewDisposeScope();
            if (!Owns(i)) { DropGradient(i); continue; } // its owner updates it and broadcasts it below
            var (m, v) = (_m[i]!, _v[i]!);
            var g = Fp32Gradient(i);
            // As torch.optim.Adam: a parameter without a gradient (not used by this step's loss) is skipped
            // altogether: its moments do not decay, it does not move, and its own step count stays.
            if (g is null) continue;
            if (clip < 1.0) g = g * clip;
            m.mul_(_beta1).add_(g, alpha: 1 - _beta1);
            v.mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
            _steps[i]++;
            double bias1 = 1 - Math.Pow(_beta1, _steps[i]);
            double bias2 = 1 - Math.Pow(_beta2, _steps[i]);
            // torch.optim.Adam: p -= lr / bias1 * m / (sqrt(v) / sqrt(bias2) + eps)
            var denom = v.sqrt().div_(Math.Sqrt(bias2)).add_(_eps);
            _params[i].Master.addcdiv_(m, denom, value: -LearningRate / bias1);
            if (!ReferenceEquals(_params[i].Master, _params[i].Model))
                _params[i].Model.copy_(_params[i].Master);  // rounds to the model's dtype
            DropGradient(i); // frees this gradient before the next one is converted
        }
        if (Sharded)
            for (int i = 0; i < _params.Length; i++) _collectives.Broadcast(_params[i].Model, _owner[i]);
        return new OptimizerStepResult(true, norm);
    }

    private void DropGradient(int i)
    {
        _params[i].Model.grad = null;
        _sums[i]?.Dispose();
        _sums[i] = null;
    }

    /// <summary>
    /// The gradient of parameter <paramref name="i"/> as fp32 (in the current dispose scope), or null when it has
    /// none. The norm and the update each convert a bf16 gradient afresh: keeping the fp32 copies between the
    /// two passes would cost 4 bytes per parameter at the step's peak.
    /// </summary>
    private Tensor? Fp32Gradient(int i) => _sums[i] ?? _params[i].Model.grad?.to(ScalarType.Float32);

    /// <summary>Global L2 norm of all gradients: per-parameter sums of squares added in fp64 on the device, one host read.</summary>
    private double GlobalGradientNorm()
    {
        using var scope = NewDisposeScope();
        var squares = new List<Tensor>(_params.Length);
        for (int i = 0; i < _params.Length; i++)
        {
            using var inner = NewDisposeScope();
            var g = Fp32Gradient(i);
            if (g is not null) squares.Add(g.square().sum().to(ScalarType.Float64).MoveToOuterDisposeScope());
        }
        double sum = squares.Count == 0 ? 0 : torch.stack(squares).sum().item<double>();
        if (_zeroStage >= 2 && Sharded)
        {
            Span<double> total = [sum];  // each rank holds its owned parameters' gradients only
            _collectives.AllReduceSum(total);
            sum = total[0];
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Writes the step count and the masters and moments (fp32) this rank holds to <paramref name="path"/>:
    /// everything unsharded, this rank's shard under ZeRO-1.
    /// </summary>
    public void Save(string path)
    {
        using var file = File.Create(path);
        using var writer = new BinaryWriter(file);
        var owned = Enumerable.Range(0, _params.Length).Where(Owns).ToArray();
        writer.Write(FormatTag);
        writer.Write(Step);
        writer.Write(owned.Length);
        foreach (var i in owned)
        {
            writer.Write(_params[i].Name);
            writer.Write(_steps[i]);
            TensorFile.Write(writer, _params[i].Master);
            TensorFile.Write(writer, _m[i]!);
            TensorFile.Write(writer, _v[i]!);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote; the model's parameters are set from the masters.</summary>
    public void Load(string path) => Load([path]);

    /// <summary>
    /// Restores the state this rank holds from the files <see cref="Save"/> wrote on every rank of a run (one
    /// file unsharded, one per rank under ZeRO-1), taking each parameter by name wherever it is: so a run
    /// saved at one world size or stage loads at another (re-sharding). Every parameter this rank holds
    /// must be found exactly once, and all files must be at the same step.
    /// </summary>
    public void Load(IReadOnlyList<string> paths)
    {
        var wanted = Enumerable.Range(0, _params.Length).Where(Owns).ToDictionary(i => _params[i].Name);
        var found = new HashSet<string>();
        long? step = null;
        using var noGrad = torch.no_grad();
        foreach (var path in paths)
        {
            using var file = File.OpenRead(path);
            using var reader = new BinaryReader(file);
            var format = reader.ReadString();
            if (format is not (FormatTag or FormatWithoutParameterSteps)) throw new InvalidDataException($"{path}: not an rlvr optimizer state file");
            long fileStep = reader.ReadInt64();
            if (step is long s && s != fileStep) throw new InvalidDataException($"{path}: at optimizer step {fileStep}, the other shards at {s}");
            step = fileStep;
            int count = reader.ReadInt32();
            for (int k = 0; k < count; k++)
            {
                var name = reader.ReadString();
                long parameterSteps = format == FormatTag ? reader.ReadInt64() : fileStep;  // v1 moved every parameter at every step
                if (!wanted.TryGetValue(name, out int i))
                {
                    if (!_params.Any(p => p.Name == name)) throw new InvalidDataException($"{path}: holds parameter '{name}', which the model does not have");
                    for (int t = 0; t < 3; t++) TensorFile.Skip(reader, path, name);
                    continue;
                }
                if (!found.Add(name)) throw new InvalidDataException($"{path}: parameter '{name}' is in more than one optimizer shard");
                _steps[i] = parameterSteps;
                TensorFile.ReadInto(reader, _params[i].Master, path, name);
                TensorFile.ReadInto(reader, _m[i]!, path, name);
                TensorFile.ReadInto(reader, _v[i]!, path, name);
                if (!ReferenceEquals(_params[i].Master, _params[i].Model)) _params[i].Model.copy_(_params[i].Master);
            }
        }
        var missing = wanted.Keys.Where(n => !found.Contains(n)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{string.Join(", ", paths)}: no optimizer state for {missing.Length} parameter(s), first '{missing[0]}'");
        Step = step ?? 0;
    }

    // v2 adds each parameter's own step count; v1 files (every parameter updated at every step) still load.
    private const string FormatTag = "rlvr-adam-v2", FormatWithoutParameterSteps = "rlvr-adam-v1";

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t?.Dispose();
        foreach (var t in _sums) t?.Dispose();
        foreach (var p in _params) if (!ReferenceEquals(p.Master, p.Model)) p.Master.Dispose();
    }
}
