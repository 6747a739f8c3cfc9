using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>Saving as a Hugging Face folder, checked against the transformers-written fixture files.</summary>
public class CheckpointSavingTests
{
    public static TheoryData<string> Fixtures => ModelFixture.Names;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_saved_model_reloads_bit_identically_and_gives_the_reference_logits(string name)
    {
        var fixture = ModelFixture.Load(name);
        using var folder = new TempFolder();
        var saved = folder["saved"];
        using var original = fixture.LoadModel();
        CheckpointSaver.Save(original, saved, copyFrom: fixture.Directory);
        Assert.True(File.Exists(Path.Combine(saved, "generation_config.json")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(folder.Path, "*", SearchOption.AllDirectories), p => p.EndsWith(".tmp")); // nor inside the model folder

        using var reloaded = CheckpointLoader.Load(saved, Placement.Cpu);
        AssertSameParameters(original, reloaded);
        Assert.InRange(fixture.MaxLogitError(reloaded, 0), 0, fixture.Tolerances(reloaded).Logits);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_saved_file_has_the_tensors_transformers_wrote_byte_for_byte(string name)
    {
        // The fixture's model.safetensors was written by transformers (float32). Ours must hold the same
        // tensor names, dtypes, shapes and data bytes, and the "format": "pt" metadata.
        var fixture = ModelFixture.Load(name);
        using var folder = new TempFolder();
        using (var model = fixture.LoadModel()) CheckpointSaver.Save(model, folder["saved"]);
        var ours = ReadRaw(Path.Combine(folder["saved"], "model.safetensors"));
        var theirs = ReadRaw(Path.Combine(fixture.Directory, "model.safetensors"));
        Assert.Equal("pt", ours.Header["__metadata__"]!["format"]!.GetValue<string>());
        Assert.Equal(0, (8 + ours.HeaderLength) % 8);
        var names = theirs.Header.Select(p => p.Key).Where(k => k != "__metadata__").Order().ToArray();
        Assert.Equal(names, ours.Header.Select(p => p.Key).Where(k => k != "__metadata__").Order().ToArray());
        foreach (var tensorName in names)
        {
            Assert.Equal(theirs.Header[tensorName]!["dtype"]!.ToJsonString(), ours.Header[tensorName]!["dtype"]!.ToJsonString());
            Assert.Equal(theirs.Header[tensorName]!["shape"]!.ToJsonString(), ours.Header[tensorName]!["shape"]!.ToJsonString());
            Assert.True(theirs.Data(tensorName).SequenceEqual(ours.Data(tensorName)), tensorName);
        }
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder["saved"], "config.json")))!;
        Assert.Equal(fixture.Architecture, config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("float32", config["torch_dtype"]!.GetValue<string>());
    }

    [Fact]
    public void Above_the_shard_size_the_weights_are_sharded_with_an_index()
    {
        var fixture = ModelFixture.Load("olmo2");
        using var folder = new TempFolder();
        var saved = folder["sharded"];
        using var original = fixture.LoadModel();
        CheckpointSaver.Save(original, saved, shardBytes: 150_000); // the 98 KB embeddings and head each fill a shard
        Assert.False(File.Exists(Path.Combine(saved, "model.safetensors")));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "model.safetensors.index.json")))!;
        var shards = index["weight_map"]!.AsObject().Select(p => p.Value!.GetValue<string>()).Distinct().ToArray();
        Assert.True(shards.Length >= 3, $"{shards.Length} shards");
        Assert.All(shards, s => Assert.Matches(@"^model-\d{5}-of-\d{5}\.safetensors$", s));
        Assert.Equal(original.named_parameters().Count(), index["weight_map"]!.AsObject().Count);
        var parameterBytes = original.parameters().Sum(p => p.numel() * 4);
        Assert.Equal(parameterBytes, index["metadata"]!["total_size"]!.GetValue<long>());
        using var reloaded = CheckpointLoader.Load(saved, Placement.Cpu);
        AssertSameParameters(original, reloaded);
    }

    [Fact]
    public void Saving_in_bfloat16_writes_bf16_tensors_and_the_dtype()
    {
        var fixture = ModelFixture.Load("qwen2-tied");
        using var folder = new TempFolder();
        using var original = fixture.LoadModel();
        CheckpointSaver.Save(original, folder["bf16"], dtype: ScalarType.BFloat16);
        var raw = ReadRaw(Path.Combine(folder["bf16"], "model.safetensors"));
        Assert.Equal("\"BF16\"", raw.Header["model.norm.weight"]!["dtype"]!.ToJsonString());
        var config = ModelConfigReader.ReadFile(Path.Combine(folder["bf16"], "config.json"));
        Assert.Equal(ScalarType.BFloat16, config.CheckpointDType);
        using var reloaded = CheckpointLoader.Load(folder["bf16"], Placement.Cpu);
        foreach (var ((name, a), (_, b)) in original.named_parameters().Zip(reloaded.named_parameters()))
        {
            using var rounded = a.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
            using var same = rounded.eq(b).all();
            Assert.True(same.item<bool>(), name);
        }
    }

    private static void AssertSameParameters(CausalLanguageModel a, CausalLanguageModel b)
    {
        var left = a.named_parameters().ToList();
        var right = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(left.Count, right.Count);
        foreach (var (name, parameter) in left)
        {
            using var same = parameter.eq(right[name]).all();
            Assert.True(same.item<bool>(), $"{name} differs after reload");
        }
    }

    /// <summary>An independent, minimal safetensors parse (not the project's reader).</summary>
    private sealed record RawFile(JsonObject Header, long HeaderLength, byte[] Bytes)
    {
        public byte[] Data(string name)
        {
            var offsets = Header[name]!["data_offsets"]!.AsArray();
            var start = 8 + HeaderLength + offsets[0]!.GetValue<long>();
            var end = 8 + HeaderLength + offsets[1]!.GetValue<long>();
            return Bytes[(int)start..(int)end];
        }
    }

    private static RawFile ReadRaw(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length))!;
        return new RawFile(header, length, bytes);
    }
}
