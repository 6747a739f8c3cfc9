using System.Text;

namespace Rlvr.Grading.Paper;

/// <summary>
/// The part of pylatexenc 2.10's <c>LatexNodes2Text().latex_to_text</c> that math answers exercise, as the
/// PRM800K normaliser uses it: <c>\frac{a}{b}</c> → <c>a/b</c> (no parentheses, so <c>\frac{1}{x+1}</c>
/// becomes <c>1/x+1</c>, an upstream quirk), <c>\sqrt{x}</c> → <c>√(x)</c>, symbols to Unicode
/// (π, ∞, ·, ×, ∪, ≤ ...), text-style macros to their argument, groups to their content, and unknown
/// macros dropped (their braces then read as plain groups). Not a full port: environments render as
/// their content with <c>&amp;</c> and <c>\\</c> as separators.
/// </summary>
public static class LatexToText
{
    private static readonly Dictionary<string, string> Symbols = new()
    {
        ["pi"] = "π", ["Pi"] = "Π", ["infty"] = "∞", ["cdot"] = "·", ["times"] = "×", ["div"] = "÷",
        ["cup"] = "∪", ["cap"] = "∩", ["le"] = "≤", ["leq"] = "≤", ["ge"] = "≥", ["geq"] = "≥",
        ["ne"] = "≠", ["neq"] = "≠", ["pm"] = "±", ["mp"] = "∓", ["circ"] = "∘", ["degree"] = "°",
        ["in"] = "∈", ["notin"] = "∉", ["to"] = "→", ["rightarrow"] = "→", ["Rightarrow"] = "⇒",
        ["leftarrow"] = "←", ["approx"] = "≈", ["sim"] = "∼", ["equiv"] = "≡", ["emptyset"] = "∅",
        ["varnothing"] = "∅", ["subset"] = "⊂", ["subseteq"] = "⊆", ["setminus"] = "∖", ["mid"] = "|",
        ["ldots"] = "…", ["dots"] = "…", ["cdots"] = "⋯", ["vdots"] = "⋮", ["prime"] = "'",
        ["angle"] = "∠", ["triangle"] = "△", ["perp"] = "⊥", ["parallel"] = "∥", ["neg"] = "¬",
        ["lfloor"] = "⌊", ["rfloor"] = "⌋", ["lceil"] = "⌈", ["rceil"] = "⌉", ["langle"] = "⟨",
        ["rangle"] = "⟩", ["forall"] = "∀", ["exists"] = "∃", ["partial"] = "∂", ["nabla"] = "∇",
        ["sum"] = "∑", ["prod"] = "∏", ["int"] = "∫", ["ell"] = "ℓ", ["hbar"] = "ħ",
        ["alpha"] = "α", ["beta"] = "β", ["gamma"] = "γ", ["delta"] = "δ", ["epsilon"] = "ϵ",
        ["varepsilon"] = "ε", ["zeta"] = "ζ", ["eta"] = "η", ["theta"] = "θ", ["vartheta"] = "ϑ",
        ["iota"] = "ι", ["kappa"] = "κ", ["lambda"] = "λ", ["mu"] = "μ", ["nu"] = "ν", ["xi"] = "ξ",
        ["rho"] = "ρ", ["sigma"] = "σ", ["tau"] = "τ", ["upsilon"] = "υ", ["phi"] = "ϕ",
        ["varphi"] = "φ", ["chi"] = "χ", ["psi"] = "ψ", ["omega"] = "ω", ["Gamma"] = "Γ",
        ["Delta"] = "Δ", ["Theta"] = "Θ", ["Lambda"] = "Λ", ["Xi"] = "Ξ", ["Sigma"] = "Σ",
        ["Phi"] = "Φ", ["Psi"] = "Ψ", ["Omega"] = "Ω",
        ["sin"] = "sin", ["cos"] = "cos", ["tan"] = "tan", ["sec"] = "sec", ["csc"] = "csc", ["cot"] = "cot",
        ["arcsin"] = "arcsin", ["arccos"] = "arccos", ["arctan"] = "arctan", ["sinh"] = "sinh",
        ["cosh"] = "cosh", ["tanh"] = "tanh", ["log"] = "log", ["ln"] = "ln", ["lg"] = "lg", ["exp"] = "exp",
        ["max"] = "max", ["min"] = "min", ["sup"] = "sup", ["inf"] = "inf", ["lim"] = "lim",
        ["gcd"] = "gcd", ["deg"] = "deg", ["det"] = "det", ["dim"] = "dim", ["arg"] = "arg", ["ker"] = "ker",
        ["bmod"] = "mod",
        // Spacing and escapes.
        [","] = " ", [";"] = " ", [":"] = " ", [" "] = " ", ["quad"] = "  ", ["qquad"] = "    ", ["!"] = "",
        ["%"] = "%", ["$"] = "$", ["{"] = "{", ["}"] = "}", ["&"] = "&", ["#"] = "#", ["_"] = "_",
        ["\\"] = "\n", ["("] = "", [")"] = "", ["["] = "", ["]"] = "", ["left"] = "", ["right"] = "",
        ["displaystyle"] = "", ["textstyle"] = "",
    };

    // Macros whose text is their (last) argument.
    private static readonly HashSet<string> ArgumentMacros =
    [
        "text", "textrm", "textbf", "textit", "textsf", "texttt", "textup", "textnormal", "emph", "mbox",
        "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathbb", "mathcal", "mathfrak", "boldsymbol",
        "operatorname", "overline", "underline", "hat", "widehat", "bar", "vec", "tilde", "dot", "boxed",
    ];

    /// <summary>Converts LaTeX to plain text (see the type's remarks for what is covered).</summary>
    public static string Convert(string latex)
    {
        var position = 0;
        var output = new StringBuilder();
        RenderUntil(latex, ref position, output, stopAtCloseBrace: false, depth: 0);
        return output.ToString();
    }

    private static void RenderUntil(string s, ref int i, StringBuilder output, bool stopAtCloseBrace, int depth)
    {
        if (depth > 200) throw new InvalidOperationException("LaTeX nested too deeply");
        while (i < s.Length)
        {
            var c = s[i];
            switch (c)
            {
                case '}' when stopAtCloseBrace:
                    i++;
                    return;
                case '{':
                    i++;
                    RenderUntil(s, ref i, output, stopAtCloseBrace: true, depth + 1);
                    break;
                case '\\':
                    RenderMacro(s, ref i, output, depth);
                    break;
                case '$':
                    i++; // math shifts only switch mode; math content is rendered as text
                    break;
                case '&':
                    output.Append("   "); // pylatexenc: alignment tabs become a little space
                    i++;
                    break;
                case '~':
                    output.Append('\u00a0');
                    i++;
                    break;
                case '%':
                    // A comment runs to the end of the line (and swallows the newline and the next line's indent).
                    while (i < s.Length && s[i] != '\n') i++;
                    if (i < s.Length) i++;
                    while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
                    break;
                default:
                    output.Append(c);
                    i++;
                    break;
            }
        }
    }

    private static void RenderMacro(string s, ref int i, StringBuilder output, int depth)
    {
        i++; // the backslash
        if (i >= s.Length) return;
        string name;
        if (char.IsAsciiLetter(s[i]))
        {
            var start = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            name = s[start..i];
        }
        else
        {
            name = s[i].ToString();
            i++;
        }

        switch (name)
        {
            case "frac" or "dfrac" or "tfrac" or "nicefrac":
            {
                var numerator = ReadArgument(s, ref i, depth);
                var denominator = ReadArgument(s, ref i, depth);
                output.Append(numerator).Append('/').Append(denominator);
                return;
            }
            case "sqrt":
            {
                // pylatexenc: √(x); the cube and fourth roots have signs of their own (∛, ∜), other
                // degrees are written in front of √.
                var degree = ReadOptionalArgument(s, ref i, depth)?.Trim() ?? "";
                var radicand = ReadArgument(s, ref i, depth);
                var sign = degree switch { "" => "√", "3" => "∛", "4" => "∜", _ => degree + "√" };
                output.Append(sign).Append('(').Append(radicand).Append(')');
                return;
            }
            case "begin" or "end":
                ReadArgument(s, ref i, depth); // environments render as their content
                return;
        }
        if (ArgumentMacros.Contains(name))
        {
            output.Append(ReadArgument(s, ref i, depth));
            return;
        }
        if (Symbols.TryGetValue(name, out var symbol)) output.Append(symbol);
        // Unknown macros produce nothing; what follows them is rendered as ordinary content.
    }

    // One mandatory argument: a {group}, or else the next single token (spaces skipped, as TeX does).
    private static string ReadArgument(string s, ref int i, int depth)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        if (i >= s.Length) return "";
        var output = new StringBuilder();
        if (s[i] == '{')
        {
            i++;
            RenderUntil(s, ref i, output, stopAtCloseBrace: true, depth + 1);
        }
        else if (s[i] == '\\')
        {
            RenderMacro(s, ref i, output, depth + 1);
        }
        else
        {
            output.Append(s[i]);
            i++;
        }
        return output.ToString();
    }

    private static string? ReadOptionalArgument(string s, ref int i, int depth)
    {
        var j = i;
        while (j < s.Length && char.IsWhiteSpace(s[j])) j++;
        if (j >= s.Length || s[j] != '[') return null;
        var close = s.IndexOf(']', j + 1);
        if (close < 0) return null;
        i = close + 1;
        return Convert(s[(j + 1)..close]);
    }
}
