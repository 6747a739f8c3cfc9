using System.Numerics;

namespace Rlvr.Grading.Symbolic;

/// <summary>The primary level of <see cref="MathParser"/>: numbers, letters, brackets (groups, tuples, intervals),
/// sets, absolute values, LaTeX commands (\frac, \sqrt, functions, \sum), and environments (matrices, cases).</summary>
public sealed partial class MathParser
{
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
                    // A decimal literal is a float (Math-Verify rounds those); a repeating decimal 0.(3) is exact.
                    return new NumberExpr(BigRational.ParseDecimal(t.Text), (t.Text.Contains('.') || t.Text.Contains('e')) && !t.Text.Contains('('));
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
