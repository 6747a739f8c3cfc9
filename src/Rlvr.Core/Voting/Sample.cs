namespace Rlvr.Core.Voting;

/// <summary>One sampled model response to a problem (one line of a samples file).</summary>
/// <param name="Id">The problem id, matching <see cref="Data.Problem.Id"/>.</param>
/// <param name="Response">The full response text.</param>
/// <param name="Line">The 1-based line of the samples file it came from (for error messages).</param>
public sealed record Sample(string Id, string Response, int Line);
