namespace Rlvr.Torch.Distributed;

/// <summary>Opens the collectives that fit the launcher and the device.</summary>
public static class Collectives
{
    /// <summary>
    /// One process (no launcher): <see cref="SingleProcessCollectives"/>, and no MPI library is loaded.
    /// Several ranks: Open MPI, plus NCCL for the tensors when they live on CUDA devices. RLVR_COLLECTIVES=nccl
    /// runs NCCL even in one process on a GPU (a world of one: it checks the NCCL path where no MPI is installed).
    /// </summary>
    public static ICollectives Open(World world, bool cudaTensors)
    {
        bool forceNccl = cudaTensors && Environment.GetEnvironmentVariable("RLVR_COLLECTIVES") == "nccl";
        if (world.Size == 1) return forceNccl ? new NcclCollectives(new SingleProcessCollectives()) : new SingleProcessCollectives();
        var mpi = new MpiCollectives(world);
        return cudaTensors ? new NcclCollectives(mpi) : mpi;
    }
}
