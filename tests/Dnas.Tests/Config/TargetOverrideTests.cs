using Dnas.Config;
using Xunit;

namespace Dnas.Tests.Config;

/// <summary><c>dnas run --target BOARD</c> (and Dnas.Build's DnasTarget): the configuration is
/// validated as if its <c>target:</c> named that board.</summary>
public sealed class TargetOverrideTests
{
    private static DnasConfig Parse(string yaml, string board) =>
        DnasConfig.Parse(ConfigSnippet.Data + yaml, "dnas.yaml", Path.GetTempPath(), board);

    [Fact]
    public void ReplacesTheBoard()
    {
        Assert.Equal("stm32h743", Parse("target:\n  board: nano33ble\n", "stm32h743").Target.Profile.Name);
        Assert.Equal("rp2040", Parse("", "rp2040").Target.Profile.Name);
    }

    [Fact]
    public void ReplacesACustomBoardAndItsLimitsButKeepsTheLatencyLimitAndCamera()
    {
        var config = Parse("""
            target:
              name: tiny
              flash_kb: 64
              sram_kb: 16
              clock_mhz: 48
              latency_ms: 500
              camera: { width: 160, height: 120 }
            """, "stm32h743");
        Assert.Equal(Dnas.Hardware.Targets.Stm32H743, config.Target.Profile);
        Assert.Equal(500, config.Target.LatencyLimitMs);
        Assert.Equal(160, config.Target.Camera?.Width);
    }

    [Fact]
    public void TheOverriddenTargetGoesThroughTheFitCheck()
    {
        // The file's board fits; the latency limit it keeps does not fit any board.
        var e = Assert.Throws<ConfigException>(() => Parse("target:\n  board: stm32h743\n  latency_ms: 0.001\n", "nano33ble"));
        Assert.Contains(e.Diagnostics, d => d.Code == DiagnosticCodes.TargetTooSmall && d.Message.Contains("nano33ble"));
    }

    [Fact]
    public void AnUnknownBoardIsReportedAgainstTheCommandLineWithASuggestion()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("target:\n  board: nano33ble\n", "stm32h734"));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal("dnas: error DNAS008: --target 'stm32h734' is not a built-in board; choose one of esp32s3, nano33ble, rp2040, stm32h743; did you mean 'stm32h743'?", d.ToString());
    }
}
