namespace Rlvr.Core.Hub;

/// <summary>
/// Where and how to reach the Hub, from the environment variables huggingface_hub reads: HF_ENDPOINT (a mirror),
/// HF_TOKEN (gated or private models such as Llama-3.x), HF_HUB_OFFLINE (never touch the network).
/// </summary>
public sealed record HubSettings(string Endpoint, string? Token, bool Offline)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public static HubSettings FromEnvironment() => new(
        (Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? e : DefaultEndpoint).TrimEnd('/'),
        Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } t ? t.Trim() : null,
        IsTrue(Environment.GetEnvironmentVariable("HF_HUB_OFFLINE")));

    // huggingface_hub's truthy spellings.
    private static bool IsTrue(string? value) =>
        value is not null && new[] { "1", "ON", "YES", "TRUE" }.Contains(value.Trim().ToUpperInvariant());
}

/// <summary>A download that cannot go on, said in one line (what, why, what to do).</summary>
public sealed class HubException(string message) : Exception(message);
