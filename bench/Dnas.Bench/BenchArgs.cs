using System.Globalization;

namespace Dnas.Bench;

/// <summary>A wrong command line: printed without a stack trace, exit code 2.</summary>
public sealed class BenchUsageException(string message) : Exception(message);

/// <summary><c>--name value</c> options. Every option given must be consumed by the benchmark
/// (<see cref="Finish"/>), so a misspelt option fails instead of being silently ignored.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public BenchArgs(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
                throw new BenchUsageException($"expected an option like --steps, got '{a}'");
            string name, value;
            int eq = a.IndexOf('=');
            if (eq > 0) { name = a[2..eq]; value = a[(eq + 1)..]; }
            else
            {
                if (i + 1 >= args.Count) throw new BenchUsageException($"option {a} needs a value");
                name = a[2..]; value = args[++i];
            }
            if (!_values.TryAdd(name, value)) throw new BenchUsageException($"option --{name} given twice");
        }
    }

    private bool Take(string name, out string value)
    {
        if (_values.Remove(name, out var v)) { value = v; return true; }
        value = "";
        return false;
    }

    public string String(string name, string fallback) => Take(name, out var v) ? v : fallback;

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        if (!Take(name, out var v)) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x))
            throw new BenchUsageException($"--{name} must be an integer, got '{v}'");
        if (x < min) throw new BenchUsageException($"--{name} must be at least {min}, got {x}");
        return x;
    }

    public double Double(string name, double fallback)
    {
        if (!Take(name, out var v)) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            throw new BenchUsageException($"--{name} must be a number, got '{v}'");
        return x;
    }

    /// <summary>Fails on any option no benchmark code asked for.</summary>
    public void Finish()
    {
        if (_values.Count > 0)
            throw new BenchUsageException("unknown option(s): " + string.Join(", ", _values.Keys.Select(k => "--" + k)));
    }
}
