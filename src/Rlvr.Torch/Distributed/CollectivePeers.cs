using Rlvr.Core.Evaluation;

namespace Rlvr.Torch.Distributed;

/// <summary>The ranks of <paramref name="collectives"/> as the evaluation and labelling code sees them.</summary>
public sealed class CollectivePeers(ICollectives collectives) : IWorkPeers
{
    /// <inheritdoc/>
    public int Rank => collectives.World.Rank;

    /// <inheritdoc/>
    public int Size => collectives.World.Size;

    /// <inheritdoc/>
    public byte[][] AllGather(byte[] mine) => collectives.AllGather(mine);
}
