using System.Reflection;

namespace Chat.FaultTests.Cluster;

/// <summary>Where the repository, the server build and the load balancer template are.</summary>
public static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The server built from src/Api in this test project's configuration (the project reference builds it).</summary>
    public static string ServerDll
    {
        get
        {
            var configuration = typeof(Paths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "Configuration").Value;
            var path = Path.Combine(RepositoryRoot, "src", "Api", "bin", configuration!, "net10.0", "Chat.Api.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"no server build at {path}");
        }
    }

    public static string NginxTemplate => Path.Combine(RepositoryRoot, "scripts", "nginx", "chat-lb.conf.template");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Api.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Api.sln not found above " + AppContext.BaseDirectory);
    }
}
