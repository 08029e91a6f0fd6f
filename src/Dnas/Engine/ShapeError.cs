namespace Dnas.Engine;

/// <summary>Thrown when a tensor's shape or layout does not match what an operation needs.
/// The message always names both shapes so the caller can see which side is wrong.</summary>
public sealed class ShapeMismatchException : ArgumentException
{
    public ShapeMismatchException(string what, ReadOnlySpan<int> expected, ReadOnlySpan<int> actual)
        : base($"{what}: expected shape {Shape.Format(expected)}, got {Shape.Format(actual)}") { }

    public ShapeMismatchException(string message) : base(message) { }
}

public static class Shape
{
    public static string Format(ReadOnlySpan<int> s)
    {
        var parts = new string[s.Length];
        for (int i = 0; i < s.Length; i++) parts[i] = s[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "[" + string.Join(",", parts) + "]";
    }

    public static long Product(ReadOnlySpan<int> s)
    {
        long p = 1;
        foreach (var d in s) p *= d;
        return p;
    }

    /// <summary>As <see cref="Require(string, int, long)"/>, naming the operand as what + operand;
    /// the name is only put together when it is needed, so hot kernels allocate nothing.</summary>
    public static void Require(string what, string operand, int length, long needed)
    {
        if (length < needed) Require(what + operand, length, needed);
    }

    /// <summary>Throws unless <paramref name="span"/> holds at least <paramref name="needed"/> elements.</summary>
    public static void Require(string what, int length, long needed)
    {
        if (length < needed)
            throw new ShapeMismatchException($"{what}: buffer holds {length} elements but the shape needs {needed}");
    }
}
