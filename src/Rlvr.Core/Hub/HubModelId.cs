using System.Text.RegularExpressions;

namespace Rlvr.Core.Hub;

/// <summary>
/// A Hugging Face Hub model id as researchers type it: <c>org/name</c> or <c>org/name@revision</c>, where the
/// revision is a branch, a tag or a 40-hex commit hash (default <c>main</c>, as on the Hub).
/// </summary>
public sealed partial record HubModelId(string Repo, string Revision)
{
    public const string DefaultRevision = "main";

    /// <summary>The model's own name (the part after the slash): what upstream used in output file names.</summary>
    public string Name => Repo[(Repo.IndexOf('/') + 1)..];

    /// <summary>Whether <see cref="Revision"/> is a commit hash rather than a branch or tag name.</summary>
    public bool RevisionIsCommit => CommitHash().IsMatch(Revision);

    public override string ToString() => Revision == DefaultRevision ? Repo : $"{Repo}@{Revision}";

    /// <summary>
    /// Parses <paramref name="text"/> as an id; false for anything else (a path with more than one slash,
    /// an absolute or relative path such as ./x/y, characters the Hub does not allow in names).
    /// </summary>
    public static bool TryParse(string text, out HubModelId id)
    {
        id = null!;
        var at = text.IndexOf('@');
        var repo = at < 0 ? text : text[..at];
        var revision = at < 0 ? DefaultRevision : text[(at + 1)..];
        if (!RepoPattern().IsMatch(repo) || revision.Length == 0 || revision.Contains("..") || revision.StartsWith('/')) return false;
        id = new HubModelId(repo, revision);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws an <see cref="ArgumentException"/> naming what was expected.</summary>
    public static HubModelId Parse(string text) => TryParse(text, out var id) ? id
        : throw new ArgumentException($"'{text}' is not a Hugging Face model id (expected org/name or org/name@revision)");

    // The Hub's rule for namespace and repository names: letters, digits, '-', '_', '.', not starting with '.' or '-'
    // and without '--' or '..' (which the cache folder name would make ambiguous).
    [GeneratedRegex(@"^(?!.*(--|\.\.))[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    private static partial Regex RepoPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();
}
