using Dnas.Config;
using Dnas.Data.Sources;

namespace Dnas.Data.Store;

/// <summary>The data stage as one call: configuration in, prepared store out.</summary>
public static class DataPreparation
{
    /// <summary>The store's default folder: <c>data</c> in the run folder (<c>output:</c>).</summary>
    public static string DefaultStoreDirectory(DnasConfig config) => Path.Combine(config.OutputDirectory, "data");

    public static StoreSettings Settings(DnasConfig config) =>
        new(config.StoreResolution, config.Data.Split, config.Data.Seed, config.Data.MaxBadFraction);

    /// <summary>Builds (or reuses) the store the configuration describes in
    /// <paramref name="storeDirectory"/> (default <see cref="DefaultStoreDirectory"/>). Data
    /// problems throw <see cref="DataException"/>.</summary>
    public static PrepareResult Prepare(DnasConfig config, string? storeDirectory = null,
        IProgress<PrepareProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var source = DataSources.Create(config.Data);
        return StoreBuilder.Prepare(source, Settings(config), storeDirectory ?? DefaultStoreDirectory(config), progress, cancel);
    }
}
