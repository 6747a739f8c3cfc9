using System.Numerics;

namespace Rlvr.Grading.Symbolic;

/// <summary>
/// Recursive-descent parser from LaTeX or sympy-style text to an <see cref="Expr"/> tree.
/// Precedence, loosest first: answer list (, ; "and") → relation chain → union → sum (+ - ±)
/// → product (* / : and implicit) → unary sign → power → postfix (! % _) → primary.
/// Nesting is bounded by <see cref="MaxDepth"/> (no stack overflow), and the budget is polled.
/// </summary>
public sealed partial class MathParser
{
    /// <summary>Deepest recursion of the parser accepted (each bracket level costs about eight); deeper input fails
    /// with a <see cref="MathLimitException"/>. About 35 nested brackets or fractions.</summary>
    public const int MaxDepth = 300;

    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "asin", "acos", "atan",
        "sinh", "cosh", "tanh", "ln", "log", "lg", "exp", "sqrt", "abs", "Abs", "floor", "ceil", "ceiling", "factorial",
        "arcsec", "arccsc", "arccot", "coth", "sech", "csch",
    };

    /// <summary>Function names in a fixed order, longest first ("asin" before "sin"): HashSet order varies between runs.</summary>
    private static readonly string[] FunctionsLongestFirst = Functions.OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToArray();

    private static readonly HashSet<string> Greek = new(StringComparer.Ordinal)
    {
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
        "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
    };

    private static readonly HashSet<string> Structural = new(StringComparer.Ordinal)
    {
        "frac", "dfrac", "tfrac", "cfrac", "sqrt", "pi", "infty", "infin", "cdot", "times", "div", "pm", "mp", "le", "leq", "ge", "geq",
        "ne", "neq", "lt", "gt", "leqslant", "geqslant", "approx", "cup", "cap", "in", "sum", "prod", "binom", "dbinom", "tbinom",
        "lfloor", "rfloor", "lceil", "rceil", "overline", "vec", "hat", "bar", "tilde", "widehat", "overrightarrow", "underline",
        "to", "rightarrow", "Rightarrow", "implies", "iff", "equiv", "sim", "simeq", "cong", "angle", "triangle", "emptyset",
        "varnothing", "setminus", "land", "lor", "wedge", "vee", "mid", "vert", "lvert", "rvert", "Vert", "colon", "prime",
        "exp", "over", "choose", "pmod", "bmod", "mod", "not", "neg", "perp", "parallel", "langle", "rangle", "imath", "jmath",
    };

    /// <summary>Whether \name is a command the parser knows (else the tokenizer may split a glued command such as \quadx).</summary>
    public static bool IsKnownCommand(string name) => Structural.Contains(name) || Functions.Contains(name) || Greek.Contains(name);

    private readonly List<MathToken> _tokens;
    private readonly MathSyntax _syntax;
    private readonly GradeBudget? _budget;
    private int _pos;
    private int _depth;
    private int _absDepth;
    private int _steps;

    private MathParser(List<MathToken> tokens, MathSyntax syntax, GradeBudget? budget)
    {
        _tokens = tokens;
        _syntax = syntax;
        _budget = budget;
    }

    /// <summary>Parses a whole string; throws <see cref="FormatException"/> when it is not mathematics we can read,
    /// <see cref="MathLimitException"/> past the size limits and <see cref="GradeTimeoutException"/> past the budget.</summary>
    public static Expr Parse(string text, MathSyntax syntax, GradeBudget? budget)
    {
        var tokens = MathTokenizer.Tokenize(text, syntax, budget);
        if (tokens.Count == 0) throw new FormatException("empty");
        if (tokens.Count > 20_000) throw new MathLimitException("too many tokens");
        var parser = new MathParser(tokens, syntax, budget);
        var result = parser.ParseList(static t => t.Kind == TokenKind.End);
        if (parser.Peek.Kind != TokenKind.End) throw new FormatException($"unexpected '{parser.Peek.Text}'");
        return result;
    }

    /// <summary>Parses without throwing; null when the text does not parse.</summary>
    public static Expr? TryParse(string text, MathSyntax syntax, GradeBudget? budget)
    {
        try { return Parse(text, syntax, budget); }
        catch (FormatException) { return null; }
        catch (DivideByZeroException) { return null; }
        catch (ArgumentException) { return null; }
    }

    private MathToken Peek => _pos < _tokens.Count ? _tokens[_pos] : default;
    private MathToken PeekAt(int offset) => _pos + offset < _tokens.Count ? _tokens[_pos + offset] : default;
    private MathToken Next() => _pos < _tokens.Count ? _tokens[_pos++] : default;

    private void Expect(string punct)
    {
        if (!Peek.Is(punct)) throw new FormatException($"expected '{punct}'");
        _pos++;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new MathLimitException("nesting too deep");
        // A safety net under the depth limit: a thread with a small stack gets an exception, never a crash.
        if ((_depth & 15) == 0) System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if ((++_steps & 255) == 0) _budget?.ThrowIfExpired();
    }

    private void Leave() => _depth--;

    private static bool IsSeparator(MathToken t) => t.Is(",") || t.Is(";");

    /// <summary>Items separated by ',' or ';' (and "and"/"or" words) up to a stop token. One item → the item; several → a set
    /// (when both ';' and ',' separate, ';' separates groups and each ','-group is a bare tuple).</summary>
    private Expr ParseList(Func<MathToken, bool> isStop)
    {
        Enter();
        var groups = new List<List<Expr>> { new() };
        var sawSemicolon = false;
        var sawComma = false;
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.End || isStop(t)) break;
            if (IsSeparator(t) || IsWordSeparator(t))
            {
                if (t.Is(";")) { sawSemicolon = true; groups.Add(new List<Expr>()); }
                else sawComma = true;
                _pos++;
                continue;
            }
            var start = _pos;
            groups[^1].Add(ParseRelation());
            if (_pos == start) throw new FormatException($"unexpected '{t.Text}'");
        }
        Leave();
        if (sawSemicolon && sawComma)
        {
            var items = groups.Where(g => g.Count > 0).Select(g => g.Count == 1 ? g[0] : new TupleExpr(g.ToArray(), '\0', '\0')).ToArray();
            return items.Length == 1 ? items[0] : new SetExpr(items);
        }
        var all = groups.SelectMany(g => g).ToArray();
        if (all.Length == 0) throw new FormatException("empty list");
        return all.Length == 1 ? all[0] : new SetExpr(all);
    }

    private static bool IsWordSeparator(MathToken t) => t.Kind == TokenKind.Letters && t.Text is "and" or "or";

    private static RelationKind? RelationOf(MathToken t)
    {
        if (t.Kind == TokenKind.Punct)
        {
            return t.Text switch
            {
                "=" => RelationKind.Equal, "<" => RelationKind.Less, ">" => RelationKind.Greater,
                "<=" => RelationKind.LessEqual, ">=" => RelationKind.GreaterEqual, "!=" => RelationKind.NotEqual, _ => null,
            };
        }
        if (t.Kind == TokenKind.Command)
        {
            return t.Text switch
            {
                "le" or "leq" or "leqslant" => RelationKind.LessEqual, "ge" or "geq" or "geqslant" => RelationKind.GreaterEqual,
                "lt" => RelationKind.Less, "gt" => RelationKind.Greater, "ne" or "neq" => RelationKind.NotEqual,
                "equiv" or "cong" or "simeq" => RelationKind.Equal, _ => null,
            };
        }
        return null;
    }

    private Expr ParseRelation()
    {
        Enter();
        var operands = new List<Expr> { ParseUnion() };
        var kinds = new List<RelationKind>();
        while (true)
        {
            var t = Peek;
            if (t.IsCommand("in"))
            {
                // x \in S: the answer is the set S.
                _pos++;
                operands.Clear(); kinds.Clear();
                operands.Add(ParseUnion());
                continue;
            }
            if (t.IsCommand("approx") || t.IsCommand("sim") || (t.Is("~")))
            {
                // "a ≈ b": a is the answer, b a rounding of it; "x ≈ 11" alone means x is about 11.
                _pos++;
                var approx = ParseUnion();
                if (operands.Count == 1 && kinds.Count == 0 && IsSymbolic(operands[0])) operands[0] = approx;
                continue;
            }
            if (t.IsCommand("to") || t.IsCommand("rightarrow") || t.IsCommand("Rightarrow") || t.IsCommand("implies"))
            {
                _pos++;
                operands.Clear(); kinds.Clear();
                operands.Add(ParseUnion());
                continue;
            }
            var kind = RelationOf(t);
            if (kind == null) break;
            _pos++;
            kinds.Add(kind.Value);
            operands.Add(ParseUnion());
        }
        Leave();
        return kinds.Count == 0 ? operands[0] : new RelationExpr(operands.ToArray(), kinds.ToArray());
    }

    /// <summary>True when an expression names a quantity rather than computing one (x, x_1, f(x), |AB|, (p, q), NO/BO).</summary>
    public static bool IsSymbolic(Expr e) => e switch
    {
        SymbolExpr or IndexedExpr => true,
        MulExpr m => m.Factors.All(IsSymbolic),
        DivExpr d => IsSymbolic(d.Numerator) && IsSymbolic(d.Denominator),
        FuncExpr { Name: "abs" } f => IsSymbolic(f.Args[0]),
        TupleExpr t => t.Items.All(IsSymbolic),
        _ => false,
    };

    private Expr ParseUnion()
    {
        var first = ParseSum();
        if (!Peek.IsCommand("cup")) return first;
        var parts = new List<Expr> { first };
        while (Peek.IsCommand("cup")) { _pos++; parts.Add(ParseSum()); }
        return new UnionExpr(parts.ToArray());
    }

    private Expr ParseSum()
    {
        Enter();
        var terms = new List<Expr>();
        Expr? plusMinus = null;
        var first = ParseTerm();
        terms.Add(first);
        while (true)
        {
            var t = Peek;
            if (t.Is("+")) { _pos++; if (StartsOperand(Peek)) terms.Add(ParseTerm()); continue; }
            if (t.Is("-")) { _pos++; terms.Add(new NegExpr(ParseTerm())); continue; }
            if (t.IsCommand("pm") || t.IsCommand("mp"))
            {
                _pos++;
                var left = terms.Count == 1 ? terms[0] : new AddExpr(terms.ToArray());
                var right = ParseTerm();
                plusMinus = new PlusMinusExpr(left, right);
                terms.Clear();
                terms.Add(plusMinus);
                continue;
            }
            break;
        }
        Leave();
        return terms.Count == 1 ? terms[0] : new AddExpr(terms.ToArray());
    }

    private Expr ParseTerm()
    {
        Enter();
        var factors = new List<Expr>();
        var first = ParseUnary();
        var acc = first;
        while (true)
        {
            var t = Peek;
            if (t.Is("*") || t.IsCommand("cdot") || t.IsCommand("times"))
            {
                _pos++;
                factors.Add(acc);
                acc = ParseUnary();
                continue;
            }
            if (t.Is("/") || t.IsCommand("div") || t.Is(":") || t.IsCommand("over"))
            {
                _pos++;
                var numerator = factors.Count == 0 ? acc : new MulExpr([.. factors, acc]);
                factors.Clear();
                acc = new DivExpr(numerator, ParseUnary());
                continue;
            }
            if (StartsImplicitFactor(t))
            {
                // Mixed number: 7\frac{3}{4} = 7 + 3/4.
                if (factors.Count == 0 && acc is NumberExpr { IsFloat: false } whole && whole.Value.IsInteger && whole.Value.Sign >= 0
                    && t.Kind == TokenKind.Command && t.Text is "frac" or "dfrac" or "tfrac")
                {
                    var fraction = ParsePower();
                    if (fraction is DivExpr { Numerator: NumberExpr, Denominator: NumberExpr })
                    {
                        acc = new AddExpr([acc, fraction]);
                        continue;
                    }
                    factors.Add(acc);
                    acc = fraction;
                    continue;
                }
                factors.Add(acc);
                acc = ParsePower();
                continue;
            }
            break;
        }
        Leave();
        if (factors.Count == 0) return acc;
        factors.Add(acc);
        return new MulExpr(factors.ToArray());
    }

    private static bool StartsOperand(MathToken t) =>
        t.Kind is TokenKind.Number or TokenKind.Letters or TokenKind.Command or TokenKind.Text or TokenKind.SetOpen or TokenKind.Begin
        || t.Is("(") || t.Is("[") || t.Is("{") || t.Is("|") || t.Is("-") || t.Is("+");

    private bool StartsImplicitFactor(MathToken t)
    {
        switch (t.Kind)
        {
            case TokenKind.Number or TokenKind.Text or TokenKind.SetOpen or TokenKind.Begin: return true;
            case TokenKind.Letters: return !IsWordSeparator(t);
            case TokenKind.Command:
                return RelationOf(t) == null && t.Text is not ("cdot" or "times" or "div" or "pm" or "mp" or "cup" or "cap" or "in"
                    or "approx" or "to" or "rightarrow" or "Rightarrow" or "implies" or "rfloor" or "rceil" or "over" or "sim"
                    or "iff" or "mid" or "rvert" or "rangle" or "setminus");
            case TokenKind.Punct:
                if (t.Text is "(" or "{") return true;
                if (t.Text == "|") return _absDepth == 0;
                return false;
            default: return false;
        }
    }

    private Expr ParseUnary()
    {
        Enter();
        Expr result;
        var t = Peek;
        if (t.Is("-")) { _pos++; result = new NegExpr(ParseUnary()); }
        else if (t.Is("+")) { _pos++; result = ParseUnary(); }
        else if (t.IsCommand("pm") || t.IsCommand("mp")) { _pos++; result = new PlusMinusExpr(null, ParseTerm()); }
        else result = ParsePower();
        Leave();
        return result;
    }

    private Expr ParsePower()
    {
        Enter();
        var b = ParsePostfix();
        while (Peek.Is("^"))
        {
            _pos++;
            var exponent = ParseScript();
            if (exponent == null) continue; // ^\circ: degrees are just the number
            b = new PowExpr(b, exponent);
            b = ParsePostfixOps(b);
        }
        Leave();
        return b;
    }

    /// <summary>The argument of ^ or _: a brace group, or one token (a sign may precede it).</summary>
    private Expr? ParseScript()
    {
        var t = Peek;
        if (t.Is("{"))
        {
            _pos++;
            if (Peek.Is("}")) { _pos++; return null; }
            var inner = ParseList(static x => x.Is("}"));
            Expect("}");
            return inner;
        }
        if (t.Is("-")) { _pos++; return new NegExpr(ParseScript() ?? throw new FormatException("bad exponent")); }
        if (t.Is("+")) { _pos++; return ParseScript(); }
        if (t.Kind == TokenKind.Number && _syntax == MathSyntax.Latex)
        {
            // x^23 in LaTeX is x^2 · 3.
            return new NumberExpr(SplitFirstDigit(), false);
        }
        if (t.Kind == TokenKind.Letters && t.Text.Length > 1 && _syntax == MathSyntax.Latex && !Functions.Contains(t.Text))
        {
            _pos++;
            _tokens.Insert(_pos, new MathToken(TokenKind.Letters, t.Text[1..]));
            return LetterValue(t.Text[0].ToString());
        }
        // sympy's ** is right-associative: 2**3**2 = 2**9.
        return _syntax == MathSyntax.Plain ? ParsePower() : ParsePostfix();
    }

    /// <summary>Takes one digit off the number token at the cursor (\frac12, x^23).</summary>
    private BigRational SplitFirstDigit()
    {
        var t = Peek;
        if (t.Text.Length == 1 || !char.IsAsciiDigit(t.Text[1])) { _pos++; return BigRational.ParseDecimal(t.Text); }
        _tokens[_pos] = new MathToken(TokenKind.Number, t.Text[1..]);
        return BigRational.ParseDecimal(t.Text.AsSpan(0, 1));
    }

    private Expr ParsePostfix() => ParsePostfixOps(ParsePrimary());

    private Expr ParsePostfixOps(Expr e)
    {
        while (true)
        {
            var t = Peek;
            if (t.Is("!")) { _pos++; e = new FuncExpr("factorial", [e]); continue; }
            if (t.Is("%")) { _pos++; e = new DivExpr(e, new NumberExpr(new BigRational(100), false)); continue; }
            if (t.Is("'")) { _pos++; continue; }
            if (t.Is("_"))
            {
                _pos++;
                var sub = ParseScript() ?? throw new FormatException("empty subscript");
                e = Subscript(e, sub);
                continue;
            }
            return e;
        }
    }

    /// <summary>x_1 → the symbol "x_1"; F_{n-1} → an indexed value; 204_5 → a number in base 5.</summary>
    private static Expr Subscript(Expr e, Expr sub)
    {
        if (e is NumberExpr { IsFloat: false } number && number.Value.IsInteger && sub is NumberExpr { IsFloat: false } radix
            && radix.Value.IsInteger && radix.Value.Numerator >= 2 && radix.Value.Numerator <= 36)
        {
            return FromBase(number.Value.Numerator.ToString(), (int)radix.Value.Numerator) is { } value ? new NumberExpr(value, false) : e;
        }
        if (e is MulExpr { LetterRun: not null } run)
        {
            var last = Subscript(run.Factors[^1], sub);
            return new MulExpr([.. run.Factors[..^1], last]);
        }
        if (e is SymbolExpr s)
        {
            return sub is NumberExpr or SymbolExpr ? new SymbolExpr(s.Name + "_" + sub) : new IndexedExpr(s.Name, sub);
        }
        if (e is ConstantExpr c)
        {
            var name = c.Kind switch { ConstantKind.E => "e", ConstantKind.I => "i", ConstantKind.Pi => "pi", _ => "oo" };
            return sub is NumberExpr or SymbolExpr ? new SymbolExpr(name + "_" + sub) : new IndexedExpr(name, sub);
        }
        return e;
    }

    private static BigRational? FromBase(string digits, int radix)
    {
        var value = BigInteger.Zero;
        foreach (var ch in digits)
        {
            var d = ch - '0';
            if (d >= radix) return null;
            value = value * radix + d;
        }
        return new BigRational(value);
    }

    private Expr LetterValue(string letter)
    {
        if (_syntax == MathSyntax.Latex)
        {
            if (letter == "e") return new ConstantExpr(ConstantKind.E);
            if (letter == "i") return new ConstantExpr(ConstantKind.I);
        }
        else
        {
            if (letter == "E") return new ConstantExpr(ConstantKind.E);
            if (letter == "I") return new ConstantExpr(ConstantKind.I);
        }
        return new SymbolExpr(letter);
    }
}
