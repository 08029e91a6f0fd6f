namespace Dnas.Tests.Engine;

/// <summary>Reader for the binary fixtures written by bench/pytorch/dump_*.py:
/// int32 header[16] (magic, version, ...), then tagged tensors (dtype, rank, dims, data).</summary>
public sealed class TorchFixture
{
    public const int Magic = 0x324E4D44; // 'DMN2'
    public const int Version = 1;

    public int[] Header { get; }
    public List<(int[] Shape, float[]? F, int[]? I)> Tensors { get; } = [];

    public TorchFixture(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        Header = new int[16];
        for (int i = 0; i < 16; i++) Header[i] = r.ReadInt32();
        if (Header[0] != Magic) throw new InvalidDataException($"{path}: bad magic 0x{Header[0]:X8}, expected 0x{Magic:X8}");
        if (Header[1] != Version) throw new InvalidDataException($"{path}: fixture version {Header[1]}, this test reads version {Version}; regenerate it");
        int count = Header[8];
        for (int t = 0; t < count; t++)
        {
            int dtype = r.ReadInt32(), rank = r.ReadInt32();
            var shape = new int[rank];
            long n = 1;
            for (int d = 0; d < rank; d++) { shape[d] = r.ReadInt32(); n *= shape[d]; }
            if (dtype == 0)
            {
                var f = new float[n];
                for (long i = 0; i < n; i++) f[i] = r.ReadSingle();
                Tensors.Add((shape, f, null));
            }
            else
            {
                var v = new int[n];
                for (long i = 0; i < n; i++) v[i] = r.ReadInt32();
                Tensors.Add((shape, null, v));
            }
        }
    }

    public float HeaderFloat(int index) => BitConverter.Int32BitsToSingle(Header[index]);

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
