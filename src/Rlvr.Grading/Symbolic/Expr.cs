namespace Rlvr.Grading.Symbolic;

/// <summary>A node of a parsed math answer. Immutable; built by <see cref="MathParser"/>.</summary>
public abstract class Expr
{
    /// <summary>A canonical text of the node, used for string fall-backs and symbol names.</summary>
    public abstract override string ToString();
}

/// <summary>A number literal. <paramref name="IsFloat"/> marks a decimal literal (Math-Verify rounds those).</summary>
public sealed class NumberExpr(BigRational value, bool isFloat) : Expr
{
    public BigRational Value { get; } = value;
    public bool IsFloat { get; } = isFloat;
    public override string ToString() => Value.ToString();
}

/// <summary>A free variable such as x, x_1, or a word of text (\text{Evelyn}).</summary>
public sealed class SymbolExpr(string name) : Expr
{
    public string Name { get; } = name;
    public override string ToString() => Name;
}

/// <summary>An indexed quantity F_{n-1}: evaluated as a fixed pseudo-random function of the index value.</summary>
public sealed class IndexedExpr(string name, Expr index) : Expr
{
    public string Name { get; } = name;
    public Expr Index { get; } = index;
    public override string ToString() => $"{Name}_{{{Index}}}";
}

public enum ConstantKind { Pi, E, I, Infinity }

/// <summary>pi, e, the imaginary unit i, or infinity.</summary>
public sealed class ConstantExpr(ConstantKind kind) : Expr
{
    public ConstantKind Kind { get; } = kind;
    public override string ToString() => Kind switch { ConstantKind.Pi => "pi", ConstantKind.E => "E", ConstantKind.I => "I", _ => "oo" };
}

public sealed class AddExpr(Expr[] terms) : Expr
{
    public Expr[] Terms { get; } = terms;
    public override string ToString() => "(" + string.Join("+", (IEnumerable<Expr>)Terms) + ")";
}

/// <summary>A product. <paramref name="letterRun"/> keeps the original text when the product came from
/// adjacent letters ("odd" = o*d*d) so that it can still compare equal to the word \text{odd}.</summary>
public sealed class MulExpr(Expr[] factors, string? letterRun = null) : Expr
{
    public Expr[] Factors { get; } = factors;
    public string? LetterRun { get; } = letterRun;
    public override string ToString() => "(" + string.Join("*", (IEnumerable<Expr>)Factors) + ")";
}

public sealed class DivExpr(Expr numerator, Expr denominator) : Expr
{
    public Expr Numerator { get; } = numerator;
    public Expr Denominator { get; } = denominator;
    public override string ToString() => $"({Numerator})/({Denominator})";
}

public sealed class NegExpr(Expr operand) : Expr
{
    public Expr Operand { get; } = operand;
    public override string ToString() => $"-({Operand})";
}

public sealed class PowExpr(Expr @base, Expr exponent) : Expr
{
    public Expr Base { get; } = @base;
    public Expr Exponent { get; } = exponent;
    public override string ToString() => $"({Base})^({Exponent})";
}

/// <summary>A named function: sin, cos, ..., ln, log (natural, or with a base as second argument), exp, abs, factorial, floor, ceil, root.</summary>
public sealed class FuncExpr(string name, Expr[] args) : Expr
{
    public string Name { get; } = name;
    public Expr[] Args { get; } = args;
    public override string ToString() => $"{Name}(" + string.Join(",", (IEnumerable<Expr>)Args) + ")";
}

/// <summary>\sum_{var=lo}^{hi} body or \prod_{var=lo}^{hi} body.</summary>
public sealed class SumExpr(bool isProduct, string variable, Expr lower, Expr upper, Expr body) : Expr
{
    public bool IsProduct { get; } = isProduct;
    public string Variable { get; } = variable;
    public Expr Lower { get; } = lower;
    public Expr Upper { get; } = upper;
    public Expr Body { get; } = body;
    public override string ToString() => $"{(IsProduct ? "prod" : "sum")}({Variable},{Lower},{Upper},{Body})";
}

/// <summary>a ± b (Operand a may be null for a leading ±); expands to the two values.</summary>
public sealed class PlusMinusExpr(Expr? left, Expr right) : Expr
{
    public Expr? Left { get; } = left;
    public Expr Right { get; } = right;
    public override string ToString() => $"({Left}pm{Right})";
}

/// <summary>An ordered tuple. <paramref name="open"/>/<paramref name="close"/> are the brackets ('\0' when bare),
/// so that (a,b) can also stand for an open interval.</summary>
public sealed class TupleExpr(Expr[] items, char open, char close) : Expr
{
    public Expr[] Items { get; } = items;
    public char Open { get; } = open;
    public char Close { get; } = close;
    public override string ToString() => $"{Open}" + string.Join(",", (IEnumerable<Expr>)Items) + $"{Close}";
}

/// <summary>An unordered set: \{a, b\} or a bare list of answers "1, 2" / "1 and 2".</summary>
public sealed class SetExpr(Expr[] items) : Expr
{
    public Expr[] Items { get; } = items;
    public override string ToString() => "{" + string.Join(",", (IEnumerable<Expr>)Items) + "}";
}

/// <summary>An interval with its openness: [a, b), (a, b], [a, b]. An open (a, b) is parsed as a <see cref="TupleExpr"/>.</summary>
public sealed class IntervalExpr(Expr lower, Expr upper, bool lowerClosed, bool upperClosed) : Expr
{
    public Expr Lower { get; } = lower;
    public Expr Upper { get; } = upper;
    public bool LowerClosed { get; } = lowerClosed;
    public bool UpperClosed { get; } = upperClosed;
    public override string ToString() => $"{(LowerClosed ? '[' : '(')}{Lower},{Upper}{(UpperClosed ? ']' : ')')}";
}

public sealed class UnionExpr(Expr[] parts) : Expr
{
    public Expr[] Parts { get; } = parts;
    public override string ToString() => string.Join("U", (IEnumerable<Expr>)Parts);
}

public sealed class MatrixExpr(Expr[][] rows) : Expr
{
    public Expr[][] Rows { get; } = rows;
    public override string ToString() => "[" + string.Join(";", Rows.Select(r => string.Join(",", (IEnumerable<Expr>)r))) + "]";
}

public enum RelationKind { Equal, Less, LessEqual, Greater, GreaterEqual, NotEqual }

/// <summary>A chain a op b op c ... of relations (x = 3, -2 ≤ x ≤ 7).</summary>
public sealed class RelationExpr(Expr[] operands, RelationKind[] kinds) : Expr
{
    public Expr[] Operands { get; } = operands;
    public RelationKind[] Kinds { get; } = kinds;
    public override string ToString()
    {
        var text = Operands[0].ToString();
        for (var i = 0; i < Kinds.Length; i++) text += Kinds[i] switch
        {
            RelationKind.Equal => "=", RelationKind.Less => "<", RelationKind.LessEqual => "<=",
            RelationKind.Greater => ">", RelationKind.GreaterEqual => ">=", _ => "!=",
        } + Operands[i + 1];
        return text;
    }
}
