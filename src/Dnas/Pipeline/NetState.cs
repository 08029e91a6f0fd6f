using System.Runtime.InteropServices;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;

namespace Dnas.Pipeline;

/// <summary>A trained network on disk: every parameter and batch-norm running statistic by
/// name, and optionally the optimiser state and step of an unfinished training so it can be
/// resumed bit-exactly. Layout: magic <c>DNASNET1</c>, version, the network's description (a
/// key naming the architecture, checked on load), the training step, the optimiser's step
/// count, the named network arrays, then the optimiser's arrays (possibly none). Written
/// atomically.</summary>
public static class NetState
{
    private const long Magic = 0x3154_454E_5341_4E44; // "DNASNET1" little-endian
    private const int Version = 2;

    private static (string Name, float[] Values)[] Tensors(MobileNetV2 net)
    {
        var list = net.Parameters().Select(p => (p.Name, p.Value)).ToList();
        foreach (var l in net.ConvLayers())
        {
            list.Add((l.Gamma.Name + ".running_mean", l.RunningMean));
            list.Add((l.Gamma.Name + ".running_var", l.RunningVar));
        }
        return [.. list];
    }

    /// <summary>Writes <paramref name="net"/> (and the optimiser state when given) to <paramref name="path"/>.</summary>
    public static void Save(string path, string description, MobileNetV2 net, IOptimizer? optimizer = null, long step = 0)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(Magic); w.Write(Version); w.Write(description);
            w.Write(step); w.Write(optimizer?.Steps ?? 0);
            var tensors = Tensors(net);
            w.Write(tensors.Length);
            foreach (var (name, values) in tensors)
            {
                w.Write(name); w.Write(values.Length);
                w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
            var state = optimizer?.State ?? [];
            w.Write(state.Count);
            foreach (var values in state)
            {
                w.Write(values.Length);
                w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
        });
    }

    /// <summary>Loads a file written by <see cref="Save"/> into <paramref name="net"/> (and
    /// <paramref name="optimizer"/>, whose state the file must then hold); returns the training
    /// step. A file for another architecture or optimiser, another version or a damaged one is
    /// refused with an <see cref="InvalidDataException"/> naming the file, and nothing changes.</summary>
    public static long Load(string path, string description, MobileNetV2 net, IOptimizer? optimizer = null)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadInt64() != Magic) throw new InvalidDataException($"{path}: not a DnasToolchain network file");
            int version = r.ReadInt32();
            if (version != Version) throw new InvalidDataException($"{path}: network file version {version}, this build reads {Version}");
            string found = r.ReadString();
            if (found != description) throw new InvalidDataException($"{path}: holds network '{found}', expected '{description}'");
            long step = r.ReadInt64(), optimizerSteps = r.ReadInt64();
            var tensors = Tensors(net);
            int count = r.ReadInt32();
            if (count != tensors.Length) throw new InvalidDataException($"{path}: {count} tensors, expected {tensors.Length}");
            var loaded = new float[tensors.Length][];
            for (int i = 0; i < tensors.Length; i++)
            {
                string name = r.ReadString(); int length = r.ReadInt32();
                if (name != tensors[i].Name || length != tensors[i].Values.Length)
                    throw new InvalidDataException($"{path}: tensor {i} is {name}[{length}], expected {tensors[i].Name}[{tensors[i].Values.Length}]");
                loaded[i] = ReadArray(r, length);
            }
            int stateCount = r.ReadInt32();
            var state = optimizer?.State;
            float[][] states = [];
            if (state is not null)
            {
                if (stateCount != state.Count)
                    throw new InvalidDataException($"{path}: holds {stateCount} optimiser arrays, the configured optimiser has {state.Count} (was the optimiser changed?)");
                states = new float[stateCount][];
                for (int i = 0; i < stateCount; i++)
                {
                    int length = r.ReadInt32();
                    if (length != state[i].Length) throw new InvalidDataException($"{path}: optimiser array {i} has {length} values, expected {state[i].Length}");
                    states[i] = ReadArray(r, length);
                }
            }
            // Everything read and checked: only now change the network.
            for (int i = 0; i < tensors.Length; i++) loaded[i].CopyTo(tensors[i].Values, 0);
            if (optimizer is not null)
            {
                for (int i = 0; i < states.Length; i++) states[i].CopyTo(optimizer.State[i], 0);
                optimizer.Steps = optimizerSteps;
            }
            return step;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the file is cut short", e);
        }
    }

    internal static float[] ReadArray(BinaryReader r, int length)
    {
        if (length < 0 || length > r.BaseStream.Length / sizeof(float))
            throw new InvalidDataException($"an array of {length} values cannot be in this file");
        var values = new float[length];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
