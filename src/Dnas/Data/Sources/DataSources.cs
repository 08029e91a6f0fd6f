using Dnas.Config;

namespace Dnas.Data.Sources;

/// <summary>Makes the <see cref="IDataSource"/> a <c>data:</c> section describes.</summary>
public static class DataSources
{
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
            DataSourceKind.Synthetic => new SyntheticSource(config.Images, config.Seed, config.Classes),
            _ => throw new ArgumentOutOfRangeException(nameof(config), $"unknown data source {config.Source}"),
        };
    }

    private static string Require(string? value, string key) =>
        value ?? throw new ArgumentException($"data.{key} is not set (the configuration was not validated?)");
}
