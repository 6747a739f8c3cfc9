namespace Rlvr.Core.Rewards;

/// <summary>
/// Upstream's <c>detect_repetition(text, min_rep_length=10, max_rep_length=256, min_repeats=10)</c>
/// (ttrl/verifier/repetition_detection.py): is there a substring of length L (10 ≤ L ≤ min(256, len/2))
/// that occurs at least 10 times back to back? Upstream compares slices in O(n²·L); the same answer
/// follows from one scan per L: 10 copies of text[s..s+L) start at s exactly when text[j] == text[j+L]
/// for every j in [s, s+9L).
/// </summary>
public static class RepetitionDetector
{
    public static bool HasRepetition(string text, int minLength = 10, int maxLength = 256, int minRepeats = 10)
    {
        var longest = Math.Min(maxLength, text.Length / 2);
        for (var length = minLength; length <= longest; length++)
        {
            var lastStart = text.Length - minRepeats * length; // upstream's range of starts, inclusive
            if (lastStart < 0) break;
            var needed = (minRepeats - 1) * length;
            var run = 0;
            // run = number of consecutive matching positions ending at j.
            for (var j = 0; j < lastStart + needed; j++)
            {
                run = text[j] == text[j + length] ? run + 1 : 0;
                if (run >= needed && j - needed + 1 <= lastStart) return true;
            }
        }
        return false;
    }
}
