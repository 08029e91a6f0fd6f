namespace Dnas.Engine;

/// <summary>A range of work the engine splits across threads: one small struct per kernel,
/// so dispatch allocates nothing (the System.Numerics.Tensors operator-struct pattern).</summary>
public interface IRangeOp
{
    void Run(int start, int end);
}

/// <summary>A tiny fork-join pool for the engine's kernels. The range is cut into one
/// contiguous part per thread, always the same way for the same count and thread count,
/// so results are bit-identical run to run. Worker threads spin briefly between kernels
/// (a training step dispatches hundreds of small kernels) and then sleep.</summary>
public static class Workers
{
    private interface IJob { void Execute(int part, int parts, int count); }

    private sealed class Job<T> : IJob where T : struct, IRangeOp
    {
        public static readonly Job<T> Instance = new();
        public T Op;
        public void Execute(int part, int parts, int count)
        {
            long s = (long)count * part / parts, e = (long)count * (part + 1) / parts;
            if (e > s) Op.Run((int)s, (int)e);
        }
    }

    private const int SpinLimit = 4000;
    private static readonly object Gate = new();
    private static readonly object DispatchLock = new();
    private static int _threads = DefaultThreads();
    private static Thread[]? _pool;
    private static IJob? _job;
    private static int _parts, _count, _pending;
    private static long _generation;
    private static Exception? _failure;
    [ThreadStatic] private static bool _inside;

    private static int DefaultThreads()
    {
        var env = Environment.GetEnvironmentVariable("DNAS_THREADS");
        if (int.TryParse(env, out int t) && t > 0) return t;
        return Math.Max(1, Environment.ProcessorCount);
    }

    /// <summary>Threads used by the engine (default: DNAS_THREADS or the processor count).</summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), "thread count must be at least 1");
            lock (DispatchLock) { _threads = value; }
        }
    }

    /// <summary>Runs <paramref name="op"/> over [0, count) split into at most
    /// <see cref="Threads"/> parts of at least <paramref name="minPerPart"/> items each.</summary>
    public static void For<T>(int count, in T op, int minPerPart = 1) where T : struct, IRangeOp
    {
        if (count <= 0) return;
        int parts = Math.Min(_threads, Math.Max(1, count / Math.Max(1, minPerPart)));
        if (parts <= 1 || _inside)
        {
            op.Run(0, count);
            return;
        }
        lock (DispatchLock)
        {
            parts = Math.Min(parts, _threads);
            EnsurePool(_threads - 1);
            var job = Job<T>.Instance;
            job.Op = op;
            _job = job;
            _parts = parts;
            _count = count;
            _failure = null;
            // Every pool thread reports back for every dispatch, even those with no part,
            // so no worker can lag a generation behind and see a later job's settings.
            Volatile.Write(ref _pending, _pool!.Length);
            lock (Gate)
            {
                _generation++;
                Monitor.PulseAll(Gate);
            }
            _inside = true;
            try { job.Execute(0, parts, count); }
            finally
            {
                _inside = false;
                var sw = new SpinWait();
                while (Volatile.Read(ref _pending) > 0) sw.SpinOnce(-1);
                job.Op = default;
                _job = null;
            }
            if (_failure is { } f) throw new AggregateException("an engine worker failed", f);
        }
    }

    private static void EnsurePool(int workers)
    {
        if (_pool != null && _pool.Length >= workers) return;
        var old = _pool ?? [];
        var pool = new Thread[workers];
        Array.Copy(old, pool, old.Length);
        for (int i = old.Length; i < workers; i++)
        {
            int index = i + 1;
            long start = Volatile.Read(ref _generation); // captured before the next dispatch bumps it
            pool[i] = new Thread(() => WorkerLoop(index, start)) { IsBackground = true, Name = $"dnas-engine-{index}" };
            pool[i].Start();
        }
        _pool = pool;
    }

    private static void WorkerLoop(int index, long seen)
    {
        _inside = true;
        while (true)
        {
            // SpinWait (not Thread.SpinWait) yields the core now and then: when the machine is
            // oversubscribed, a pure busy-wait here starves the very thread whose part the
            // dispatcher is waiting for, and every kernel call pays a whole scheduler slice.
            var spin = new SpinWait();
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen)
            {
                if (++spins < SpinLimit) spin.SpinOnce(sleep1Threshold: -1);
                else lock (Gate) { while (Volatile.Read(ref _generation) == seen) Monitor.Wait(Gate); }
            }
            seen = Volatile.Read(ref _generation);
            int parts = _parts;
            try { if (index < parts) _job!.Execute(index, parts, _count); }
            catch (Exception e) { _failure = e; }
            Interlocked.Decrement(ref _pending);
        }
    }
}
