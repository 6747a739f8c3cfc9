using System.Text;
using System.Text.RegularExpressions;

namespace Rlvr.Core.Hub;

/// <summary>
/// The shell-style patterns of <c>--include</c> (as huggingface_hub's allow_patterns, which uses Python's fnmatch):
/// <c>*</c> matches any run of characters, slashes included, <c>?</c> one character, <c>[abc]</c> one of a set.
/// </summary>
public static class FilePatterns
{
    public static bool MatchesAny(string path, IReadOnlyCollection<string> patterns) =>
        patterns.Count == 0 || patterns.Any(p => ToRegex(p).IsMatch(path));

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            var close = c == '[' ? pattern.IndexOf(']', i + 1) : -1;
            if (c == '*') regex.Append(".*");
            else if (c == '?') regex.Append('.');
            else if (close > i + 1)
            {
                var set = pattern[(i + 1)..close];
                regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                i = close;
            }
            else regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline);
    }
}
