namespace Dnas.Engine;

/// <summary>TFLite's SAME padding: out = ceil(in / stride); the total padding
/// max((out-1)*stride + k - in, 0) is split with the smaller half before (top/left).
/// PyTorch's symmetric padding=1 differs on even inputs with stride 2, which is why
/// export can copy our weights without shifting anything.</summary>
public static class Padding
{
    public static int SameOutput(int input, int stride) => (input + stride - 1) / stride;

    public static int SameBefore(int input, int kernel, int stride)
    {
        int output = SameOutput(input, stride);
        int total = Math.Max((output - 1) * stride + kernel - input, 0);
        return total / 2;
    }
}
