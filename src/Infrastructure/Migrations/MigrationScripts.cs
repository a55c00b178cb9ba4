namespace Chat.Infrastructure.Migrations;

/// <summary>The SQL files under migrations/, copied beside the binaries; applied in file-name order.</summary>
public static class MigrationScripts
{
    public static string Root { get; set; } = Path.Combine(AppContext.BaseDirectory, "migrations");

    public static IReadOnlyList<(string Version, string Sql)> Load(string folder)
    {
        var directory = Path.Combine(Root, folder);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Migration folder '{directory}' is missing; it ships with the binaries.");
        }

        return Directory.GetFiles(directory, "*.sql")
            .Order(StringComparer.Ordinal)
            .Select(path => ($"{folder}/{Path.GetFileNameWithoutExtension(path)}", File.ReadAllText(path)))
            .ToList();
    }
}
