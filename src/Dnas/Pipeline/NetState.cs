using Dnas.Engine;
using Dnas.Engine.Models;
using Dnas.Engine.Optim;

namespace Dnas.Pipeline;

/// <summary>A trained network on disk: every parameter and batch-norm running statistic by
/// name, and optionally the SGD momentum and step count of an unfinished training so it can be
/// resumed bit-exactly. Layout: magic <c>DNASNET1</c>, version, the network's description (a
/// key naming the architecture, checked on load), the step, then named float arrays.
/// Written atomically.</summary>
public static class NetState
{
    private const long Magic = 0x3154_454E_5341_4E44; // "DNASNET1" little-endian
    private const int Version = 1;

    private static IEnumerable<(string Name, float[] Values)> Tensors(MobileNetV2 net, Sgd? sgd)
    {
        var ps = net.Parameters().ToArray();
        foreach (var p in ps) yield return (p.Name, p.Value);
        foreach (var l in net.ConvLayers())
        {
            yield return (l.Gamma.Name + ".running_mean", l.RunningMean);
            yield return (l.Gamma.Name + ".running_var", l.RunningVar);
        }
        if (sgd is null) yield break;
        for (int i = 0; i < ps.Length; i++) yield return (ps[i].Name + ".momentum", sgd.State[i]);
    }

    /// <summary>Writes <paramref name="net"/> (and the optimiser state when given) to <paramref name="path"/>.</summary>
    public static void Save(string path, string description, MobileNetV2 net, Sgd? sgd = null, long step = 0)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(Magic); w.Write(Version); w.Write(description);
            w.Write(step); w.Write(sgd is not null); w.Write(sgd?.Started ?? false);
            var tensors = Tensors(net, sgd).ToArray();
            w.Write(tensors.Length);
            foreach (var (name, values) in tensors)
            {
                w.Write(name); w.Write(values.Length);
                w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            }
        });
    }

    /// <summary>Loads a file written by <see cref="Save"/> into <paramref name="net"/> (and
    /// <paramref name="sgd"/>, which the file must then hold); returns the step. A file for
    /// another architecture, another version or a damaged one is refused with an
    /// <see cref="InvalidDataException"/> naming the file, and nothing is changed.</summary>
    public static long Load(string path, string description, MobileNetV2 net, Sgd? sgd = null)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadInt64() != Magic) throw new InvalidDataException($"{path}: not a DnasToolchain network file");
            int version = r.ReadInt32();
            if (version != Version) throw new InvalidDataException($"{path}: network file version {version}, this build reads {Version}");
            string found = r.ReadString();
            if (found != description) throw new InvalidDataException($"{path}: holds network '{found}', expected '{description}'");
            long step = r.ReadInt64();
            bool hasSgd = r.ReadBoolean(), started = r.ReadBoolean();
            if (sgd is not null && !hasSgd) throw new InvalidDataException($"{path}: holds no optimiser state to resume from");
            var tensors = Tensors(net, sgd).ToArray();
            int count = r.ReadInt32();
            int expected = tensors.Length + (sgd is null && hasSgd ? net.Parameters().Count() : 0);
            if (count != expected) throw new InvalidDataException($"{path}: {count} tensors, expected {expected}");
            var loaded = new float[tensors.Length][];
            for (int i = 0; i < tensors.Length; i++)
            {
                string name = r.ReadString(); int length = r.ReadInt32();
                if (name != tensors[i].Name || length != tensors[i].Values.Length)
                    throw new InvalidDataException($"{path}: tensor {i} is {name}[{length}], expected {tensors[i].Name}[{tensors[i].Values.Length}]");
                loaded[i] = new float[length];
                r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(loaded[i].AsSpan()));
            }
            // Everything read and checked: only now change the network.
            for (int i = 0; i < tensors.Length; i++) loaded[i].CopyTo(tensors[i].Values, 0);
            if (sgd is not null) sgd.Started = started;
            return step;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the file is cut short", e);
        }
    }
}
