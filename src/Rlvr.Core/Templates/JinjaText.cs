namespace Rlvr.Core.Templates;

/// <summary>String helpers that behave like the Jinja filters chat templates use.</summary>
internal static class JinjaText
{
    /// <summary>Jinja's <c>trim</c> is Python's <c>str.strip()</c>: it strips the characters Python
    /// calls whitespace, which include U+001C..U+001F (not whitespace to .NET's char.IsWhiteSpace).</summary>
    public static string Trim(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsPythonSpace(text[start])) start++;
        while (end > start && IsPythonSpace(text[end - 1])) end--;
        return text[start..end];
    }

    private static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';
}
