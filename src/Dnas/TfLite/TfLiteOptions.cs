namespace Dnas.TfLite;

/// <summary>Typed builtin options of an operator; <see cref="UnionType"/> is the schema's
/// BuiltinOptions union tag.</summary>
public abstract record TfLiteOptions
{
    public abstract byte UnionType { get; }
}

public sealed record Conv2DOptions(TfLitePadding Padding, int StrideW, int StrideH, TfLiteActivation Activation = TfLiteActivation.None,
    int DilationW = 1, int DilationH = 1) : TfLiteOptions
{
    public override byte UnionType => 1;
}

public sealed record DepthwiseConv2DOptions(TfLitePadding Padding, int StrideW, int StrideH, int DepthMultiplier = 1,
    TfLiteActivation Activation = TfLiteActivation.None, int DilationW = 1, int DilationH = 1) : TfLiteOptions
{
    public override byte UnionType => 2;
}

public sealed record Pool2DOptions(TfLitePadding Padding, int StrideW, int StrideH, int FilterW, int FilterH,
    TfLiteActivation Activation = TfLiteActivation.None) : TfLiteOptions
{
    public override byte UnionType => 5;
}

public sealed record FullyConnectedOptions(TfLiteActivation Activation = TfLiteActivation.None, byte WeightsFormat = 0,
    bool KeepNumDims = false, bool AsymmetricQuantizeInputs = false) : TfLiteOptions
{
    public override byte UnionType => 8;
}

public sealed record SoftmaxOptions(float Beta = 1f) : TfLiteOptions
{
    public override byte UnionType => 9;
}

public sealed record AddOptions(TfLiteActivation Activation = TfLiteActivation.None, bool PotScaleInt16 = true) : TfLiteOptions
{
    public override byte UnionType => 11;
}

public sealed record ReshapeOptions(int[]? NewShape) : TfLiteOptions
{
    public override byte UnionType => 17;
    public bool Equals(ReshapeOptions? other) =>
        other is not null && (NewShape ?? []).AsSpan().SequenceEqual(other.NewShape ?? []) && (NewShape is null) == (other.NewShape is null);
    public override int GetHashCode() => NewShape?.Length ?? -1;
}

public sealed record PadOptions : TfLiteOptions
{
    public override byte UnionType => 22;
}

public sealed record ReducerOptions(bool KeepDims = false) : TfLiteOptions
{
    public override byte UnionType => 27;
}

public sealed record DequantizeOptions : TfLiteOptions
{
    public override byte UnionType => 38;
}

public sealed record QuantizeOptions : TfLiteOptions
{
    public override byte UnionType => 89;
}

/// <summary>Options of a type this reader does not decode: the union tag is kept so that
/// <c>inspect</c> can show it; the writer refuses to write it (it cannot reproduce the table).</summary>
public sealed record UnknownOptions(byte Type) : TfLiteOptions
{
    public override byte UnionType => Type;
}
