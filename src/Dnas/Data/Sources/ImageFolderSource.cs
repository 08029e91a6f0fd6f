namespace Dnas.Data.Sources;

/// <summary>An image folder: one sub-folder per class (<c>person/</c>, <c>no_person/</c>), images
/// of any size in them (sub-folders included). The class list is the sorted (ordinal) folder
/// names unless the configuration gives one; then images in folders not on the list are bad
/// (label outside the class list) and a listed class without a folder is empty.
/// <para>Files with the extensions .jpg .jpeg .png .bmp .pgm .ppm (any case) are images; their
/// format is still decided by their content. Other files in class folders are bad (unknown
/// format). Hidden files and folders (name starting with '.') and files directly in the root are
/// ignored.</para></summary>
public sealed class ImageFolderSource : IDataSource
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm"];

    private readonly IReadOnlyList<string>? _classes;
    private List<(string Folder, string Relative, string Full)>? _files;

    public ImageFolderSource(string root, IReadOnlyList<string>? classes = null)
    {
        Root = Path.GetFullPath(root);
        _classes = classes;
    }

    public string Root { get; }

    public string Description => $"imagefolder {Root}";

    private List<(string Folder, string Relative, string Full)> Files()
    {
        if (_files != null) return _files;
        if (!Directory.Exists(Root))
            throw DataException.Unreadable(Root, $"image folder {Root} does not exist");
        var files = new List<(string, string, string)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(Root))
            {
                string folder = Path.GetFileName(dir);
                if (folder.StartsWith('.')) continue;
                Walk(dir, folder, files, 0);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataException.Unreadable(Root, $"cannot list image folder {Root}: {e.Message}", e);
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Item2, b.Item2));
        return _files = files;
    }

    /// <summary>Sub-folders deeper than this are taken for a symbolic-link loop.</summary>
    private const int MaxDepth = 64;

    private void Walk(string dir, string folder, List<(string, string, string)> files, int depth)
    {
        if (depth > MaxDepth)
            throw DataException.Unreadable(dir, $"folders nested deeper than {MaxDepth} levels under {Root} (a symbolic link loop?)");
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith('.')) continue;
            if (entry is DirectoryInfo sub) Walk(sub.FullName, folder, files, depth + 1);
            else files.Add((folder, Path.GetRelativePath(Root, entry.FullName).Replace('\\', '/'), entry.FullName));
        }
    }

    public void AddFingerprint(Fingerprint fingerprint)
    {
        fingerprint.Add("source", "imagefolder");
        fingerprint.Add("root", Root);
        fingerprint.Add("classes", _classes is null ? "(folders)" : string.Join("\n", _classes));
        foreach (var (_, relative, full) in Files())
        {
            fingerprint.Add("item", relative);
            fingerprint.AddFile(full);
        }
    }

    public SourceScan Scan(CancellationToken cancel = default)
    {
        var files = Files();
        IReadOnlyList<string> classes = _classes
            ?? files.Select(f => f.Folder).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Count; i++) index[classes[i]] = i;
        var items = new List<SourceItem>(files.Count);
        var bad = new List<BadItem>();
        foreach (var (folder, relative, full) in files)
        {
            cancel.ThrowIfCancellationRequested();
            if (!index.TryGetValue(folder, out int label))
            {
                bad.Add(new BadItem(relative, full, BadReason.LabelOutsideClasses,
                    $"folder '{folder}' is not in the class list ({string.Join(", ", classes)})"));
                continue;
            }
            var ext = Path.GetExtension(full).ToLowerInvariant();
            if (!Extensions.Contains(ext))
            {
                bad.Add(new BadItem(relative, full, BadReason.UnknownFormat,
                    $"'{(ext.Length == 0 ? "(no extension)" : ext)}' is not an image type read here ({string.Join(' ', Extensions)})"));
                continue;
            }
            items.Add(new FileItem(relative, full, label));
        }
        return new SourceScan(classes, items, bad);
    }
}
