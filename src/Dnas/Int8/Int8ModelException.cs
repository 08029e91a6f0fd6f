namespace Dnas.Int8;

/// <summary>A model the interpreter cannot run (unsupported operator or type, inconsistent
/// shapes); the message names the operator index and code, or the tensor.</summary>
public sealed class Int8ModelException(string message) : Exception(message);
