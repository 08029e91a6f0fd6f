using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Hardware;
using Xunit;
using static Dnas.Tests.Config.ConfigSnippet;

namespace Dnas.Tests.Config;

/// <summary>A target that cannot hold even the smallest system of the search space is a
/// configuration error (DNAS012) with the figures, found before any work.</summary>
public sealed class TargetFitCheckTests
{
    private const string Space = "search_space:\n  resolutions: [32, 64]\n  widths: [0.35, 1.0]\n";

    [Fact]
    public void TheSmallestSystemIsTheSmallestOfEveryGene()
    {
        var (config, errors) = Check(Space + "  expansions: [6, 4]\n  kernels: [7, 5]\n");
        Assert.Empty(errors);
        var (subnet, r, color) = TargetFitCheck.SmallestSystem(config);
        Assert.Equal((32, ColorMode.Gray, 1, 0.35), (r, color, subnet.InChannels, subnet.Width));
        Assert.Equal(config.SearchSpace.Depths.Select(d => d.Min), subnet.Depths);
        Assert.All(subnet.Blocks.Skip(1), b => Assert.Equal((4, 5), (b.Expand, b.Kernel)));
        var cost = TargetFitCheck.SmallestSystemCost(config);
        Assert.Equal(32L * 32, cost.CameraBytes); // no camera configured: a GRAY8 frame at the model's side
        Assert.True(cost.FitsSram && cost.FitsFlash);
    }

    [Fact]
    public void TooLittleSramIsReportedAtTheTargetWithTheFigures()
    {
        var (config, errors) = Check(Space + "target:\n  board: nano33ble\n  sram_kb: 8\n");
        var d = Assert.Single(errors);
        Assert.Equal(DiagnosticCodes.TargetTooSmall, d.Code);
        Assert.Equal((7, 3), (d.Line, d.Column)); // the target section
        var cost = TargetFitCheck.SmallestSystemCost(config);
        Assert.Contains($"the smallest system the search could choose (32x32 gray, width 0.35, depths 1,1,2,2,2,2,1, expansion 3, kernel 3) needs {cost.SramBytes / 1024.0:0.#} KB SRAM", d.Message);
        Assert.Contains("target nano33ble has 8 KB", d.Message);
        Assert.Contains("raise 'target.sram_kb'", d.Message);
        Assert.StartsWith("dnas.yaml(7,3): error DNAS012: ", d.ToString());
    }

    [Fact]
    public void TooLittleFlashAndATooLowLatencyLimitAreReported()
    {
        var (_, errors) = Check(Space + "target:\n  name: tiny\n  flash_kb: 64\n  sram_kb: 512\n  clock_mhz: 16\n  latency_ms: 0.5\n");
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(DiagnosticCodes.TargetTooSmall, e.Code));
        Assert.Equal((7, 3), (errors[0].Line, errors[0].Column));
        Assert.Contains("KB flash (model ", errors[0].Message);
        Assert.Contains("target tiny has 64 KB", errors[0].Message);
        Assert.Equal((11, 15), (errors[1].Line, errors[1].Column)); // the latency limit itself
        Assert.Contains("ms on tiny at 16 MHz, above 'target.latency_ms' (0.5 ms)", errors[1].Message);
    }

    [Fact]
    public void HardwareAwareModeChecksTheFixedDataConfigurationAndACameraCounts()
    {
        const string yaml = "search_space:\n  resolutions: [32, 96]\nsearch:\n  mode: hardware-aware\n";
        var (config, errors) = Check(yaml);
        Assert.Empty(errors);
        var (_, r, color) = TargetFitCheck.SmallestSystem(config);
        Assert.Equal((96, ColorMode.Rgb), (r, color));
        Assert.Equal(96L * 96 * 2, TargetFitCheck.SmallestSystemCost(config).CameraBytes); // RGB565 at the model's side

        // A VGA RGB888 frame alone is 900 KB: more than the board's SRAM.
        (config, errors) = Check(yaml + "target:\n  board: nano33ble\n  camera: { width: 640, height: 480, format: rgb888 }\n");
        Assert.Equal(new CameraFrame(640, 480, PixelFormat.Rgb888), config.Target.Camera);
        var d = Assert.Single(errors);
        Assert.Contains("96x96 rgb", d.Message);
        Assert.Contains("+ camera frame 900 KB", d.Message);
    }

    [Fact]
    public void CameraErrors()
    {
        var (_, errors) = Check("target:\n  board: nano33ble\n  camera: { width: 160, format: rgb656 }\n");
        Assert.Equal(2, errors.Count);
        Assert.Equal(DiagnosticCodes.MissingKey, errors[0].Code);
        Assert.Contains("'target.camera' needs 'height'", errors[0].Message);
        Assert.Contains("did you mean 'rgb565'?", errors[1].Message);
    }

    [Fact]
    public void NoCheckWhenTheSpaceOrTargetIsAlreadyWrong()
    {
        var (_, errors) = Check("search_space:\n  widths: [0]\ntarget:\n  board: nano33ble\n  sram_kb: 1\n");
        Assert.Equal(DiagnosticCodes.OutOfRange, Assert.Single(errors).Code);
    }

    [Fact]
    public void WithoutATargetSectionTheErrorPointsAtTheSearchSpace()
    {
        var (_, errors) = Check("search_space:\n  resolutions: [1024]\n  colors: [rgb]\n");
        Assert.All(errors, e => Assert.Equal((4, 3), (e.Line, e.Column)));
        Assert.Contains(errors, e => e.Message.Contains("target nano33ble has 256 KB", StringComparison.Ordinal));
    }
}
