using Dnas.Engine.Models;
using Dnas.Hardware;
using Xunit;

namespace Dnas.Tests.Hardware;

public class HardwareTargetTests
{
    [Theory]
    [InlineData("nano33ble", 1L << 20, 256L * 1024, 64_000_000L)]
    [InlineData("stm32h743", 2L << 20, 512L * 1024, 480_000_000L)]
    [InlineData("rp2040", 2L << 20, 264L * 1024, 133_000_000L)]
    [InlineData("esp32s3", 8L << 20, 512L * 1024, 240_000_000L)]
    public void BuiltInTargetsHaveTheirDatasheetFigures(string name, long flash, long sram, long clock)
    {
        var t = Targets.Get(name);
        Assert.Equal(name, t.Name);
        Assert.Equal(flash, t.FlashBytes);
        Assert.Equal(sram, t.SramBytes);
        Assert.Equal(clock, t.ClockHz);
        Assert.Same(t, t.Validate());
        Assert.True(t.CodeSizeBytes > 0);
        // 1x1 convolutions are the cheapest per MAC, depthwise the dearest
        Assert.True(t.CyclesPerMacConv1x1 < t.CyclesPerMacConvKxK);
        Assert.True(t.CyclesPerMacConvKxK < t.CyclesPerMacDepthwise);
        Assert.Same(t, Targets.Get(name.ToUpperInvariant()));
    }

    [Fact]
    public void M0PlusIsSlowerPerMacThanSimdCores()
    {
        Assert.True(Targets.Rp2040.CyclesPerMacConv1x1 > 3 * Targets.Nano33Ble.CyclesPerMacConv1x1);
        Assert.True(Targets.Stm32H743.CyclesPerMacConv1x1 < Targets.Nano33Ble.CyclesPerMacConv1x1);
        Assert.Equal(new[] { "esp32s3", "nano33ble", "rp2040", "stm32h743" }, Targets.Names);
    }

    [Fact]
    public void UnknownTargetListsTheValidNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Targets.Get("arduino-uno"));
        Assert.StartsWith("unknown target 'arduino-uno'; valid targets: esp32s3, nano33ble, rp2040, stm32h743", e.Message);
        Assert.False(Targets.TryGet("arduino-uno", out _));
        Assert.True(Targets.TryGet("RP2040", out var rp));
        Assert.Equal("rp2040", rp.Name);
    }

    [Fact]
    public void CustomTargetsAreUsable()
    {
        var custom = Targets.Nano33Ble with { Name = "myboard", ClockHz = 128_000_000, CodeSizeBytes = 0 };
        var spec = MobileNetV2Spec.Standard(0.35, 3, 2);
        var camera = new CameraFrame(96, 96, PixelFormat.Rgb565);
        var fast = ModelCost.Compute(spec, new ModelInput(96, 96, 3), camera, custom);
        var slow = ModelCost.Compute(spec, new ModelInput(96, 96, 3), camera, Targets.Nano33Ble);
        Assert.Equal(slow.LatencySeconds / 2, fast.LatencySeconds, 9);
        Assert.Equal(slow.FlashBytes - Targets.Nano33Ble.CodeSizeBytes, fast.FlashBytes);

        var fresh = new TargetProfile("fresh", "a custom board", 512 * 1024, 128 * 1024, 100_000_000,
            1, 2, 3, 1, 1000, 4, 2, 40, 64 * 1024);
        Assert.Equal(1000 + 10 * 3.0, fresh.Cycles(OpKind.Depthwise, 10, 999));
        Assert.Equal(1000 + 5 * 4.0, fresh.Cycles(OpKind.Add, 999, 5));
        var bad = fresh with { ClockHz = 0 };
        Assert.Contains("clock", Assert.Throws<ArgumentException>(() => bad.Validate()).Message);
        var negative = fresh with { CyclesPerMacDepthwise = -1 };
        Assert.Throws<ArgumentException>(() => ModelCost.Compute(spec, new ModelInput(96, 96, 3), camera, negative));
    }
}
