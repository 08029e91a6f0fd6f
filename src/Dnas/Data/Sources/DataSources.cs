using Dnas.Config;

namespace Dnas.Data.Sources;

/// <summary>Makes the <see cref="IDataSource"/> a <c>data:</c> section describes.</summary>
public static class DataSources
{
    /// <summary>REGISTRATION POINT for the built-in synthetic person / no-person scene generator
    /// (<c>source: synthetic</c>, the default). The generator source sets this once (e.g. from a
    /// static constructor or module initializer) to a factory that reads
    /// <see cref="DataConfig.Images"/>, <see cref="DataConfig.Seed"/> and
    /// <see cref="DataConfig.Classes"/>. Until then <c>source: synthetic</c> is a clear DNAS106
    /// error.</summary>
    public static Func<DataConfig, IDataSource>? Synthetic { get; set; }

    public static IDataSource Create(DataConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Source switch
        {
            DataSourceKind.ImageFolder => new ImageFolderSource(Require(config.Path, "path"), config.Classes),
            DataSourceKind.WakeVision when config.TfRecord is { } tf => new WakeVisionTfRecordSource(tf, config.Classes),
            DataSourceKind.WakeVision => new WakeVisionCsvSource(Require(config.Csv, "csv"), config.Path, config.Classes),
            DataSourceKind.MlperfTiny => new MlperfTinySource(Require(config.Path, "path"), config.Labels, config.RawSize, config.Classes),
            DataSourceKind.Idx => new IdxSource(Require(config.Path, "path"), config.Classes),
            DataSourceKind.Synthetic => Synthetic?.Invoke(config) ?? throw new DataException(Diagnostic.Error(DiagnosticCodes.SourceUnavailable,
                "the synthetic scene generator is not part of this build yet; set 'data.source' to imagefolder, wake-vision, mlperf-tiny or idx")),
            _ => throw new ArgumentOutOfRangeException(nameof(config), $"unknown data source {config.Source}"),
        };
    }

    private static string Require(string? value, string key) =>
        value ?? throw new ArgumentException($"data.{key} is not set (the configuration was not validated?)");
}
