using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// The few Python built-ins whose exact semantics the paper's grader relies on: <c>float(s)</c>,
/// <c>int(s)</c> and <c>str(x)</c> of the results. The upstream code decides "is this an integer?"
/// with these, so a looser C# parse would change verdicts.
/// </summary>
internal static partial class PythonText
{
    // float(): optional sign, digits with single underscores between them, optional fraction and exponent.
    [GeneratedRegex(@"^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatLiteral();

    [GeneratedRegex(@"^[+-]?(?:inf|infinity|nan)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FloatSpecial();

    [GeneratedRegex(@"^[+-]?[0-9](?:_?[0-9])*$", RegexOptions.CultureInvariant)]
    private static partial Regex IntLiteral();

    /// <summary>Python's <c>float(s)</c>: true when it would not raise.</summary>
    public static bool TryParseFloat(string s, out double value)
    {
        var t = s.Trim();
        if (FloatLiteral().IsMatch(t))
        {
            value = double.Parse(t.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
            return true;
        }
        if (FloatSpecial().IsMatch(t))
        {
            var negative = t[0] == '-';
            value = t.TrimStart('+', '-').StartsWith("n", StringComparison.OrdinalIgnoreCase)
                ? double.NaN
                : negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Python's <c>str(int(s))</c> of a string: true when <c>int(s)</c> would not raise. Written
    /// with string operations (sign, underscores and leading zeros dropped) because a BigInteger round trip is
    /// quadratic in the number of digits, and answers can be 100,000 digits long.</summary>
    public static bool TryParseInt(string s, out string canonical)
    {
        var t = s.Trim();
        canonical = "";
        if (!IntLiteral().IsMatch(t)) return false;
        var negative = t[0] == '-';
        var digits = t.TrimStart('+', '-').Replace("_", "").TrimStart('0');
        canonical = digits.Length == 0 ? "0" : negative ? "-" + digits : digits;
        return true;
    }

    /// <summary>Python's <c>int(round(x))</c>; throws (as Python does) for infinities and NaN.</summary>
    public static BigInteger RoundToInteger(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) throw new OverflowException("cannot convert float infinity or NaN to integer");
        return new BigInteger(Math.Round(x, MidpointRounding.ToEven));
    }

    /// <summary>Python's <c>int(x)</c> of a float: truncation toward zero.</summary>
    public static BigInteger Truncate(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) throw new OverflowException("cannot convert float infinity or NaN to integer");
        return new BigInteger(Math.Truncate(x));
    }

    /// <summary>Python's <c>str(x)</c> of a float for ordinary magnitudes (".0" on integral values).
    /// Only word2number's decimal results go through here, so exponent forms are not reproduced.</summary>
    public static string FloatToString(double x)
    {
        var text = x.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || !double.IsFinite(x) ? text : text + ".0";
    }
}
