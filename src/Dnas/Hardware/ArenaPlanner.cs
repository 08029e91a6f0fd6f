namespace Dnas.Hardware;

/// <summary>A buffer to place in the arena: its size and the inclusive range of op indices
/// during which it must hold its data (the op producing it to the last op reading it).
/// <paramref name="ReuseOf"/>, when set, is the index (in the same list) of a tensor whose
/// buffer this one takes over in place: it then gets that tensor's offset. The caller vouches
/// that the op may write its output over that input (an elementwise op whose input dies at
/// that op); the planner checks only that the lifetimes touch and the size fits.</summary>
public readonly record struct PlannedTensor(string Name, long Size, int FirstUse, int LastUse, int? ReuseOf = null);

/// <summary>Result of <see cref="ArenaPlanner.Plan"/>: one offset per input tensor (same
/// order) and the arena size in bytes (a multiple of the alignment).</summary>
public sealed record ArenaPlan(IReadOnlyList<long> Offsets, long ArenaBytes, int Alignment)
{
    public long OffsetOf(int tensor) => Offsets[tensor];
}

/// <summary>Static arena planning as TFLite Micro's GreedyMemoryPlanner does it: buffers
/// sorted by size (largest first), each placed at the lowest aligned offset where it overlaps
/// no already-placed buffer whose lifetime intersects its own. Tensors chained by
/// <see cref="PlannedTensor.ReuseOf"/> are planned as one buffer (the largest size, the union
/// of the lifetimes). Deterministic: ties are broken by first use, then by list order.</summary>
public static class ArenaPlanner
{
    public const int DefaultAlignment = 16;

    public static long Align(long size, int alignment) => (size + alignment - 1) / alignment * alignment;

    public static ArenaPlan Plan(IReadOnlyList<PlannedTensor> tensors, int alignment = DefaultAlignment)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "alignment must be a positive power of two");
        int n = tensors.Count;
        var root = new int[n];
        for (int i = 0; i < n; i++)
        {
            var t = tensors[i];
            if (t.Size < 0) throw new ArgumentException($"tensor {i} '{t.Name}': negative size {t.Size}");
            if (t.FirstUse < 0 || t.LastUse < t.FirstUse)
                throw new ArgumentException($"tensor {i} '{t.Name}': invalid lifetime [{t.FirstUse}, {t.LastUse}]");
            root[i] = i;
        }
        // Resolve in-place chains to the buffer that owns the storage.
        var reusedBy = new int[n];
        Array.Fill(reusedBy, -1);
        for (int i = 0; i < n; i++)
        {
            if (tensors[i].ReuseOf is not int src) continue;
            if (src < 0 || src >= n || src == i)
                throw new ArgumentException($"tensor {i} '{tensors[i].Name}': reuses invalid tensor index {src}");
            if (reusedBy[src] >= 0)
                throw new ArgumentException($"tensors '{tensors[reusedBy[src]].Name}' and '{tensors[i].Name}' both reuse '{tensors[src].Name}' in place");
            reusedBy[src] = i;
            var s = tensors[src];
            if (s.LastUse != tensors[i].FirstUse)
                throw new ArgumentException($"tensor {i} '{tensors[i].Name}' cannot reuse '{s.Name}' in place: " +
                    $"'{s.Name}' lives until op {s.LastUse} but '{tensors[i].Name}' is produced at op {tensors[i].FirstUse}");
            if (tensors[i].Size > s.Size)
                throw new ArgumentException($"tensor {i} '{tensors[i].Name}' ({tensors[i].Size} B) cannot reuse the smaller '{s.Name}' ({s.Size} B) in place");
        }
        for (int i = 0; i < n; i++) root[i] = Find(tensors, i, n);

        // One buffer per root: union lifetime, largest size.
        var size = new long[n];
        var first = new int[n];
        var last = new int[n];
        var isRoot = new bool[n];
        for (int i = 0; i < n; i++) { first[i] = int.MaxValue; last[i] = int.MinValue; }
        for (int i = 0; i < n; i++)
        {
            int r = root[i];
            isRoot[r] = true;
            size[r] = Math.Max(size[r], Align(tensors[i].Size, alignment));
            first[r] = Math.Min(first[r], tensors[i].FirstUse);
            last[r] = Math.Max(last[r], tensors[i].LastUse);
        }
        var order = Enumerable.Range(0, n).Where(i => isRoot[i])
            .OrderByDescending(i => size[i]).ThenBy(i => first[i]).ThenBy(i => i).ToArray();

        var offset = new long[n];
        var placed = new List<int>(order.Length);
        var live = new List<(long Start, long End)>();
        long arena = 0;
        foreach (int b in order)
        {
            live.Clear();
            foreach (int p in placed)
                if (first[p] <= last[b] && first[b] <= last[p] && size[p] > 0)
                    live.Add((offset[p], offset[p] + size[p]));
            live.Sort((x, y) => x.Start.CompareTo(y.Start));
            long candidate = 0;
            if (size[b] > 0)
            {
                foreach (var (start, end) in live)
                {
                    if (candidate + size[b] <= start) break;
                    candidate = Math.Max(candidate, end);
                }
            }
            offset[b] = candidate;
            placed.Add(b);
            arena = Math.Max(arena, candidate + size[b]);
        }
        var result = new long[n];
        for (int i = 0; i < n; i++) result[i] = offset[root[i]];
        return new ArenaPlan(result, arena, alignment);
    }

    private static int Find(IReadOnlyList<PlannedTensor> tensors, int i, int n)
    {
        int steps = 0;
        while (tensors[i].ReuseOf is int src)
        {
            i = src;
            if (++steps > n) throw new ArgumentException("in-place reuse forms a cycle");
        }
        return i;
    }

    /// <summary>Checks a plan: every offset aligned, every buffer inside the arena, and no two
    /// tensors with intersecting lifetimes overlapping in memory unless one reuses the other
    /// (directly or through a chain). Returns the problems found (empty when the plan is valid).</summary>
    public static IReadOnlyList<string> Verify(IReadOnlyList<PlannedTensor> tensors, ArenaPlan plan)
    {
        var problems = new List<string>();
        int n = tensors.Count;
        if (plan.Offsets.Count != n) { problems.Add($"plan has {plan.Offsets.Count} offsets for {n} tensors"); return problems; }
        var root = new int[n];
        for (int i = 0; i < n; i++) root[i] = Find(tensors, i, n);
        for (int i = 0; i < n; i++)
        {
            long o = plan.Offsets[i];
            if (o < 0 || o % plan.Alignment != 0) problems.Add($"'{tensors[i].Name}': offset {o} not aligned to {plan.Alignment}");
            if (o + tensors[i].Size > plan.ArenaBytes) problems.Add($"'{tensors[i].Name}': [{o}, {o + tensors[i].Size}) exceeds the arena of {plan.ArenaBytes} B");
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                var a = tensors[i]; var b = tensors[j];
                if (a.Size == 0 || b.Size == 0 || root[i] == root[j]) continue;
                bool timeOverlap = a.FirstUse <= b.LastUse && b.FirstUse <= a.LastUse;
                long ao = plan.Offsets[i], bo = plan.Offsets[j];
                bool memOverlap = ao < bo + b.Size && bo < ao + a.Size;
                if (timeOverlap && memOverlap)
                    problems.Add($"'{a.Name}' [{ao}, {ao + a.Size}) ops {a.FirstUse}-{a.LastUse} overlaps '{b.Name}' [{bo}, {bo + b.Size}) ops {b.FirstUse}-{b.LastUse}");
            }
        return problems;
    }
}
