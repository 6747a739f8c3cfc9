using System.Text.Json.Nodes;
using Rlvr.Tests;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>config.json in both transformers forms, and the errors of a broken model folder.</summary>
public class CheckpointLoadingTests
{
    public static TheoryData<string> Fixtures => ModelFixture.Names;

    /// <summary>Rewrites a transformers-5 config.json the way transformers 4 wrote it (the released Qwen2.5 / Llama 3 files).</summary>
    private static JsonObject ToTransformers4Form(JsonObject v5, bool legacyTypeKey)
    {
        var v4 = (JsonObject)v5.DeepClone();
        var rope = (JsonObject)v4["rope_parameters"]!;
        v4.Remove("rope_parameters");
        v4["rope_theta"] = rope["rope_theta"]!.DeepClone();
        if (rope["rope_type"]!.GetValue<string>() != "default")
        {
            var scaling = (JsonObject)rope.DeepClone();
            scaling.Remove("rope_theta");
            if (legacyTypeKey)
            {
                scaling["type"] = scaling["rope_type"]!.DeepClone();
                scaling.Remove("rope_type");
            }
            v4["rope_scaling"] = scaling;
        }
        v4["torch_dtype"] = v4["dtype"]!.DeepClone();
        v4.Remove("dtype");
        return v4;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_transformers_4_config_reads_like_the_transformers_5_one(string name)
    {
        var path = RepoPaths.Fixtures(name, "config.json");
        var v5Json = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        var v5 = ModelConfigReader.Parse(v5Json, path);
        foreach (var legacy in new[] { false, true })
        {
            var v4 = ModelConfigReader.Parse(ToTransformers4Form(v5Json, legacy), "v4 form");
            Assert.Equal(v5 with { SourceJson = null, EosTokenIds = [] }, v4 with { SourceJson = null, EosTokenIds = [] });
            Assert.Equal(v5.EosTokenIds, v4.EosTokenIds);
        }
        // Values checked by hand against the fixture files.
        var expectedTheta = name switch { "qwen2-tied" => 1e4, "qwen2-untied" => 1e6, _ => 5e5 };
        Assert.Equal(expectedTheta, v5.RopeTheta);
        Assert.Equal(name == "llama3" ? new Llama3RopeScaling(32, 1, 4, 64) : null, v5.RopeScaling);
        Assert.Equal(ScalarType.Float32, v5.CheckpointDType);
        Assert.Equal(16, v5.HeadDim);
    }

    [Fact]
    public void A_model_folder_with_a_transformers_4_config_gives_the_reference_logits()
    {
        var fixture = ModelFixture.Load("llama3");
        using var folder = new TempFolder();
        var v5 = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.Directory, "config.json")))!;
        File.WriteAllText(folder["config.json"], ToTransformers4Form(v5, legacyTypeKey: false).ToJsonString());
        File.Copy(Path.Combine(fixture.Directory, "model.safetensors"), folder["model.safetensors"]);
        using var model = CheckpointLoader.Load(folder.Path, Placement.Cpu);
        Assert.InRange(fixture.MaxLogitError(model, 0), 0, fixture.Tolerances(model).Logits);
    }

    [Fact]
    public void An_unknown_architecture_fails_naming_it_and_the_supported_ones()
    {
        using var folder = new TempFolder();
        var config = (JsonObject)JsonNode.Parse(File.ReadAllText(RepoPaths.Fixtures("olmo2", "config.json")))!;
        config["architectures"] = new JsonArray("GPT2LMHeadModel");
        File.WriteAllText(folder["config.json"], config.ToJsonString());
        var error = Assert.Throws<NotSupportedException>(() => CheckpointLoader.Load(folder.Path, Placement.Cpu));
        Assert.Contains("GPT2LMHeadModel", error.Message);
        Assert.Contains("Qwen2ForCausalLM", error.Message);
        Assert.Contains("LlamaForCausalLM", error.Message);
        Assert.Contains("Olmo2ForCausalLM", error.Message);
        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void A_missing_tensor_fails_naming_the_tensor_and_the_file()
    {
        using var folder = new TempFolder();
        File.Copy(RepoPaths.Fixtures("qwen2-untied", "config.json"), folder["config.json"]);
        // Rewrite the weights without one tensor.
        const string dropped = "model.layers.1.self_attn.v_proj.bias";
        using (var source = SafeTensorsFile.Open(RepoPaths.Fixtures("qwen2-untied", "model.safetensors")))
        {
            var kept = source.Entries.Keys.Where(k => k != dropped).Select(k => (k, source.Read(k))).ToList();
            SafeTensorsWriter.Write(folder["model.safetensors"], kept);
            foreach (var (_, t) in kept) t.Dispose();
        }
        var error = Assert.Throws<KeyNotFoundException>(() => CheckpointLoader.Load(folder.Path, Placement.Cpu));
        Assert.Contains(dropped, error.Message);
        Assert.Contains("model.safetensors", error.Message);
    }

    [Fact]
    public void A_truncated_weight_file_fails_naming_the_tensor_and_the_file()
    {
        using var folder = new TempFolder();
        File.Copy(RepoPaths.Fixtures("qwen2-untied", "config.json"), folder["config.json"]);
        var bytes = File.ReadAllBytes(RepoPaths.Fixtures("qwen2-untied", "model.safetensors"));
        File.WriteAllBytes(folder["model.safetensors"], bytes[..^100]);
        string lastTensor;
        using (var intact = SafeTensorsFile.Open(RepoPaths.Fixtures("qwen2-untied", "model.safetensors")))
            lastTensor = intact.Entries.Values.MaxBy(e => e.End)!.Name;
        var error = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Load(folder.Path, Placement.Cpu));
        Assert.Contains(lastTensor, error.Message);
        Assert.Contains(folder["model.safetensors"], error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_folder_without_weights_fails_naming_the_expected_files()
    {
        using var folder = new TempFolder();
        File.Copy(RepoPaths.Fixtures("olmo2", "config.json"), folder["config.json"]);
        var error = Assert.Throws<FileNotFoundException>(() => CheckpointLoader.Load(folder.Path, Placement.Cpu));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains(folder.Path, error.Message);
    }

    [Fact]
    public void A_missing_shard_fails_naming_the_tensor_and_the_shard()
    {
        using var folder = new TempFolder();
        File.Copy(RepoPaths.Fixtures("olmo2", "config.json"), folder["config.json"]);
        File.Copy(RepoPaths.Fixtures("olmo2", "model.safetensors"), folder["model-00001-of-00002.safetensors"]);
        var index = new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = new JsonObject() };
        using (var source = SafeTensorsFile.Open(folder["model-00001-of-00002.safetensors"]))
        {
            foreach (var name in source.Entries.Keys)
                index["weight_map"]![name] = name == "lm_head.weight" ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
        }
        File.WriteAllText(folder["model.safetensors.index.json"], index.ToJsonString());
        var error = Assert.Throws<FileNotFoundException>(() => CheckpointLoader.Load(folder.Path, Placement.Cpu));
        Assert.Contains("model-00002-of-00002.safetensors", error.Message);
        Assert.Contains("lm_head.weight", error.Message);
    }

    [Fact]
    public void Eos_ids_come_from_config_generation_config_and_the_tokenizer_config()
    {
        Assert.Equal([2], GenerationDefaults.Read(RepoPaths.Fixtures("qwen2-tied")).EosTokenIds);
        // tokenizer_config.json's eos_token is "<|im_end|>", id 151645 in its added_tokens_decoder.
        Assert.Equal([151645], GenerationDefaults.Read(RepoPaths.Fixtures("qwen2-tokenizer")).EosTokenIds);
    }
}
