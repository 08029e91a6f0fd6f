using System.CommandLine;
using Dnas.TfLite;

namespace Dnas.Cli;

/// <summary><c>dnas inspect FILE.tflite [--json]</c>: operators, tensors, quantization, buffer
/// sizes, the arena estimate and the recorded data configuration of a TFLite model. A malformed
/// file is a data error: <c>FILE: error DNAS301: what, at which byte offset</c>, exit 1.</summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("file") { Description = "the .tflite model to inspect" };
        var json = new Option<bool>("--json") { Description = "print JSON instead of text" };
        var command = new Command("inspect", "Show a .tflite model: operators, tensors, quantization, buffer sizes, arena estimate, data configuration.")
        {
            file,
            json,
        };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(json), stdout, stderr));
        return command;
    }

    private static int Run(string path, bool json, TextWriter stdout, TextWriter stderr)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{path}: error DNAS302: cannot read the file: {e.Message}");
            return Program.DataError;
        }
        TfLiteInspection inspection;
        try { inspection = TfLiteInspection.Of(path, bytes); }
        catch (TfLiteFormatException e)
        {
            stderr.WriteLine($"{path}: error DNAS301: not a valid TFLite model: {e.Message}");
            return Program.DataError;
        }
        stdout.Write(json ? inspection.ToJson() + Environment.NewLine : inspection.ToText());
        return Program.Ok;
    }
}
