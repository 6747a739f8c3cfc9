using Rlvr.Torch.Distributed;
using Rlvr.Torch.Training.Optimization;

namespace Rlvr.Torch.Tests.Distributed;

public class WorldTests
{
    private static World From(params (string Name, string Value)[] variables) =>
        World.FromVariables(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Without_a_launcher_the_world_is_one_process() => Assert.Equal(World.Single, From());

    [Fact]
    public void Open_MPI_variables_give_rank_size_and_local_rank() =>
        Assert.Equal(new World(3, 8, 1), From(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "8"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1")));

    [Fact]
    public void Slurm_variables_are_read_when_Open_MPI_set_none() =>
        Assert.Equal(new World(5, 16, 5), From(("SLURM_PROCID", "5"), ("SLURM_NTASKS", "16"), ("SLURM_LOCALID", "5")));

    [Fact]
    public void A_rank_outside_the_world_is_refused_naming_the_variables()
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(("OMPI_COMM_WORLD_RANK", "2"), ("OMPI_COMM_WORLD_SIZE", "2")));
        Assert.Equal("launcher variables OMPI_COMM_WORLD_RANK=2 and OMPI_COMM_WORLD_SIZE=2 do not describe a rank of the world", error.Message);
    }

    [Fact]
    public void ZeRO_1_deals_each_parameter_to_the_least_loaded_rank()
    {
        // sizes 10, 4, 4, 3, 8 over 2 ranks: 10→0; 4→1 (0 < 10); 4→1 (4 < 10); 3→1 (8 < 10); 8→0 (10 < 11): loads 18 and 11.
        Assert.Equal([0, 1, 1, 1, 0], MasterWeightAdam.Owners([10, 4, 4, 3, 8], 2));
        Assert.Equal([0, 0, 0], MasterWeightAdam.Owners([1, 2, 3], 1));
    }
}
