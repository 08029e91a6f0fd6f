using Dnas.Config;
using Dnas.Data.Preprocess;
using Dnas.Search;
using Xunit;
using static Dnas.Tests.Config.ConfigSnippet;

namespace Dnas.Tests.Config;

/// <summary>The search_space, supernet, search and finetune sections: values read, and every
/// error with its code and position.</summary>
public sealed class StageConfigTests
{
    [Fact]
    public void EveryKeyIsRead()
    {
        var c = Parse("""
            search_space:
              resolutions: [48, 96]
              colors: [rgb]
              widths: [0.25, 0.5]
              depths: [1, 2, [2, 3], [2, 4], 3, [1, 3], 1]
              expansions: [2, 6]
              kernels: [3, 7]
            supernet:
              epochs: 1.5
              steps: 300
              batch: 16
              learning_rate: 0.1
              sandwich: 2
              distillation: false
              checkpoint_minutes: 0.5
            search:
              mode: data-aware
              population: 8
              generations: 3
              time_budget_minutes: 4
              seed: 7
              objective: latency
              calibration_images: 64
              validation_images: 0
            finetune:
              epochs: 0
              batch: 8
              learning_rate: 0.002
            quantize:
              calibration_images: 64
              ranges: percentile
              percentile: 99.9
            """);
        var s = c.SearchSpace;
        Assert.Equal([48, 96], s.Resolutions);
        Assert.Equal([ColorMode.Rgb], s.Colors);
        Assert.Equal([0.25, 0.5], s.Widths);
        Assert.Equal([new(1, 1), new(2, 2), new(2, 3), new(2, 4), new(3, 3), new(1, 3), new DepthRange(1, 1)], s.Depths);
        Assert.Equal([2, 6], s.Expansions);
        Assert.Equal([3, 7], s.Kernels);
        Assert.Equal(17, s.ToSearchSpace().SlotCount); // the space builds: Σ max depth
        Assert.Equal(new SupernetConfig { Epochs = 1.5, Steps = 300, Batch = 16, LearningRate = 0.1, Sandwich = 2, Distillation = false, CheckpointMinutes = 0.5 }, c.Supernet);
        Assert.Equal(new SearchConfig { Population = 8, Generations = 3, TimeBudgetMinutes = 4, Seed = 7, Objective = "latency_ms", CalibrationImages = 64, ValidationImages = 0 }, c.Search);
        Assert.Equal(new FinetuneConfig { Epochs = 0, Batch = 8, LearningRate = 0.002 }, c.Finetune);
        Assert.Equal(new QuantizeConfig { CalibrationImages = 64, Ranges = RangeMethod.Percentile, Percentile = 99.9 }, c.Quantize);
    }

    [Fact]
    public void MissingSectionsAndKeysKeepTheDefaults()
    {
        var c = Parse("supernet:\n  batch: 64\nsearch:\n  seed: 3\n");
        Assert.Equal(SupernetConfig.Default with { Batch = 64 }, c.Supernet);
        Assert.Equal(SearchConfig.Default with { Seed = 3 }, c.Search);
        Assert.Equal(FinetuneConfig.Default, c.Finetune);
        Assert.Equal(SearchSpaceConfig.Default, Parse("").SearchSpace);
    }

    [Fact]
    public void HardwareAwareModeFixesTheDataConfiguration()
    {
        var c = Parse("search_space:\n  resolutions: [32, 96, 64]\nsearch:\n  mode: hardware-aware\n").Search;
        Assert.Equal(SearchMode.HardwareAware, c.Mode);
        Assert.Equal(96, c.FixedResolution); // the largest, in RGB
        Assert.Equal(ColorMode.Rgb, c.FixedColor);

        // Any side the store can be resized to, even one the data-aware space does not list.
        c = Parse("search_space:\n  resolutions: [32, 96]\nsearch:\n  mode: hardware-aware\n  fixed_resolution: 80\n  fixed_color: gray\n").Search;
        Assert.Equal(80, c.FixedResolution);
        Assert.Equal(ColorMode.Gray, c.FixedColor);
        c = Parse("  resolution: 128\nsearch:\n  mode: hardware-aware\n  fixed_resolution: 128\n").Search;
        Assert.Equal(128, c.FixedResolution); // a larger store makes room

        Assert.Null(Parse("search:\n  mode: data-aware\n").Search.FixedResolution);
    }

    [Theory]
    // search_space
    [InlineData("search_space:\n  colors: [gray, rbg]\n", 4, 18, "DNAS008", "'search_space.colors[1]' is 'rbg', which is not one of gray, rgb; did you mean 'rgb'?")]
    [InlineData("search_space:\n  colors: []\n", 4, 11, "DNAS004", "'search_space.colors' is empty: give at least one, e.g. [gray, rgb]")]
    [InlineData("search_space:\n  colors: [rgb, rgb]\n", 4, 17, "DNAS004", "'search_space.colors' lists rgb twice")]
    [InlineData("search_space:\n  widths: [0.35, 0]\n", 4, 18, "DNAS004", "'search_space.widths[1]' must be above 0, got 0")]
    [InlineData("search_space:\n  widths: [5]\n", 4, 12, "DNAS004", "'search_space.widths[0]' must be between 0 and 4, got 5")]
    [InlineData("search_space:\n  widths: 0.5\n", 4, 11, "DNAS003", "'search_space.widths' must be a list of width multipliers, like [a, b], got '0.5'")]
    [InlineData("search_space:\n  kernels: [3, 4]\n", 4, 16, "DNAS004", "'search_space.kernels[1]' must be 3, 5 or 7")]
    [InlineData("search_space:\n  expansions: [0, 3]\n", 4, 16, "DNAS004", "'search_space.expansions[0]' must be between 1 and 16, got 0")]
    [InlineData("search_space:\n  depths: [1, 2, 3]\n", 4, 11, "DNAS004", "'search_space.depths' must have 7 entries, one per MobileNetV2 stage, got 3")]
    [InlineData("search_space:\n  depths: [2, 2, 3, 4, 3, 3, 1]\n", 4, 12, "DNAS004", "'search_space.depths[0]' must be 1: the first stage is a single block")]
    [InlineData("search_space:\n  depths: [1, [3, 2], 3, 4, 3, 3, 1]\n", 4, 15, "DNAS004", "'search_space.depths[1]' is [3, 2]: the minimum is above the maximum")]
    [InlineData("search_space:\n  depths: [1, [1, 2, 3], 3, 4, 3, 3, 1]\n", 4, 15, "DNAS003", "'search_space.depths[1]' must be a block count or [min, max], got a list of 3")]
    [InlineData("search_space:\n  depths: [1, 2, 3, 13, 3, 3, 1]\n", 4, 21, "DNAS004", "'search_space.depths[3]' must be between 1 and 12, got 13")]
    [InlineData("search_space:\n  depths: [1, 2, [2, x], 4, 3, 3, 1]\n", 4, 22, "DNAS003", "'search_space.depths[2][1]' must be an integer, got 'x'")]
    // supernet
    [InlineData("supernet:\n  sandwich: 1\n", 4, 13, "DNAS004", "'supernet.sandwich' must be between 2 and 64, got 1")]
    [InlineData("supernet:\n  epochs: 0\n", 4, 11, "DNAS004", "'supernet.epochs' must be above 0, got 0")]
    [InlineData("supernet:\n  steps: 10.5\n", 4, 10, "DNAS003", "'supernet.steps' must be an integer, got '10.5'")]
    [InlineData("supernet:\n  batch: [32]\n", 4, 10, "DNAS003", "'supernet.batch' must be an integer, got a list")]
    [InlineData("supernet:\n  learning_rate: -0.1\n", 4, 18, "DNAS004", "'supernet.learning_rate' must be between 0 and 10, got -0.1")]
    [InlineData("supernet:\n  distillation: yes\n", 4, 17, "DNAS003", "'supernet.distillation' must be true or false, got 'yes'")]
    [InlineData("supernet:\n  checkpoint_minutes: \"2\"\n", 4, 23, "DNAS003", "'supernet.checkpoint_minutes' must be a number, got the string \"2\"")]
    [InlineData("supernet:\n  learning-rate: 0.1\n", 4, 3, "DNAS002", "unknown key 'learning-rate' in supernet; did you mean 'learning_rate'?")]
    [InlineData("supernet: 3\n", 3, 11, "DNAS003", "'supernet' must be a mapping of keys to values, got '3'")]
    [InlineData("search_space: [32]\n", 3, 15, "DNAS003", "'search_space' must be a mapping of keys to values, got a list")]
    // search
    [InlineData("search: fast\n", 3, 9, "DNAS003", "'search' must be a mapping of keys to values, got 'fast'")]
    [InlineData("search:\n  mode: hardware\n", 4, 9, "DNAS008", "'search.mode' is 'hardware', which is not one of data-aware, hardware-aware")]
    [InlineData("search:\n  population: 1\n", 4, 15, "DNAS004", "'search.population' must be between 2 and 100000, got 1")]
    [InlineData("search:\n  generations: -1\n", 4, 16, "DNAS004", "'search.generations' must be between 0 and 1000000, got -1")]
    [InlineData("search:\n  time_budget_minutes: 0\n", 4, 24, "DNAS004", "'search.time_budget_minutes' must be above 0, got 0")]
    [InlineData("search:\n  objective: latency_ms\n", 4, 14, "DNAS008", "'search.objective' is 'latency_ms', which is not one of sram, flash, latency; did you mean 'latency'?")]
    [InlineData("search:\n  validation_images: -5\n", 4, 22, "DNAS004", "'search.validation_images' must be between 0 and 10000000, got -5")]
    [InlineData("search:\n  calibration_images: 0\n", 4, 23, "DNAS004", "'search.calibration_images' must be between 1 and 10000000, got 0")]
    [InlineData("search:\n  populaton: 8\n", 4, 3, "DNAS002", "unknown key 'populaton' in search; did you mean 'population'?")]
    [InlineData("search:\n  fixed_resolution: 64\n", 4, 3, "DNAS009", "key 'fixed_resolution' in search applies only to 'mode: hardware-aware'")]
    [InlineData("search:\n  mode: data-aware\n  fixed_color: rgb\n", 5, 3, "DNAS009", "key 'fixed_color' in search applies only to 'mode: hardware-aware'")]
    [InlineData("search:\n  mode: hardware-aware\n  fixed_resolution: 128\n", 5, 21, "DNAS004", "'search.fixed_resolution' (128) is above the side of the prepared store's images (96); lower it, or set 'data.resolution' to at least 128")]
    [InlineData("search:\n  mode: hardware-aware\n  fixed_color: grey\n", 5, 16, "DNAS008", "'search.fixed_color' is 'grey', which is not one of gray, rgb; did you mean 'gray'?")]
    // finetune
    [InlineData("finetune:\n  epochs: -1\n", 4, 11, "DNAS004", "'finetune.epochs' must be between 0 and 10000, got -1")]
    [InlineData("finetune:\n  batch: 0\n", 4, 10, "DNAS004", "'finetune.batch' must be between 1 and 4096, got 0")]
    [InlineData("finetune:\n  lr: 0.1\n", 4, 3, "DNAS002", "unknown key 'lr' in finetune")]
    // quantize
    [InlineData("quantize:\n  calibration_images: 0\n", 4, 23, "DNAS004", "'quantize.calibration_images' must be between 1 and 10000000, got 0")]
    [InlineData("quantize:\n  ranges: min-max\n", 4, 11, "DNAS008", "'quantize.ranges' is 'min-max', which is not one of minmax, percentile; did you mean 'minmax'?")]
    [InlineData("quantize:\n  ranges: percentile\n  percentile: 50\n", 5, 15, "DNAS004", "'quantize.percentile' must be above 50, got 50")]
    [InlineData("quantize:\n  ranges: percentile\n  percentile: 100.5\n", 5, 15, "DNAS004", "'quantize.percentile' must be between 50 and 100, got 100.5")]
    [InlineData("quantize:\n  percentile: 99.9\n", 4, 3, "DNAS009", "'quantize.percentile' applies only to 'ranges: percentile'")]
    [InlineData("quantize:\n  calibration_image: 10\n", 4, 3, "DNAS002", "unknown key 'calibration_image' in quantize; did you mean 'calibration_images'?")]
    public void BadValuesAreReportedWhereTheyAre(string yaml, int line, int column, string code, string text)
    {
        var d = Assert.Single(Errors(yaml));
        Assert.Equal(code, d.Code);
        Assert.Equal((line, column), (d.Line, d.Column));
        Assert.Contains(text, d.Message);
        Assert.StartsWith($"dnas.yaml({line},{column}): error {code}: ", d.ToString());
    }

    [Theory]
    [InlineData("search_space:\n  resolutions: [8, 9]\n  widths: [0.01]\n  depths: [1, 1, 1, 1, 1, 1, 1]\n  expansions: [1]\n")]
    [InlineData("search_space:\n  resolutions: [4096]\n  widths: [4]\n  depths: [1, 12, 12, 12, 12, 12, 12]\n  expansions: [16]\n  colors: [rgb]\n")]
    public void ExtremeSpacesAreCostedWithoutThrowing(string yaml)
    {
        var (config, errors) = ConfigSnippet.Check(yaml + "target:\n  board: esp32s3\n");
        Assert.All(errors, e => Assert.Equal(DiagnosticCodes.TargetTooSmall, e.Code));
        config.SearchSpace.ToSearchSpace();
    }

    [Fact]
    public void SeveralErrorsInOneSectionAreAllReported()
    {
        var errors = Errors("supernet:\n  batch: 0\n  sandwich: 1\n  distilation: true\n");
        Assert.Equal([4, 5, 6], errors.Select(e => e.Line));
        Assert.Contains("did you mean 'distillation'?", errors[2].Message);
    }

    [Fact]
    public void TheOptimiserIsChosenAndItsLearningRateDefaultsFollowIt()
    {
        var c = Parse("supernet:\n  optimizer: sgd\nfinetune:\n  optimizer: adam\n  learning_rate: 0.0005\nsearch:\n  scratch_steps: 12\n");
        Assert.Equal(OptimizerKind.Sgd, c.Supernet.Optimizer);
        Assert.Equal(0.02, c.Supernet.EffectiveLearningRate);
        Assert.Equal(OptimizerKind.Adam, c.Finetune.Optimizer);
        Assert.Equal(0.0005, c.Finetune.EffectiveLearningRate);
        Assert.Equal(12, c.Search.ScratchSteps);
        var d = Parse("supernet:\n  batch: 8\n");
        Assert.Equal(OptimizerKind.Adam, d.Supernet.Optimizer);
        Assert.Equal(0.002, d.Supernet.EffectiveLearningRate);
        Assert.Equal(0.001, d.Finetune.EffectiveLearningRate);

        var e = Assert.Single(Errors("supernet:\n  optimizer: adamw\n"));
        Assert.Equal("dnas.yaml(4,14): error DNAS008: 'supernet.optimizer' is 'adamw', which is not one of adam, sgd; did you mean 'adam'?", e.ToString());
    }
}
