using System.Text.Json;
using Dnas.Int8;
using Dnas.Tests.Data;
using Dnas.Tests.TfLite;
using Dnas.TfLite;
using Xunit;

namespace Dnas.Tests.Cli;

public sealed class InspectCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly TfLiteDataConfig Config = new(16, "gray", 1f / 128, -1, TfLiteDataConfig.DefaultPreprocessing, ["no_person", "person"]);

    public void Dispose() => _dir.Dispose();

    private (string Path, TfLiteModel Model) Written()
    {
        var model = TfLiteTestModels.SmallInt8Net(31, size: 16, channels: 1, classes: 2, config: Config);
        return (_dir.Write("net.tflite", TfLiteWriter.Write(model)), model);
    }

    [Fact]
    public void TextShowsOperatorsTensorsArenaAndDataConfig()
    {
        var (path, model) = Written();
        var (code, stdout, stderr) = CliRunner.Run("inspect", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("CONV_2D v3", stdout);
        Assert.Contains("DEPTHWISE_CONV_2D v3", stdout);
        Assert.Contains("FULLY_CONNECTED v4", stdout);
        Assert.Contains("SOFTMAX v2", stdout);
        Assert.Contains("stem/weights [8,3,3,1] INT8  8 scales / 8 zero points on dim 0  buffer", stdout);
        Assert.Contains("softmax [1,2] INT8  scale 0.00390625 zp -128", stdout);
        Assert.Contains($"arena estimate: {Int8Interpreter.PlanMemory(model).ArenaBytes} bytes", stdout);
        Assert.Contains("data configuration: 16x16 gray, input scale 0.0078125 zero point -1, preprocessing centre-crop,area-resize, labels [no_person, person]", stdout);
    }

    [Fact]
    public void JsonCarriesTheSameFacts()
    {
        var (path, model) = Written();
        var (code, stdout, stderr) = CliRunner.Run("inspect", path, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(model.SubGraph.Operators.Count, root.GetProperty("operators").GetArrayLength());
        Assert.Equal(model.SubGraph.Tensors.Count, root.GetProperty("tensors").GetArrayLength());
        Assert.Equal(Int8Interpreter.PlanMemory(model).ArenaBytes, root.GetProperty("arena_bytes").GetInt64());
        Assert.Equal(16, root.GetProperty("data_config").GetProperty("resolution").GetInt32());
        var stem = root.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "stem/weights");
        Assert.Equal(8, stem.GetProperty("scale_count").GetInt32());
        Assert.Equal(72, stem.GetProperty("data_bytes").GetInt64());
    }

    [Fact]
    public void MalformedFileIsADataErrorNamingTheFile()
    {
        var (path, _) = Written();
        var bytes = File.ReadAllBytes(path);
        string truncated = _dir.Write("truncated.tflite", bytes[..(bytes.Length / 3)]);
        var (code, stdout, stderr) = CliRunner.Run("inspect", truncated);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"{truncated}: error DNAS301: ", stderr);
        Assert.Contains("byte offset", stderr);
        var (missingCode, _, missingErr) = CliRunner.Run("inspect", _dir["absent.tflite"]);
        Assert.Equal(1, missingCode);
        Assert.Contains("error DNAS302", missingErr);
    }

    [Fact]
    public void MissingArgumentIsAUsageError() => Assert.Equal(2, CliRunner.Run("inspect").Code);

    [Fact]
    [Trait("Category", "SharedAssets")]
    public void RealModelShowsPerChannelQuantizationOnDimension3()
    {
        var (code, stdout, stderr) = CliRunner.Run("inspect", TfLiteTestModels.SharedModel("person_detect.tflite"));
        Assert.True(code == 0, stderr);
        Assert.Contains("DEPTHWISE_CONV_2D v3", stdout);
        Assert.Contains("MobilenetV1/Conv2d_0/weights/read [1,3,3,8] INT8  8 scales / 8 zero points on dim 3", stdout);
        Assert.Contains("arena estimate: 55296 bytes", stdout);
    }
}
