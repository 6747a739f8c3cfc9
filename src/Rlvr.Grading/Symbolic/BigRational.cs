using System.Numerics;

namespace Rlvr.Grading.Symbolic;

/// <summary>
/// An exact rational number p/q (q &gt; 0, gcd(p, q) = 1) on <see cref="BigInteger"/>.
/// Every operation checks <see cref="MaxBits"/> so that pathological input (10^(10^10), (10^9)!)
/// ends in a <see cref="MathLimitException"/> instead of eating the machine.
/// </summary>
public readonly struct BigRational : IEquatable<BigRational>
{
    /// <summary>Largest numerator or denominator kept exact, in bits (about 3,000 decimal digits; 1000! fits).</summary>
    public const int MaxBits = 10_000;

    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    public static readonly BigRational Zero = new(BigInteger.Zero, BigInteger.One, false);
    public static readonly BigRational One = new(BigInteger.One, BigInteger.One, false);

    private BigRational(BigInteger numerator, BigInteger denominator, bool normalise)
    {
        if (normalise)
        {
            if (denominator.IsZero) throw new DivideByZeroException();
            if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
            var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (!g.IsOne && !g.IsZero) { numerator /= g; denominator /= g; }
            if (numerator.IsZero) denominator = BigInteger.One;
        }
        Numerator = numerator;
        Denominator = denominator;
    }

    public BigRational(BigInteger integer) : this(integer, BigInteger.One, false) { }

    public static BigRational Create(BigInteger numerator, BigInteger denominator)
    {
        var r = new BigRational(numerator, denominator, true);
        CheckSize(r.Numerator); CheckSize(r.Denominator);
        return r;
    }

    public bool IsInteger => Denominator.IsOne;
    public bool IsZero => Numerator.IsZero;
    public int Sign => Numerator.Sign;

    /// <summary>Throws when a number is too big to keep exact.</summary>
    public static void CheckSize(BigInteger value)
    {
        if (value.IsZero) return;
        if (BigInteger.Abs(value).GetBitLength() > MaxBits) throw new MathLimitException("number too large");
    }

    public static BigRational operator +(BigRational a, BigRational b) =>
        a.Denominator.Equals(b.Denominator)
            ? Create(a.Numerator + b.Numerator, a.Denominator)
            : Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational operator -(BigRational a, BigRational b) => a + (-b);
    public static BigRational operator -(BigRational a) => new(-a.Numerator, a.Denominator, false);
    public static BigRational operator *(BigRational a, BigRational b) => Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static BigRational operator /(BigRational a, BigRational b)
    {
        if (b.IsZero) throw new DivideByZeroException();
        return Create(a.Numerator * b.Denominator, a.Denominator * b.Numerator);
    }

    /// <summary>a^n for an integer n, refused (MathLimitException) when the result would pass <see cref="MaxBits"/>.</summary>
    public BigRational Pow(BigInteger n)
    {
        if (n.IsZero) return One;
        if (IsZero) return n.Sign > 0 ? Zero : throw new DivideByZeroException();
        var baseBits = Math.Max(BigInteger.Abs(Numerator).GetBitLength(), Denominator.GetBitLength());
        var absN = BigInteger.Abs(n);
        if (baseBits > 1 && absN * (baseBits - 1) > MaxBits) throw new MathLimitException("power too large");
        if (absN > MaxBits * 4L && !(BigInteger.Abs(Numerator).IsOne && Denominator.IsOne))
            throw new MathLimitException("power too large");
        var e = (int)BigInteger.Min(absN, int.MaxValue);
        if (BigInteger.Abs(Numerator).IsOne && Denominator.IsOne)
        {
            // (+-1)^n: parity decides, whatever n's size.
            var odd = !absN.IsEven;
            return new BigRational(Numerator.Sign < 0 && odd ? BigInteger.MinusOne : BigInteger.One);
        }
        var num = BigInteger.Pow(Numerator, e);
        var den = BigInteger.Pow(Denominator, e);
        return n.Sign > 0 ? Create(num, den) : Create(den, num);
    }

    public double ToDouble()
    {
        var nBits = BigInteger.Abs(Numerator).GetBitLength();
        var dBits = Denominator.GetBitLength();
        if (nBits < 1000 && dBits < 1000) return (double)Numerator / (double)Denominator;
        // Scale both down so the doubles stay finite.
        var shift = (int)Math.Max(0, Math.Min(nBits, dBits) - 60);
        var n = Numerator >> shift;
        var d = Denominator >> shift;
        if (d.IsZero) return Numerator.Sign * double.PositiveInfinity;
        return Math.Exp(BigInteger.Log(BigInteger.Abs(n)) - BigInteger.Log(d)) * Numerator.Sign;
    }

    /// <summary>Rounds to <paramref name="decimals"/> decimal places, half away from zero (exact).</summary>
    public BigRational Round(int decimals)
    {
        var scale = BigInteger.Pow(10, decimals);
        var scaled = Numerator * scale;
        var twice = 2 * BigInteger.Abs(scaled) + Denominator;
        var q = BigInteger.Divide(twice, 2 * Denominator) * Numerator.Sign;
        return Create(q, scale);
    }

    public bool Equals(BigRational other) => Numerator.Equals(other.Numerator) && Denominator.Equals(other.Denominator);
    public override bool Equals(object? obj) => obj is BigRational r && Equals(r);
    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);
    public override string ToString() => Denominator.IsOne ? Numerator.ToString() : $"{Numerator}/{Denominator}";

    public static int Compare(BigRational a, BigRational b) => (a.Numerator * b.Denominator).CompareTo(b.Numerator * a.Denominator);

    /// <summary>Parses a decimal literal such as "12", "0.25", ".5", "1.5e-3" exactly.</summary>
    public static BigRational ParseDecimal(ReadOnlySpan<char> text)
    {
        // "67.(3)": a repeating block in parentheses, 67.333... = 67 + 3/9.
        var open = text.IndexOf('(');
        if (open > 0 && text[^1] == ')')
        {
            var head = text[..open];
            var block = text[(open + 1)..^1];
            var fixedDigits = head.Length - head.IndexOf('.') - 1;
            var repeat = ParseDigits(block);
            var nines = BigInteger.Pow(10, block.Length) - 1;
            var headValue = ParseDecimal(head.EndsWith(".") ? head[..^1] : head);
            return headValue + Create(repeat, nines * BigInteger.Pow(10, fixedDigits));
        }
        var exponent = 0;
        var e = text.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!int.TryParse(text[(e + 1)..], out exponent) || Math.Abs(exponent) > 4000) throw new MathLimitException("exponent too large");
            text = text[..e];
        }
        var dot = text.IndexOf('.');
        BigInteger digits;
        var fractionDigits = 0;
        if (dot < 0) digits = ParseDigits(text);
        else
        {
            fractionDigits = text.Length - dot - 1;
            Span<char> buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
            text[..dot].CopyTo(buffer);
            text[(dot + 1)..].CopyTo(buffer[dot..]);
            digits = ParseDigits(buffer[..(text.Length - 1)]);
        }
        var power = exponent - fractionDigits;
        if (text.Length > 6000) throw new MathLimitException("number literal too long");
        return power >= 0
            ? Create(digits * BigInteger.Pow(10, power), BigInteger.One)
            : Create(digits, BigInteger.Pow(10, -power));
    }

    private static BigInteger ParseDigits(ReadOnlySpan<char> digits)
    {
        if (digits.Length == 0) return BigInteger.Zero;
        if (digits.Length > 6000) throw new MathLimitException("number literal too long");
        return BigInteger.Parse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Raised when exact arithmetic or parsing would pass a size or depth limit; graders count it as a timeout.</summary>
public sealed class MathLimitException(string message) : Exception(message);
