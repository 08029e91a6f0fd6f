namespace Dnas.Hardware;

/// <summary>The kinds of int8 operation the execution graph contains; each is costed with
/// its own coefficient of a <see cref="TargetProfile"/>.</summary>
public enum OpKind
{
    /// <summary>CONV_2D with a 1x1 kernel (expansion, projection, head): a GEMM.</summary>
    Conv1x1,
    /// <summary>CONV_2D with a KxK kernel (the stem).</summary>
    ConvKxK,
    /// <summary>DEPTHWISE_CONV_2D.</summary>
    Depthwise,
    /// <summary>FULLY_CONNECTED (the classifier).</summary>
    FullyConnected,
    /// <summary>Elementwise ADD (the residual connection).</summary>
    Add,
    /// <summary>MEAN over H and W (global average pool).</summary>
    Mean,
    /// <summary>SOFTMAX over the logits.</summary>
    Softmax,
}

/// <summary>A microcontroller target: memory sizes, clock, and a linear cycle model.
/// Cycles of one op = <see cref="OverheadCyclesPerOp"/> + MACs x cycles-per-MAC of its kind
/// (convolutions, depthwise, fully connected), or + elements x cycles-per-element (ADD, MEAN,
/// SOFTMAX). <see cref="CodeSizeBytes"/> estimates the runtime plus the kernels it links.
/// <para>The built-in coefficients are ESTIMATES, chosen to be plausible for int8 kernels of
/// the CMSIS-NN kind (SIMD dual 16-bit MACs on Cortex-M4/M7, none on Cortex-M0+); they are
/// to be calibrated against the QEMU/firmware measurements (issue 6). Custom targets are
/// ordinary instances of this record (e.g. from dnas.yaml).</para></summary>
/// <param name="Name">Short identifier, e.g. <c>nano33ble</c>.</param>
/// <param name="Description">Human-readable board / core description.</param>
/// <param name="FlashBytes">Flash available for the model and the code.</param>
/// <param name="SramBytes">SRAM available for the tensor arena and the camera frame.</param>
/// <param name="ClockHz">Core clock in Hz.</param>
/// <param name="CyclesPerMacConv1x1">Cycles per MAC of a 1x1 convolution.</param>
/// <param name="CyclesPerMacConvKxK">Cycles per MAC of a KxK convolution (the stem).</param>
/// <param name="CyclesPerMacDepthwise">Cycles per MAC of a depthwise convolution.</param>
/// <param name="CyclesPerMacFullyConnected">Cycles per MAC of a fully connected layer.</param>
/// <param name="OverheadCyclesPerOp">Fixed cycles per op (dispatch, setup, requantization tables).</param>
/// <param name="CyclesPerElementAdd">Cycles per output element of an int8 ADD (two rescales).</param>
/// <param name="CyclesPerElementPool">Cycles per input element of MEAN.</param>
/// <param name="CyclesPerElementSoftmax">Cycles per element of an int8 SOFTMAX.</param>
/// <param name="CodeSizeBytes">Flash taken by the runtime and the kernels (not the model data).</param>
public sealed record TargetProfile(
    string Name,
    string Description,
    long FlashBytes,
    long SramBytes,
    long ClockHz,
    double CyclesPerMacConv1x1,
    double CyclesPerMacConvKxK,
    double CyclesPerMacDepthwise,
    double CyclesPerMacFullyConnected,
    double OverheadCyclesPerOp,
    double CyclesPerElementAdd,
    double CyclesPerElementPool,
    double CyclesPerElementSoftmax,
    long CodeSizeBytes)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public TargetProfile Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("target: name must not be empty");
        if (FlashBytes <= 0) throw new ArgumentException($"target '{Name}': flash bytes must be positive, got {FlashBytes}");
        if (SramBytes <= 0) throw new ArgumentException($"target '{Name}': SRAM bytes must be positive, got {SramBytes}");
        if (ClockHz <= 0) throw new ArgumentException($"target '{Name}': clock must be positive, got {ClockHz} Hz");
        if (CodeSizeBytes < 0) throw new ArgumentException($"target '{Name}': code size must not be negative, got {CodeSizeBytes}");
        Check(CyclesPerMacConv1x1, "cycles per MAC (conv 1x1)");
        Check(CyclesPerMacConvKxK, "cycles per MAC (conv KxK)");
        Check(CyclesPerMacDepthwise, "cycles per MAC (depthwise)");
        Check(CyclesPerMacFullyConnected, "cycles per MAC (fully connected)");
        Check(OverheadCyclesPerOp, "overhead cycles per op");
        Check(CyclesPerElementAdd, "cycles per element (add)");
        Check(CyclesPerElementPool, "cycles per element (pool)");
        Check(CyclesPerElementSoftmax, "cycles per element (softmax)");
        return this;

        void Check(double v, string what)
        {
            if (!double.IsFinite(v) || v < 0) throw new ArgumentException($"target '{Name}': {what} must be a finite non-negative number, got {v}");
        }
    }

    /// <summary>Estimated cycles of one op of <paramref name="kind"/> with <paramref name="macs"/>
    /// multiply-accumulates and <paramref name="elements"/> elements (the output elements of ADD
    /// and SOFTMAX, the input elements of MEAN; ignored for MAC ops).</summary>
    public double Cycles(OpKind kind, long macs, long elements) => OverheadCyclesPerOp + kind switch
    {
        OpKind.Conv1x1 => macs * CyclesPerMacConv1x1,
        OpKind.ConvKxK => macs * CyclesPerMacConvKxK,
        OpKind.Depthwise => macs * CyclesPerMacDepthwise,
        OpKind.FullyConnected => macs * CyclesPerMacFullyConnected,
        OpKind.Add => elements * CyclesPerElementAdd,
        OpKind.Mean => elements * CyclesPerElementPool,
        OpKind.Softmax => elements * CyclesPerElementSoftmax,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown op kind"),
    };
}

/// <summary>The built-in targets. Memory sizes and clocks are the datasheet figures; cycle
/// coefficients and code sizes are estimates awaiting calibration (issue 6).</summary>
public static class Targets
{
    private const long KiB = 1024, MiB = 1024 * 1024;

    /// <summary>Arduino Nano 33 BLE: nRF52840, Cortex-M4F at 64 MHz, 1 MB flash, 256 KB SRAM.
    /// Estimates: CMSIS-NN int8 with SMLAD (two 16-bit MACs per instruction) reaches about
    /// 1 cycle/MAC on 1x1 convolutions (GEMM), worse on the 3-channel stem (im2col, short
    /// inner loop) and on depthwise (no reuse across channels, about 2.5 cycles/MAC).</summary>
    public static readonly TargetProfile Nano33Ble = new(
        "nano33ble", "Arduino Nano 33 BLE (nRF52840, Cortex-M4F, 64 MHz)",
        FlashBytes: 1 * MiB, SramBytes: 256 * KiB, ClockHz: 64_000_000,
        CyclesPerMacConv1x1: 1.0, CyclesPerMacConvKxK: 2.0, CyclesPerMacDepthwise: 2.5, CyclesPerMacFullyConnected: 1.5,
        OverheadCyclesPerOp: 2_000, CyclesPerElementAdd: 4.0, CyclesPerElementPool: 1.5, CyclesPerElementSoftmax: 40.0,
        CodeSizeBytes: 80 * KiB);

    /// <summary>STM32H743: Cortex-M7 at 480 MHz, 2 MB flash, 512 KB SRAM (AXI SRAM usable as one
    /// block). Estimates: the dual-issue M7 with the same SIMD instructions as the M4 runs
    /// CMSIS-NN at roughly 0.6 of the M4's cycles per MAC when data sits in TCM/cache.</summary>
    public static readonly TargetProfile Stm32H743 = new(
        "stm32h743", "STM32H743 (Cortex-M7, 480 MHz)",
        FlashBytes: 2 * MiB, SramBytes: 512 * KiB, ClockHz: 480_000_000,
        CyclesPerMacConv1x1: 0.6, CyclesPerMacConvKxK: 1.2, CyclesPerMacDepthwise: 1.5, CyclesPerMacFullyConnected: 0.9,
        OverheadCyclesPerOp: 1_500, CyclesPerElementAdd: 2.5, CyclesPerElementPool: 1.0, CyclesPerElementSoftmax: 25.0,
        CodeSizeBytes: 90 * KiB);

    /// <summary>Raspberry Pi RP2040: Cortex-M0+ at 133 MHz (one core used), 2 MB external QSPI
    /// flash, 264 KB SRAM. Estimates: no SIMD and no DSP extension; a single-cycle 32-bit
    /// multiplier but byte loads and sign extension per operand give about 4-5 cycles/MAC on
    /// a GEMM and more on depthwise.</summary>
    public static readonly TargetProfile Rp2040 = new(
        "rp2040", "Raspberry Pi RP2040 (Cortex-M0+, 133 MHz)",
        FlashBytes: 2 * MiB, SramBytes: 264 * KiB, ClockHz: 133_000_000,
        CyclesPerMacConv1x1: 4.5, CyclesPerMacConvKxK: 6.0, CyclesPerMacDepthwise: 7.0, CyclesPerMacFullyConnected: 5.0,
        OverheadCyclesPerOp: 3_000, CyclesPerElementAdd: 10.0, CyclesPerElementPool: 4.0, CyclesPerElementSoftmax: 80.0,
        CodeSizeBytes: 70 * KiB);

    /// <summary>Espressif ESP32-S3: dual Xtensa LX7 at 240 MHz (one core used), 8 MB flash,
    /// 512 KB SRAM. Estimates: ESP-NN style kernels on the 128-bit PIE vector unit, about
    /// 0.5 cycles/MAC on 1x1 convolutions; the larger code size reflects ESP-IDF glue.</summary>
    public static readonly TargetProfile Esp32S3 = new(
        "esp32s3", "Espressif ESP32-S3 (Xtensa LX7, 240 MHz)",
        FlashBytes: 8 * MiB, SramBytes: 512 * KiB, ClockHz: 240_000_000,
        CyclesPerMacConv1x1: 0.5, CyclesPerMacConvKxK: 1.0, CyclesPerMacDepthwise: 1.2, CyclesPerMacFullyConnected: 0.8,
        OverheadCyclesPerOp: 2_500, CyclesPerElementAdd: 2.0, CyclesPerElementPool: 1.5, CyclesPerElementSoftmax: 30.0,
        CodeSizeBytes: 120 * KiB);

    /// <summary>Every built-in target, in name order.</summary>
    public static IReadOnlyList<TargetProfile> All { get; } = new[] { Esp32S3, Nano33Ble, Rp2040, Stm32H743 };

    /// <summary>The names of the built-in targets, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(t => t.Name).ToArray();

    /// <summary>The built-in target called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid names.</exception>
    public static TargetProfile Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var t in All)
            if (string.Equals(t.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)) return t;
        throw new ArgumentException($"unknown target '{name}'; valid targets: {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>Like <see cref="Get"/>, without throwing.</summary>
    public static bool TryGet(string name, out TargetProfile target)
    {
        foreach (var t in All)
            if (string.Equals(t.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase)) { target = t; return true; }
        target = null!;
        return false;
    }
}
