namespace Dnas.Firmware;

/// <summary>The model cannot be turned into firmware (an unsupported operator or type, a
/// missing quantization, ...). The message names the file, operator and tensor and says what
/// to do.</summary>
public sealed class FirmwareException(string message, Exception? inner = null) : Exception(message, inner);
