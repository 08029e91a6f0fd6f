using Dnas.Config;
using Dnas.Hardware;
using Xunit;

namespace Dnas.Tests.Config;

/// <summary>The target section: built-in boards, overrides, custom boards, and the errors.</summary>
public sealed class TargetConfigTests
{
    private static DnasConfig Parse(string yaml) => DnasConfig.Parse("data:\n  source: synthetic\n" + yaml, "dnas.yaml", Path.GetTempPath());

    private static List<Diagnostic> Errors(string yaml)
    {
        var (_, diagnostics) = DnasConfig.TryParse("data:\n  source: synthetic\n" + yaml, "dnas.yaml", Path.GetTempPath());
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        Assert.NotEmpty(errors);
        return errors;
    }

    [Fact]
    public void BuiltInBoardsAndOverrides()
    {
        Assert.Same(Targets.Nano33Ble, Parse("").Target.Profile);
        var t = Parse("target:\n  board: stm32h743\n  latency_ms: 50\n").Target;
        Assert.Equal(Targets.Stm32H743, t.Profile);
        Assert.Equal(50, t.LatencyLimitMs);
        var o = Parse("target:\n  board: rp2040\n  sram_kb: 200\n").Target.Profile;
        Assert.Equal(200 * 1024, o.SramBytes);
        Assert.Equal(Targets.Rp2040.ClockHz, o.ClockHz);
    }

    [Fact]
    public void CustomBoard()
    {
        var p = Parse("target:\n  name: my-m4\n  like: nano33ble\n  flash_kb: 512\n  sram_kb: 128\n  clock_mhz: 80\n").Target.Profile;
        Assert.Equal("my-m4", p.Name);
        Assert.Equal(512 * 1024, p.FlashBytes);
        Assert.Equal(128 * 1024, p.SramBytes);
        Assert.Equal(80_000_000, p.ClockHz);
        Assert.Equal(Targets.Nano33Ble.CyclesPerMacDepthwise, p.CyclesPerMacDepthwise);
    }

    [Fact]
    public void ErrorsNameTheLineAndWhatToDo()
    {
        var e = Assert.Single(Errors("target:\n  board: nano33\n"));
        Assert.Equal(4, e.Line);
        Assert.Contains("nano33ble", e.Message);
        e = Errors("target:\n  bord: nano33ble\n")[0]; // then: no board given
        Assert.Equal(DiagnosticCodes.UnknownKey, e.Code);
        Assert.Contains("did you mean 'board'", e.Message);
        var missing = Errors("target:\n  name: x\n  flash_kb: 10\n");
        Assert.Equal(2, missing.Count);
        Assert.All(missing, d => Assert.Equal(DiagnosticCodes.MissingKey, d.Code));
        Assert.Equal(DiagnosticCodes.Conflict, Errors("target:\n  board: rp2040\n  name: x\n")[0].Code);
        Assert.Equal(DiagnosticCodes.OutOfRange, Errors("target:\n  board: rp2040\n  latency_ms: -1\n")[0].Code);
    }
}
