using System.Numerics;

namespace Rlvr.Grading.Symbolic;

/// <summary>
/// Recursive-descent parser from LaTeX or sympy-style text to an <see cref="Expr"/> tree.
/// Precedence, loosest first: answer list (, ; "and") → relation chain → union → sum (+ - ±)
/// → product (* / : and implicit) → unary sign → power → postfix (! % _) → primary.
/// Nesting is bounded by <see cref="MaxDepth"/> (no stack overflow), and the budget is polled.
/// </summary>
public sealed class MathParser
{
    /// <summary>Deepest nesting accepted; deeper input fails with a <see cref="MathLimitException"/>.</summary>
    public const int MaxDepth = 120;

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

    private Expr ParsePrimary()
    {
        Enter();
        try
        {
            var t = Peek;
            switch (t.Kind)
            {
                case TokenKind.Number:
                    _pos++;
                    return new NumberExpr(BigRational.ParseDecimal(t.Text), t.Text.Contains('.') || t.Text.Contains('e'));
                case TokenKind.Letters:
                    _pos++;
                    return ParseLetters(t.Text);
                case TokenKind.Text:
                    _pos++;
                    return new SymbolExpr(t.Text.Trim('(', ')', ' ', '.'));
                case TokenKind.Command:
                    _pos++;
                    return ParseCommand(t.Text);
                case TokenKind.SetOpen:
                {
                    _pos++;
                    if (Peek.Kind == TokenKind.SetClose) { _pos++; return new SetExpr([]); }
                    var inner = ParseList(static x => x.Kind == TokenKind.SetClose);
                    if (Peek.Kind != TokenKind.SetClose) throw new FormatException("missing \\}");
                    _pos++;
                    return inner is SetExpr s ? s : new SetExpr([inner]);
                }
                case TokenKind.Begin:
                    _pos++;
                    return ParseEnvironment(t.Text);
                case TokenKind.Punct:
                    switch (t.Text)
                    {
                        case "(" or "[":
                            _pos++;
                            return ParseBracketed(t.Text[0]);
                        case "{":
                        {
                            _pos++;
                            if (Peek.Is("}")) { _pos++; return new SetExpr([]); }
                            var inner = ParseList(static x => x.Is("}"));
                            Expect("}");
                            return inner;
                        }
                        case "|":
                        {
                            _pos++;
                            _absDepth++;
                            var inner = ParseSum();
                            _absDepth--;
                            Expect("|");
                            return new FuncExpr("abs", [inner]);
                        }
                    }
                    break;
            }
            throw new FormatException($"unexpected '{t.Text}'");
        }
        finally { Leave(); }
    }

    /// <summary>(…) or […]: a group, a tuple, or an interval depending on the items and the closing bracket.</summary>
    private Expr ParseBracketed(char open)
    {
        var items = new List<Expr>();
        var separators = 0;
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.End) throw new FormatException("unclosed bracket");
            if (t.Is(")") || t.Is("]")) break;
            if (IsSeparator(t)) { _pos++; separators++; continue; }
            var start = _pos;
            items.Add(ParseRelation());
            if (_pos == start) throw new FormatException($"unexpected '{t.Text}'");
        }
        var close = Next().Text[0];
        if (items.Count == 0) throw new FormatException("empty brackets");
        if (items.Count == 1 && separators == 0) return items[0];
        if (items.Count == 2 && !(open == '(' && close == ')'))
            return new IntervalExpr(items[0], items[1], open == '[', close == ']');
        return new TupleExpr(items.ToArray(), open, close);
    }

    private Expr ParseLetters(string text)
    {
        if (text.Length > 1)
        {
            if (Functions.Contains(text) && (_syntax == MathSyntax.Plain || Peek.Is("("))) return ParseFunction(NormaliseFunction(text));
            switch (text)
            {
                case "pi" when _syntax == MathSyntax.Plain: return new ConstantExpr(ConstantKind.Pi);
                case "oo" or "inf" or "infty" or "infinity" or "Infinity": return new ConstantExpr(ConstantKind.Infinity);
            }
            if (_syntax == MathSyntax.Plain && text.Length > 1)
            {
                // sympy's split_symbols: xy is x*y unless the name is a known function.
                foreach (var name in FunctionsLongestFirst)
                {
                    if (text.EndsWith(name, StringComparison.Ordinal) && Peek.Is("(") && text.Length > name.Length)
                    {
                        var prefix = text[..^name.Length].Select(ch => LetterValue(ch.ToString())).ToList();
                        prefix.Add(ParseFunction(NormaliseFunction(name)));
                        return new MulExpr(prefix.ToArray());
                    }
                }
            }
            var factors = new Expr[text.Length];
            for (var k = 0; k < text.Length; k++) factors[k] = LetterValue(text[k].ToString());
            return new MulExpr(factors, text);
        }
        return LetterValue(text);
    }

    private static string NormaliseFunction(string name) => name switch
    {
        "asin" => "arcsin", "acos" => "arccos", "atan" => "arctan", "Abs" => "abs", "ceiling" => "ceil", "lg" => "log10", _ => name,
    };

    private Expr ParseCommand(string name)
    {
        switch (name)
        {
            case "frac" or "dfrac" or "tfrac" or "cfrac":
            {
                var numerator = ParseArgument();
                var denominator = ParseArgument();
                return new DivExpr(numerator, denominator);
            }
            case "binom" or "dbinom" or "tbinom":
                return new FuncExpr("binom", [ParseArgument(), ParseArgument()]);
            case "sqrt":
            {
                Expr? index = null;
                if (Peek.Is("["))
                {
                    _pos++;
                    index = ParseSum();
                    Expect("]");
                }
                var radicand = ParseArgument();
                var exponent = index == null
                    ? new NumberExpr(BigRational.Create(1, 2), false)
                    : (Expr)new DivExpr(new NumberExpr(BigRational.One, false), index);
                return new PowExpr(radicand, exponent);
            }
            case "pi": return new ConstantExpr(ConstantKind.Pi);
            case "infty" or "infin": return new ConstantExpr(ConstantKind.Infinity);
            case "imath": return new ConstantExpr(ConstantKind.I);
            case "emptyset" or "varnothing": return new SetExpr([]);
            case "lfloor" or "lceil":
            {
                var inner = ParseSum();
                var close = Next();
                if (close.Kind != TokenKind.Command || close.Text is not ("rfloor" or "rceil")) throw new FormatException("unclosed floor");
                return new FuncExpr(name == "lfloor" ? "floor" : "ceil", [inner]);
            }
            case "lvert" or "vert":
            {
                var inner = ParseSum();
                var close = Next();
                if (!(close.Kind == TokenKind.Command && close.Text is "rvert" or "vert") && !close.Is("|")) throw new FormatException("unclosed |");
                return new FuncExpr("abs", [inner]);
            }
            case "overline" or "vec" or "hat" or "bar" or "tilde" or "widehat" or "overrightarrow" or "underline":
            {
                var inner = ParseArgument();
                return inner is SymbolExpr s ? new SymbolExpr(name + "(" + s.Name + ")") : new FuncExpr(name, [inner]);
            }
            case "angle" or "triangle" or "perp" or "parallel":
                return new SymbolExpr(name);
            case "sum" or "prod":
                return ParseSumOrProduct(name == "prod");
            case "exp":
                return ParseFunction("exp");
            case "log" or "ln" or "lg":
                return ParseFunction(name == "lg" ? "log10" : name);
        }
        if (Functions.Contains(name)) return ParseFunction(NormaliseFunction(name));
        if (Greek.Contains(name)) return new SymbolExpr(name);
        if (name is "not" or "neg" or "prime" or "colon" or "mid" or "langle" or "rangle") throw new FormatException($"unsupported \\{name}");
        if (Structural.Contains(name)) throw new FormatException($"misplaced \\{name}");
        // An unknown command is taken as a named quantity (\zzz), as Math-Verify's grammar does.
        return new SymbolExpr("\\" + name);
    }

    /// <summary>The argument of \frac, \sqrt, ...: a brace group, or a single token (\frac12 takes one digit).</summary>
    private Expr ParseArgument()
    {
        var t = Peek;
        if (t.Is("{"))
        {
            _pos++;
            var inner = ParseList(static x => x.Is("}"));
            Expect("}");
            return inner;
        }
        if (t.Kind == TokenKind.Number) return new NumberExpr(SplitFirstDigit(), false);
        if (t.Kind == TokenKind.Letters && t.Text.Length > 1)
        {
            _pos++;
            _tokens.Insert(_pos, new MathToken(TokenKind.Letters, t.Text[1..]));
            return LetterValue(t.Text[0].ToString());
        }
        return ParsePostfix();
    }

    /// <summary>\sin x, \sin(x), \sin^2 x, \log_2 8, sqrt(2) (plain), exp(x).</summary>
    private Expr ParseFunction(string name)
    {
        Expr? power = null;
        Expr? logBase = null;
        for (var k = 0; k < 2; k++)
        {
            if (Peek.Is("^") && power == null)
            {
                _pos++;
                power = ParseScript();
                continue;
            }
            if (Peek.Is("_") && logBase == null && name is "log")
            {
                _pos++;
                logBase = ParseScript();
            }
        }
        Expr argument;
        var nthRoot = false;
        if (Peek.Is("(") || Peek.Is("{"))
        {
            _pos++;
            var close = _tokens[_pos - 1].Text == "(" ? ")" : "}";
            var args = new List<Expr>();
            while (!Peek.Is(close))
            {
                if (Peek.Kind == TokenKind.End) throw new FormatException("unclosed function call");
                if (Peek.Is(",")) { _pos++; continue; }
                args.Add(ParseRelation());
            }
            _pos++;
            if (args.Count == 0) throw new FormatException("empty call");
            if (args.Count == 2 && name == "log") logBase ??= args[1];
            argument = args[0];
            // sympy's root form sqrt(x, n) is not sympy; real_root-like "sqrt(x, n)" is read as the n-th root.
            if (args.Count == 2 && name is "sqrt")
            {
                argument = new PowExpr(args[0], new DivExpr(new NumberExpr(BigRational.One, false), args[1]));
                nthRoot = true;
            }
            else if (args.Count > 2 || (args.Count == 2 && name is not ("log" or "sqrt"))) throw new FormatException($"too many arguments to {name}");
        }
        else
        {
            argument = ParsePower();
        }
        Expr result = name switch
        {
            "sqrt" when nthRoot => argument,
            "sqrt" => new PowExpr(argument, new NumberExpr(BigRational.Create(1, 2), false)),
            "log" when logBase != null => new FuncExpr("log", [argument, logBase]),
            _ => new FuncExpr(name, [argument]),
        };
        return power == null ? result : new PowExpr(result, power);
    }

    /// <summary>\sum_{k=a}^{b} body (body = the following product).</summary>
    private Expr ParseSumOrProduct(bool isProduct)
    {
        string? variable = null;
        Expr? lower = null, upper = null;
        for (var k = 0; k < 2; k++)
        {
            if (Peek.Is("_"))
            {
                _pos++;
                var sub = ParseScript();
                if (sub is RelationExpr { Kinds: [RelationKind.Equal], Operands: [SymbolExpr v, var lo] }) { variable = v.Name; lower = lo; }
                else throw new FormatException("unsupported sum bounds");
            }
            else if (Peek.Is("^"))
            {
                _pos++;
                upper = ParseScript();
            }
        }
        if (variable == null || lower == null || upper == null) throw new FormatException("unsupported sum");
        var body = ParseTerm();
        return new SumExpr(isProduct, variable, lower, upper, body);
    }

    /// <summary>pmatrix/bmatrix/array → a matrix; cases/align → the list of their rows.</summary>
    private Expr ParseEnvironment(string env)
    {
        var rows = new List<Expr[]>();
        var row = new List<Expr>();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.End) throw new FormatException($"unclosed {env}");
            if (t.Kind == TokenKind.EndEnv) { _pos++; break; }
            if (t.Kind == TokenKind.CellSep) { _pos++; continue; }
            if (t.Kind == TokenKind.RowSep)
            {
                _pos++;
                if (row.Count > 0) rows.Add(row.ToArray());
                row = new List<Expr>();
                continue;
            }
            var start = _pos;
            row.Add(ParseList(static x => x.Kind is TokenKind.CellSep or TokenKind.RowSep or TokenKind.EndEnv));
            if (_pos == start) throw new FormatException($"unexpected '{t.Text}'");
        }
        if (row.Count > 0) rows.Add(row.ToArray());
        if (rows.Count == 0) throw new FormatException("empty environment");
        if (env.EndsWith("matrix", StringComparison.Ordinal) || env == "array")
        {
            var width = rows[0].Length;
            if (rows.Any(r => r.Length != width)) throw new FormatException("ragged matrix");
            return new MatrixExpr(rows.ToArray());
        }
        var items = rows.SelectMany(r => r).ToArray();
        return items.Length == 1 ? items[0] : new SetExpr(items);
    }
}
