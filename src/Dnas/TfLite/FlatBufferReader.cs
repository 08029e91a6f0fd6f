using System.Buffers.Binary;
using System.Text;

namespace Dnas.TfLite;

/// <summary>Bounds-checked access to a FlatBuffers buffer. Every offset and length is checked
/// against the buffer before it is used, so hostile bytes give a <see cref="TfLiteFormatException"/>
/// (never an index error, a hang or a huge allocation). The reader follows a fixed schema, so
/// there is no recursion an input could drive; and every decoded string or vector is charged to a
/// budget proportional to the file size, because offsets may point many tables at the same large
/// vector and decoding it once per reference would otherwise grow quadratically.</summary>
internal sealed class FlatBufferReader
{
    private readonly byte[] _data;
    private long _budget;

    public FlatBufferReader(byte[] data)
    {
        _data = data;
        _budget = 16L * data.Length + (1 << 20);
    }

    public byte[] Data => _data;
    public int Length => _data.Length;

    public void Check(long pos, long size, string what)
    {
        if (pos < 0 || size < 0 || pos > _data.Length || size > _data.Length - pos)
            throw new TfLiteFormatException($"{what} lies outside the file ({size} bytes at {pos}, file has {_data.Length})", Math.Max(pos, 0));
    }

    private void Charge(long bytes, long at, string what)
    {
        _budget -= bytes + 16;
        if (_budget < 0)
            throw new TfLiteFormatException($"{what}: the file refers to the same data too many times (decoded size exceeds 16x the file size)", at);
    }

    public byte U8(long pos, string what) { Check(pos, 1, what); return _data[pos]; }
    public ushort U16(long pos, string what) { Check(pos, 2, what); return BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan((int)pos)); }
    public int I32(long pos, string what) { Check(pos, 4, what); return BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan((int)pos)); }
    public uint U32(long pos, string what) { Check(pos, 4, what); return BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan((int)pos)); }
    public long I64(long pos, string what) { Check(pos, 8, what); return BinaryPrimitives.ReadInt64LittleEndian(_data.AsSpan((int)pos)); }
    public float F32(long pos, string what) { Check(pos, 4, what); return BinaryPrimitives.ReadSingleLittleEndian(_data.AsSpan((int)pos)); }

    /// <summary>Follows the uoffset stored at <paramref name="pos"/>.</summary>
    public long Follow(long pos, string what)
    {
        long target = pos + U32(pos, what);
        Check(target, 1, what);
        return target;
    }

    /// <summary>The table at <paramref name="pos"/>, its vtable checked.</summary>
    public FbTable Table(long pos, string what)
    {
        Charge(32, pos, what);
        long vtable = pos - I32(pos, what + " vtable offset");
        Check(vtable, 4, what + " vtable");
        int vtableSize = U16(vtable, what + " vtable size");
        int inlineSize = U16(vtable + 2, what + " table size");
        if (vtableSize < 4 || (vtableSize & 1) != 0)
            throw new TfLiteFormatException($"{what}: vtable size {vtableSize} is not an even number >= 4", vtable);
        if (inlineSize < 4)
            throw new TfLiteFormatException($"{what}: table size {inlineSize} is smaller than its vtable offset", vtable);
        Check(vtable, vtableSize, what + " vtable");
        Check(pos, inlineSize, what);
        return new FbTable(this, pos, vtable, vtableSize, inlineSize, what);
    }

    public FbTable RootTable(string what)
    {
        Check(0, 8, "the file header");
        return Table(Follow(0, what + " root offset"), what);
    }

    /// <summary>A vector at <paramref name="pos"/> (the position of its length) of
    /// <paramref name="elementSize"/>-byte elements: (first element position, count).</summary>
    public (long Start, int Count) Vector(long pos, int elementSize, string what)
    {
        uint count = U32(pos, what + " length");
        long bytes = (long)count * elementSize;
        Check(pos + 4, bytes, what);
        return (pos + 4, (int)count);
    }

    public string String(long pos, string what)
    {
        var (start, count) = Vector(pos, 1, what);
        Charge(count * 2L, pos, what);
        try { return new UTF8Encoding(false, true).GetString(_data, (int)start, count); }
        catch (DecoderFallbackException) { throw new TfLiteFormatException($"{what} is not valid UTF-8", start); }
    }

    public int[] Ints(long pos, string what)
    {
        var (start, count) = Vector(pos, 4, what);
        Charge(count * 4L, pos, what);
        var result = new int[count];
        for (int i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(_data.AsSpan((int)(start + 4L * i)));
        return result;
    }

    public float[] Floats(long pos, string what)
    {
        var (start, count) = Vector(pos, 4, what);
        Charge(count * 4L, pos, what);
        var result = new float[count];
        for (int i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(_data.AsSpan((int)(start + 4L * i)));
        return result;
    }

    public long[] Longs(long pos, string what)
    {
        var (start, count) = Vector(pos, 8, what);
        Charge(count * 8L, pos, what);
        var result = new long[count];
        for (int i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(_data.AsSpan((int)(start + 8L * i)));
        return result;
    }

    /// <summary>The tables of a vector of table offsets.</summary>
    public FbTable[] Tables(long pos, string what)
    {
        var (start, count) = Vector(pos, 4, what);
        Charge(count * 8L, pos, what);
        var result = new FbTable[count];
        for (int i = 0; i < count; i++)
            result[i] = Table(Follow(start + 4L * i, $"{what}[{i}]"), $"{what}[{i}]");
        return result;
    }
}

/// <summary>One table: field lookups through its vtable. A field id beyond the vtable, or a zero
/// entry, is an absent field (its default applies).</summary>
internal readonly struct FbTable(FlatBufferReader reader, long pos, long vtable, int vtableSize, int inlineSize, string what)
{
    public long Position => pos;
    public string What => what;

    /// <summary>Absolute position of field <paramref name="id"/> of <paramref name="size"/> bytes, or -1.</summary>
    public long Field(int id, int size, string name)
    {
        long entry = 4 + 2L * id;
        if (entry + 2 > vtableSize) return -1;
        int offset = reader.U16(vtable + entry, $"{what}.{name} vtable entry");
        if (offset == 0) return -1;
        if (offset + size > inlineSize)
            throw new TfLiteFormatException($"{what}.{name}: field at table offset {offset} ({size} bytes) runs past the table's {inlineSize} bytes", pos);
        return pos + offset;
    }

    public byte U8(int id, string name, byte dflt = 0) { long f = Field(id, 1, name); return f < 0 ? dflt : reader.U8(f, $"{what}.{name}"); }
    public sbyte I8(int id, string name, sbyte dflt = 0) => unchecked((sbyte)U8(id, name, unchecked((byte)dflt)));
    public bool Bool(int id, string name, bool dflt = false) => U8(id, name, dflt ? (byte)1 : (byte)0) != 0;
    public int I32(int id, string name, int dflt = 0) { long f = Field(id, 4, name); return f < 0 ? dflt : reader.I32(f, $"{what}.{name}"); }
    public uint U32(int id, string name, uint dflt = 0) { long f = Field(id, 4, name); return f < 0 ? dflt : reader.U32(f, $"{what}.{name}"); }
    public long I64(int id, string name, long dflt = 0) { long f = Field(id, 8, name); return f < 0 ? dflt : reader.I64(f, $"{what}.{name}"); }
    public ulong U64(int id, string name, ulong dflt = 0) => unchecked((ulong)I64(id, name, unchecked((long)dflt)));
    public float F32(int id, string name, float dflt = 0) { long f = Field(id, 4, name); return f < 0 ? dflt : reader.F32(f, $"{what}.{name}"); }

    /// <summary>Position of the object an offset field points at, or -1 when absent.</summary>
    public long Ref(int id, string name)
    {
        long f = Field(id, 4, name);
        return f < 0 ? -1 : reader.Follow(f, $"{what}.{name}");
    }

    public FbTable? Table(int id, string name) { long p = Ref(id, name); return p < 0 ? null : reader.Table(p, $"{what}.{name}"); }
    public string? String(int id, string name) { long p = Ref(id, name); return p < 0 ? null : reader.String(p, $"{what}.{name}"); }
    public int[]? Ints(int id, string name) { long p = Ref(id, name); return p < 0 ? null : reader.Ints(p, $"{what}.{name}"); }
    public float[]? Floats(int id, string name) { long p = Ref(id, name); return p < 0 ? null : reader.Floats(p, $"{what}.{name}"); }
    public long[]? Longs(int id, string name) { long p = Ref(id, name); return p < 0 ? null : reader.Longs(p, $"{what}.{name}"); }
    public FbTable[] Tables(int id, string name) { long p = Ref(id, name); return p < 0 ? [] : reader.Tables(p, $"{what}.{name}"); }

    /// <summary>A [ubyte] vector as a slice of the file (not copied).</summary>
    public ReadOnlyMemory<byte> Bytes(int id, string name)
    {
        long p = Ref(id, name);
        if (p < 0) return ReadOnlyMemory<byte>.Empty;
        var (start, count) = reader.Vector(p, 1, $"{what}.{name}");
        return new ReadOnlyMemory<byte>(reader.Data, (int)start, count);
    }
}
