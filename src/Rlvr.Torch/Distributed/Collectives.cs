namespace Rlvr.Torch.Distributed;

/// <summary>Opens the collectives that fit the launcher and the device.</summary>
public static class Collectives
{
    /// <summary>
    /// One process (no launcher): <see cref="SingleProcessCollectives"/>, and no MPI library is loaded.
    /// Several ranks: Open MPI, plus NCCL for the tensors when they live on CUDA devices.
    /// </summary>
    public static ICollectives Open(World world, bool cudaTensors)
    {
        if (world.Size == 1) return new SingleProcessCollectives();
        var mpi = new MpiCollectives(world);
        return cudaTensors ? new NcclCollectives(mpi) : mpi;
    }
}
