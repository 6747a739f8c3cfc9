using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Core.Templates;
using Rlvr.Tests;

namespace Rlvr.Core.Tests;

/// <summary>Prompt templates render exactly what the reference tools produce.</summary>
public sealed class TemplatesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlvr-template-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IReadOnlyList<string> ReferenceTexts()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.Fixtures("qwen2-tokenizer", "tokenizer_reference.json")));
        return [.. document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("text").GetString()!)];
    }

    private static IReadOnlyList<Problem> Math500() =>
        DatasetLoader.Load("MATH-500", new DatasetLoadOptions(DataDir: RepoPaths.Data())).Problems;

    [Fact]
    public void Qwen_math_rendering_of_MATH_500_equals_the_chat_wrapped_reference_texts_byte_for_byte()
    {
        // tests/fixtures/README.md: 716 cases = 16 edge strings, the 500 MATH-500 problems raw, then
        // the first 200 problems wrapped in the Qwen2.5-Math chat prompt by the reference script.
        var texts = ReferenceTexts();
        Assert.Equal(716, texts.Count);
        var problems = Math500();
        var template = PromptTemplates.Create("qwen-math");
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(texts[516 + i], template.Render(problems[i].Prompt));
        }
    }

    [Fact]
    public void Raw_rendering_of_MATH_500_equals_the_raw_reference_texts()
    {
        var texts = ReferenceTexts();
        var problems = Math500();
        var raw = PromptTemplates.Create("raw");
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(texts[16 + i], raw.Render(problems[i].Prompt));
        }
    }

    [Fact]
    public void Qwen_math_is_the_prompt_upstream_documents()
    {
        // upstream.md §2, with \n as real newlines.
        Assert.Equal(
            "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n",
            PromptTemplates.Create("qwen-math").Render("What is 1+1?"));
    }

    [Fact]
    public void Chatml_has_a_system_block_only_when_given_one()
    {
        Assert.Equal("<|im_start|>user\n x <|im_end|>\n<|im_start|>assistant\n", PromptTemplates.Create("chatml").Render(" x "));
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n",
            PromptTemplates.Create("chatml", new TemplateOptions("Be brief.")).Render("x"));
    }

    [Fact]
    public void The_Qwen2_instruct_fixture_template_is_recognised_and_rendered_as_its_Jinja_does()
    {
        // tests/fixtures/qwen2-tokenizer/tokenizer_config.json is Qwen2-1.5B-Instruct's; rendered by
        // hand from its Jinja for one user message: the default system message, then the user turn
        // and the assistant header.
        var template = ChatTemplateDetector.FromModelFolder(RepoPaths.Fixtures("qwen2-tokenizer"));
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n",
            template.Render("What is 1+1?"));
    }

    private string ModelFolder(string name, object? chatTemplate, object? bosToken = null)
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        var config = chatTemplate == null ? new Dictionary<string, object>() : new Dictionary<string, object> { ["chat_template"] = chatTemplate };
        config["eos_token"] = "<|endoftext|>";
        if (bosToken != null) config["bos_token"] = bosToken;
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(config));
        return folder;
    }

    // Excerpts of the real templates: the lines that carry their default system prompts.
    private const string QwenMathJinja =
        "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
        "{%- else %}{{- '<|im_start|>system\\nPlease reason step by step, and put your final answer within \\\\boxed{}.<|im_end|>\\n' }}{%- endif %}";
    private const string Qwen25Jinja =
        "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}";
    private const string Llama31Jinja =
        "{{- bos_token }}{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}{{- \"Cutting Knowledge Date: December 2023\\n\" }}" +
        "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}{{- system_message }}{{- \"<|eot_id|>\" }}";
    private const string Llama30Jinja =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% endfor %}";

    // allenai/OLMo-2-1124-7B-SFT's chat_template (Tulu format).
    private const string OlmoJinja =
        "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ '<|system|>\\n' + message['content'] + '\\n' }}" +
        "{% elif message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + '\\n' }}{% elif message['role'] == 'assistant' %}" +
        "{% if not loop.last %}{{ '<|assistant|>\\n'  + message['content'] + eos_token + '\\n' }}{% else %}{{ '<|assistant|>\\n'  + message['content'] + eos_token }}{% endif %}" +
        "{% endif %}{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}{% endfor %}";

    [Fact]
    public void The_OLMo_2_SFT_template_is_recognised_with_the_configs_bos_token()
    {
        // Rendered by hand from the Jinja: bos_token, the user turn, the generation prompt.
        var olmo = ChatTemplateDetector.FromModelFolder(ModelFolder("olmo", OlmoJinja, new { content = "<|endoftext|>" }));
        Assert.Equal("olmo2", olmo.Name);
        Assert.Equal("<|endoftext|><|user|>\nWhat is 1+1?\n<|assistant|>\n", olmo.Render("What is 1+1?"));
        Assert.Equal(olmo.Render("x"), PromptTemplates.Create("olmo2").Render("x"));
        var otherBos = ChatTemplateDetector.FromModelFolder(ModelFolder("olmo-s", OlmoJinja, "<s>"));
        Assert.Equal("<s><|user|>\nx\n<|assistant|>\n", otherBos.Render("x"));
        Assert.Equal("<|endoftext|><|system|>\nBe brief.\n<|user|>\nx\n<|assistant|>\n", PromptTemplates.Create("olmo2", new TemplateOptions("Be brief.")).Render("x"));
    }

    [Theory]
    [InlineData("qwen-math", QwenMathJinja)]
    [InlineData("qwen2.5", Qwen25Jinja)]
    [InlineData("llama3", Llama31Jinja)]
    [InlineData("llama3.0", Llama30Jinja)]
    public void Known_chat_templates_are_recognised(string expected, string jinja)
    {
        Assert.Equal(expected, ChatTemplateDetector.FromModelFolder(ModelFolder(expected, jinja)).Name);
    }

    [Fact]
    public void A_chat_template_that_prints_the_message_alone_is_the_raw_template()
    {
        // As transformers renders it for [{"role": "user", "content": p}]: the loop prints p and nothing else.
        const string jinja = "{% for message in messages %}{{ message['content'] }}{% endfor %}";
        Assert.Equal("raw", ChatTemplateDetector.FromModelFolder(ModelFolder("raw", jinja)).Name);
        Assert.Equal(jinja, RawTemplate.ChatTemplate);
    }

    [Fact]
    public void A_chat_template_kept_in_chat_template_jinja_is_read_from_there()
    {
        // transformers 4.43 and later may save the template as chat_template.jinja beside tokenizer_config.json.
        var folder = ModelFolder("separate", null);
        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), QwenMathJinja);
        Assert.Equal("qwen-math", ChatTemplateDetector.FromModelFolder(folder).Name);
    }

    [Fact]
    public void The_list_form_of_chat_template_uses_the_default_entry()
    {
        var folder = ModelFolder("list", new[] { new { name = "tool_use", template = "{{ weird }}" }, new { name = "default", template = QwenMathJinja } });
        Assert.Equal("qwen-math", ChatTemplateDetector.FromModelFolder(folder).Name);
    }

    [Fact]
    public void An_unknown_jinja_template_fails_naming_the_template_flag()
    {
        var folder = ModelFolder("gemma", "{% for m in messages %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n{% endfor %}");
        var e = Assert.Throws<TemplateException>(() => ChatTemplateDetector.FromModelFolder(folder));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("tokenizer_config.json: its chat_template is not one rlvr knows", e.Message);
        Assert.Contains("--template", e.Message);
    }

    [Fact]
    public void A_model_without_chat_template_fails_naming_the_template_flag()
    {
        var e = Assert.Throws<TemplateException>(() => ChatTemplateDetector.FromModelFolder(ModelFolder("base", null)));
        Assert.Contains("has no chat_template", e.Message);
        Assert.Contains("--template", e.Message);
    }

    [Fact]
    public void Llama3_renders_the_dated_system_block_and_trims_the_problem()
    {
        // Rendered by hand from Llama-3.1-8B-Instruct's template (no tools, no system message,
        // date_string fallback "26 Jul 2024", content | trim).
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 1+1?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            PromptTemplates.Create("llama3").Render("  What is 1+1?\n"));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 01 May 2025\n\nBe brief.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nx<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            PromptTemplates.Create("llama3", new TemplateOptions(" Be brief. ", "01 May 2025")).Render("x"));
    }

    [Fact]
    public void Llama3_0_has_no_system_block()
    {
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 1+1?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            PromptTemplates.Create("llama3.0").Render("What is 1+1?\n\n"));
    }

    private const string R1Preamble =
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>.";

    [Fact]
    public void R1_has_real_newlines_in_its_eval_form_and_literal_backslash_n_in_the_training_script_form()
    {
        // upstream.md §2: eval_checkpoint.py's BASE_MODEL_PROMPT, and the shell script's literal "\n".
        var eval = PromptTemplates.Create("r1");
        Assert.Equal(R1Preamble + "\n\n<|user|>\nWhat is 1+1?\n<|assistant|>\n<think>", eval.Render("What is 1+1?"));
        Assert.Equal(["</answer>"], eval.StopStrings);
        var script = PromptTemplates.Create("r1-train-script");
        Assert.Equal(R1Preamble + "\\n\\n<|user|>\\nWhat is 1+1?\\n<|assistant|>\\n<think>", script.Render("What is 1+1?"));
        Assert.Equal(["</answer>"], script.StopStrings);
    }

    [Fact]
    public void A_template_file_replaces_only_the_problem_placeholder()
    {
        var path = Path.Combine(_dir, "t.txt");
        File.WriteAllText(path, "Solve, answer in \\boxed{}: {problem}\nAnswer:");
        var template = PromptTemplates.Create(path, new TemplateOptions(StopStrings: ["\n\n"]));
        Assert.Equal("Solve, answer in \\boxed{}: 2+{x}?\nAnswer:", template.Render("2+{x}?"));
        Assert.Equal(["\n\n"], template.StopStrings);
    }

    [Fact]
    public void A_template_file_without_placeholder_or_an_unknown_name_fails_in_one_line()
    {
        var path = Path.Combine(_dir, "bad.txt");
        File.WriteAllText(path, "no placeholder {}");
        Assert.Equal($"--template {path}: the file has no {{problem}} placeholder", Assert.Throws<TemplateException>(() => PromptTemplates.Create(path)).Message);
        var e = Assert.Throws<TemplateException>(() => PromptTemplates.Create("qwen"));
        Assert.Equal("--template qwen: unknown template; expected one of qwen-math, qwen2.5, chatml, llama3, llama3.0, olmo2, r1, r1-train-script, raw, or a file with a {problem} placeholder", e.Message);
    }
}
