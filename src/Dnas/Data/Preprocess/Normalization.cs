namespace Dnas.Data.Preprocess;

/// <summary>Optional per-channel normalisation of the float input: x = (v/255 − mean[c]) / std[c].
/// One value applies to every channel; otherwise one per channel.</summary>
public sealed class Normalization
{
    private readonly float[] _mean, _std;

    public Normalization(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"normalisation needs as many means as standard deviations (at least one), got {mean.Length} and {std.Length}");
        foreach (float s in std)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentOutOfRangeException(nameof(std), $"standard deviations must be positive and finite, got {s}");
        foreach (float m in mean)
            if (!float.IsFinite(m)) throw new ArgumentOutOfRangeException(nameof(mean), $"means must be finite, got {m}");
        _mean = (float[])mean.Clone();
        _std = (float[])std.Clone();
    }

    /// <summary>The same mean and standard deviation on every channel.</summary>
    public static Normalization Uniform(float mean, float std) => new([mean], [std]);

    /// <summary>Maps v/255 ∈ [0, 1] to [−1, 1].</summary>
    public static Normalization MinusOneToOne { get; } = Uniform(0.5f, 0.5f);

    /// <summary>1, or the channel count it was made for.</summary>
    public int Channels => _mean.Length;

    public float Mean(int channel) => _mean[_mean.Length == 1 ? 0 : channel];
    public float Std(int channel) => _std[_std.Length == 1 ? 0 : channel];

    /// <summary>Throws unless this normalisation fits an image of <paramref name="channels"/> channels.</summary>
    public void RequireChannels(int channels)
    {
        if (_mean.Length != 1 && _mean.Length != channels)
            throw new ArgumentException($"normalisation has {_mean.Length} channels, the input {channels}");
    }

    /// <summary>x = (x − mean[c]) / std[c] in float32 over HWC data of <paramref name="channels"/> channels.</summary>
    public void Apply(Span<float> hwc, int channels)
    {
        RequireChannels(channels);
        for (int i = 0; i < hwc.Length; i++)
        {
            int c = i % channels;
            hwc[i] = (hwc[i] - Mean(c)) / Std(c);
        }
    }
}
