using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dnas.Engine;
using Xunit;

namespace Dnas.Tests.Engine;

public class TensorTests
{
    private static unsafe long Address(Tensor t) => (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.Span));

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(300_000)]
    public void StorageStartsOnA64ByteBoundaryAndStaysThereWhenItGrows(int n)
    {
        var t = new Tensor(n);
        Assert.Equal(0, Address(t) % 64);
        Assert.All(t.Span.ToArray(), v => Assert.Equal(0f, v)); // new tensors are zero
        t.Reshape4(2, 3, n, 5); // grows
        Assert.Equal(0, Address(t) % 64);
        Assert.True(t.Capacity >= t.Length);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Assert.Equal(0, Address(t) % 64); // pinned: the collector does not move it
        int capacity = t.Capacity;
        t.Reshape2(1, 7); // shrinking keeps the storage
        Assert.Equal(capacity, t.Capacity);
    }

    [Fact]
    public void AWrappedArrayIsUsedAsItIs()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = new Tensor(data, 2, 3);
        t.Span[4] = 50;
        Assert.Equal(50, data[4]);
        Assert.Equal(6, t.Capacity);
    }
}
