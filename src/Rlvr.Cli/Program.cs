using Rlvr.Cli;
using Rlvr.Torch.Native;

TorchRuntime.EnsureReady();
return RlvrCli.Run(args);
