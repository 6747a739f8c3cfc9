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
/// </remarks>
public sealed class MasterWeightAdam : IDisposable
{
    private readonly (string Name, Parameter Model, Tensor Master)[] _params;
    private readonly Tensor[] _m;  // first moments, fp32, shaped as each parameter
    private readonly Tensor[] _v;  // second moments
    private readonly Tensor?[] _sums; // fp32 gradient sums of earlier micro-batches (separate masters only)
    private readonly double _beta1, _beta2, _eps, _maxGradNorm;
    private readonly bool _fp32Sums;

    /// <summary>Number of updates applied so far (Adam's t).</summary>
    public long Step { get; private set; }

    /// <summary>Learning rate of the next step (set by the schedule before each step).</summary>
    public double LearningRate { get; set; }

    /// <summary>
    /// Creates the optimizer over <paramref name="parameters"/> (trainable ones only). With
    /// <paramref name="fp32GradientSums"/> false, <see cref="AccumulateGradients"/> does nothing.
    /// </summary>
    public MasterWeightAdam(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double maxGradNorm = 1.0, bool fp32GradientSums = true)
    {
        LearningRate = learningRate;
        _beta1 = beta1; _beta2 = beta2; _eps = eps; _maxGradNorm = maxGradNorm; _fp32Sums = fp32GradientSums;
        using var noGrad = torch.no_grad();
        _params = parameters.Where(p => p.Parameter.requires_grad)
            .Select(p => (p.Name, p.Parameter, Float32Master(p.Parameter))).ToArray();
        _m = _params.Select(p => torch.zeros_like(p.Master)).ToArray();
        _v = _params.Select(p => torch.zeros_like(p.Master)).ToArray();
        _sums = new Tensor?[_params.Length];
    }

    /// <summary>The parameter itself when it is fp32, else an fp32 copy (intermediates freed now, not by the GC: on a GPU they are gigabytes).</summary>
    private static Tensor Float32Master(Parameter parameter)
    {
        if (parameter.dtype == ScalarType.Float32) return parameter;
        using var scope = NewDisposeScope();
        return parameter.detach().to(ScalarType.Float32).DetachFromDisposeScope(); // a new tensor: the dtype changes
    }

    /// <summary>True when the model parameters are not fp32 and fp32 masters are kept beside them.</summary>
    public bool KeepsSeparateMasters => _params.Any(p => !ReferenceEquals(p.Master, p.Model));

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
            if (ReferenceEquals(_params[i].Master, _params[i].Model)) continue;
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
        double bias1 = 1 - Math.Pow(_beta1, Step);
        double bias2 = 1 - Math.Pow(_beta2, Step);
        for (int i = 0; i < _params.Length; i++)
        {
            using var scope = NewDisposeScope();
            var g = Fp32Gradient(i);
            if (g is null)
            {
                _m[i].mul_(_beta1);  // a zero gradient
                _v[i].mul_(_beta2);
            }
            else
            {
                if (clip < 1.0) g = g * clip;
                _m[i].mul_(_beta1).add_(g, alpha: 1 - _beta1);
                _v[i].mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
            }
            // torch.optim.Adam: p -= lr / bias1 * m / (sqrt(v) / sqrt(bias2) + eps)
            var denom = _v[i].sqrt().div_(Math.Sqrt(bias2)).add_(_eps);
            _params[i].Master.addcdiv_(_m[i], denom, value: -LearningRate / bias1);
            if (!ReferenceEquals(_params[i].Master, _params[i].Model))
                _params[i].Model.copy_(_params[i].Master);  // rounds to the model's dtype
            _params[i].Model.grad = null;                   // frees this gradient before the next one is converted
            _sums[i]?.Dispose();
            _sums[i] = null;
        }
        return new OptimizerStepResult(true, norm);
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
        return squares.Count == 0 ? 0 : Math.Sqrt(torch.stack(squares).sum().item<double>());
    }

    /// <summary>Writes the step count, masters and moments (fp32) to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        using var file = File.Create(path);
        using var writer = new BinaryWriter(file);
        writer.Write("rlvr-adam-v1");
        writer.Write(Step);
        writer.Write(_params.Length);
        for (int i = 0; i < _params.Length; i++)
        {
            writer.Write(_params[i].Name);
            TensorFile.Write(writer, _params[i].Master);
            TensorFile.Write(writer, _m[i]);
            TensorFile.Write(writer, _v[i]);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote; the model's parameters are set from the masters.</summary>
    public void Load(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file);
        if (reader.ReadString() != "rlvr-adam-v1") throw new InvalidDataException($"{path}: not an rlvr optimizer state file");
        Step = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (count != _params.Length)
            throw new InvalidDataException($"{path}: holds {count} parameters, the model has {_params.Length}");
        using var noGrad = torch.no_grad();
        for (int i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            if (name != _params[i].Name)
                throw new InvalidDataException($"{path}: parameter {i} is '{name}', the model has '{_params[i].Name}'");
            TensorFile.ReadInto(reader, _params[i].Master, path, name);
            TensorFile.ReadInto(reader, _m[i], path, name);
            TensorFile.ReadInto(reader, _v[i], path, name);
            if (!ReferenceEquals(_params[i].Master, _params[i].Model)) _params[i].Model.copy_(_params[i].Master);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t.Dispose();
        foreach (var t in _sums) t?.Dispose();
        foreach (var p in _params) if (!ReferenceEquals(p.Master, p.Model)) p.Master.Dispose();
    }
}
