using System.Buffers.Binary;
using System.Text;

namespace Dnas.TfLite;

/// <summary>A FlatBuffers object tree to serialize: tables, vectors and strings. Built in code,
/// then <see cref="FlatBufferBuilder.Finish"/> lays it out front to back in pre-order (every
/// parent before its children), so every uoffset points forward as the format requires; each
/// table's vtable sits just before it. Positions are absolute in the file, so alignment holds
/// for a file loaded at a 16-byte aligned address.</summary>
internal abstract class FbNode;

internal sealed class FbTableNode : FbNode
{
    // (field id, size in bytes, little-endian value bytes) or (field id, child) for offsets.
    internal readonly List<(int Id, byte[] Scalar)> Scalars = [];
    internal readonly List<(int Id, FbNode Child)> Offsets = [];

    private FbTableNode Scalar(int id, Span<byte> bytes) { Scalars.Add((id, bytes.ToArray())); return this; }
    public FbTableNode U8(int id, byte v) => Scalar(id, [v]);
    public FbTableNode I8(int id, sbyte v) => Scalar(id, [unchecked((byte)v)]);
    public FbTableNode Bool(int id, bool v) => Scalar(id, [v ? (byte)1 : (byte)0]);
    public FbTableNode I32(int id, int v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return Scalar(id, b); }
    public FbTableNode U32(int id, uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); return Scalar(id, b); }
    public FbTableNode I64(int id, long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return Scalar(id, b); }
    public FbTableNode F32(int id, float v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return Scalar(id, b); }
    public FbTableNode Ref(int id, FbNode? child) { if (child != null) Offsets.Add((id, child)); return this; }
}

/// <summary>A vector of scalars stored as raw little-endian bytes.</summary>
internal sealed class FbScalarVector(byte[] bytes, int elementSize, int alignment) : FbNode
{
    public byte[] Bytes => bytes;
    public int ElementSize => elementSize;
    public int Alignment => Math.Max(alignment, 4);

    public static FbScalarVector Of(ReadOnlySpan<int> values)
    {
        var b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), values[i]);
        return new(b, 4, 4);
    }

    public static FbScalarVector Of(ReadOnlySpan<float> values)
    {
        var b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return new(b, 4, 4);
    }

    public static FbScalarVector Of(ReadOnlySpan<long> values)
    {
        var b = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8 * i), values[i]);
        return new(b, 8, 8);
    }

    public static FbScalarVector OfBytes(ReadOnlySpan<byte> values, int alignment) => new(values.ToArray(), 1, alignment);
}

internal sealed class FbTableVector(IReadOnlyList<FbNode> items) : FbNode
{
    public IReadOnlyList<FbNode> Items => items;
}

internal sealed class FbString(string text) : FbNode
{
    public string Text => text;
}

internal static class FlatBufferBuilder
{
    /// <summary>Serializes <paramref name="root"/> with the 4-byte <paramref name="identifier"/>.</summary>
    public static byte[] Finish(FbTableNode root, string identifier)
    {
        if (identifier.Length != 4) throw new ArgumentException("a file identifier has 4 characters", nameof(identifier));
        var w = new Writer();
        w.Grow(8);
        Encoding.ASCII.GetBytes(identifier, w.Span(4, 4));
        long rootPos = w.Place(root);
        w.PatchOffset(0, rootPos);
        return w.ToArray();
    }

    private sealed class Writer
    {
        private byte[] _buf = new byte[1024];
        private long _len;

        public Span<byte> Span(long pos, int len) => _buf.AsSpan((int)pos, len);

        public void Grow(long bytes)
        {
            long need = _len + bytes;
            if (need > int.MaxValue - 64) throw new InvalidOperationException("flatbuffer larger than 2 GB");
            if (need > _buf.Length) Array.Resize(ref _buf, (int)Math.Min(int.MaxValue - 64, Math.Max(need, 2L * _buf.Length)));
            _len = need;
        }

        /// <summary>Pads so that <c>position + <paramref name="prefix"/></c> is a multiple of <paramref name="alignment"/>.</summary>
        private void AlignAfter(int prefix, int alignment)
        {
            long pad = (alignment - (_len + prefix) % alignment) % alignment;
            Grow(pad);
        }

        public void PatchOffset(long at, long target) => BinaryPrimitives.WriteUInt32LittleEndian(Span(at, 4), checked((uint)(target - at)));

        public byte[] ToArray() => _buf.AsSpan(0, (int)_len).ToArray();

        /// <summary>Writes <paramref name="node"/> then its children; returns the node's position.</summary>
        public long Place(FbNode node) => node switch
        {
            FbTableNode t => PlaceTable(t),
            FbScalarVector v => PlaceScalars(v),
            FbTableVector v => PlaceTables(v),
            FbString s => PlaceString(s),
            _ => throw new InvalidOperationException(node.GetType().Name),
        };

        private long PlaceString(FbString s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s.Text);
            AlignAfter(0, 4);
            long pos = _len;
            Grow(4 + bytes.Length + 1);
            BinaryPrimitives.WriteInt32LittleEndian(Span(pos, 4), bytes.Length);
            bytes.CopyTo(Span(pos + 4, bytes.Length));
            _buf[pos + 4 + bytes.Length] = 0;
            return pos;
        }

        private long PlaceScalars(FbScalarVector v)
        {
            AlignAfter(4, v.Alignment);
            long pos = _len;
            Grow(4 + v.Bytes.Length);
            BinaryPrimitives.WriteInt32LittleEndian(Span(pos, 4), v.Bytes.Length / v.ElementSize);
            v.Bytes.CopyTo(Span(pos + 4, v.Bytes.Length));
            return pos;
        }

        private long PlaceTables(FbTableVector v)
        {
            AlignAfter(0, 4);
            long pos = _len;
            Grow(4 + 4L * v.Items.Count);
            BinaryPrimitives.WriteInt32LittleEndian(Span(pos, 4), v.Items.Count);
            for (int i = 0; i < v.Items.Count; i++) PatchOffset(pos + 4 + 4L * i, Place(v.Items[i]));
            return pos;
        }

        private long PlaceTable(FbTableNode t)
        {
            int maxId = -1;
            foreach (var (id, _) in t.Scalars) maxId = Math.Max(maxId, id);
            foreach (var (id, _) in t.Offsets) maxId = Math.Max(maxId, id);
            int vtableSize = 4 + 2 * (maxId + 1);
            // Inline layout: soffset, then fields largest first so each is naturally aligned.
            var fields = new List<(int Id, int Size, byte[]? Scalar, FbNode? Child)>();
            foreach (var (id, s) in t.Scalars) fields.Add((id, s.Length, s, null));
            foreach (var (id, c) in t.Offsets) fields.Add((id, 4, null, c));
            fields.Sort((a, b) => a.Size != b.Size ? b.Size.CompareTo(a.Size) : a.Id.CompareTo(b.Id));
            var fieldOffsets = new int[fields.Count];
            int inline = 4;
            bool has8 = fields.Count > 0 && fields[0].Size == 8;
            if (has8) inline = 8; // the table starts 8-aligned minus nothing: keep 8-byte fields aligned
            for (int i = 0; i < fields.Count; i++)
            {
                inline = (inline + fields[i].Size - 1) / fields[i].Size * fields[i].Size;
                fieldOffsets[i] = inline;
                inline += fields[i].Size;
            }
            inline = (inline + 3) / 4 * 4;

            AlignAfter(0, 2);
            long vtable = _len;
            Grow(vtableSize);
            AlignAfter(0, has8 ? 8 : 4);
            long table = _len;
            Grow(inline);
            BinaryPrimitives.WriteUInt16LittleEndian(Span(vtable, 2), checked((ushort)vtableSize));
            BinaryPrimitives.WriteUInt16LittleEndian(Span(vtable + 2, 2), checked((ushort)inline));
            BinaryPrimitives.WriteInt32LittleEndian(Span(table, 4), checked((int)(table - vtable)));
            for (int i = 0; i < fields.Count; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(Span(vtable + 4 + 2 * fields[i].Id, 2), checked((ushort)fieldOffsets[i]));
                if (fields[i].Scalar is { } s) s.CopyTo(Span(table + fieldOffsets[i], s.Length));
            }
            for (int i = 0; i < fields.Count; i++)
                if (fields[i].Child is { } child) PatchOffset(table + fieldOffsets[i], Place(child));
            return table;
        }
    }
}
