namespace Rlvr.Torch.Distributed;

/// <summary>
/// Where this process stands among the ranks a launcher started: its rank, the number of ranks and its
/// rank on this machine (which picks its GPU). Read from the launcher's environment before any MPI
/// library is loaded, so that one process started without a launcher never touches MPI.
/// </summary>
/// <param name="Rank">0-based rank; rank 0 alone prints and writes run outputs.</param>
/// <param name="Size">Number of ranks (1: a plain process).</param>
/// <param name="LocalRank">Rank among the ranks on this machine (GPU index on CUDA).</param>
public sealed record World(int Rank, int Size, int LocalRank)
{
    /// <summary>One process, no launcher.</summary>
    public static readonly World Single = new(0, 1, 0);

    /// <summary>True on the rank that prints and writes (rank 0).</summary>
    public bool IsLeader => Rank == 0;

    /// <summary>
    /// The world from the launcher's variables: Open MPI's mpirun (OMPI_COMM_WORLD_*), then PMIx as
    /// Slurm's <c>srun --mpi=pmix</c> sets it (PMIX_RANK with SLURM_NTASKS / SLURM_LOCALID), then plain
    /// Slurm (SLURM_PROCID). None of them: <see cref="Single"/>.
    /// </summary>
    public static World FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary><see cref="FromEnvironment"/> over any variable lookup (tests).</summary>
    public static World FromVariables(Func<string, string?> variable)
    {
        int? Read(string name)
        {
            var text = variable(name);
            if (string.IsNullOrEmpty(text)) return null;
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
                throw new InvalidOperationException($"launcher variable {name}='{text}' is not a non-negative integer");
            return value;
        }
        (string Rank, string Size, string Local)[] launchers =
        [
            ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
            ("PMIX_RANK", "SLURM_NTASKS", "SLURM_LOCALID"),
            ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"),
        ];
        foreach (var (rankName, sizeName, localName) in launchers)
        {
            if (Read(rankName) is not int rank || Read(sizeName) is not int size) continue;
            if (size < 1 || rank >= size)
                throw new InvalidOperationException($"launcher variables {rankName}={rank} and {sizeName}={size} do not describe a rank of the world");
            return new World(rank, size, Read(localName) ?? 0);
        }
        return Single;
    }

    /// <inheritdoc/>
    public override string ToString() => Size == 1 ? "1 process" : $"rank {Rank} of {Size} (local rank {LocalRank})";
}
