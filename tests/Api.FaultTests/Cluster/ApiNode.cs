using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.FaultTests.Cluster;

/// <summary>One server process (the Release build of src/Api) on a fixed loopback port, which it keeps across restarts.</summary>
public sealed class ApiNode : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _log;
    private Process? _process;

    public ApiNode(string name, string folder, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        Port = Shell.FreePort();
        _settings = settings;
        Directory.CreateDirectory(folder);
        _log = Path.Combine(folder, name + ".log");
        DataFolder = Path.Combine(folder, name);
    }

    public string Name { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public string DataFolder { get; }

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string AdminKey => _settings["Auth__AdminApiKey"];

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(_log)! };
        info.ArgumentList.Add(Paths.ServerDll);
        info.Environment["ASPNETCORE_URLS"] = Url;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Storage__DataDirectory"] = DataFolder;
        foreach (var (key, value) in _settings)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the server");
        var log = new StreamWriter(_log, append: true) { AutoFlush = true };
        await log.WriteLineAsync($"===== {Name} started, pid {process.Id} =====");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        if (!await Shell.EventuallyAsync(async () => await ReadyStatusAsync() == HttpStatusCode.OK, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250)))
        {
            throw new InvalidOperationException($"{Name} did not become ready; see {_log}");
        }
    }

    /// <summary>kill -9: no drain, no goodbye.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        process.Kill();
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a rolling deploy sends it; returns how long the node took to exit.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("not running");
        var started = Stopwatch.GetTimestamp();
        await Shell.SignalAsync(process.Id, 15);
        await process.WaitForExitAsync().WaitAsync(timeout);
        return Stopwatch.GetElapsedTime(started);
    }

    public async Task<HttpStatusCode> ReadyStatusAsync()
    {
        try
        {
            using var response = await Http.GetAsync(Url + "/health/ready");
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.BadGateway;
        }
        catch (TaskCanceledException)
        {
            return HttpStatusCode.GatewayTimeout;
        }
    }

    /// <summary>Whether this node's login gate admits new sessions (GET /admin/gate with the admin key).</summary>
    public async Task<bool> GateOpenAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url + "/admin/gate");
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var state = await response.Content.ReadFromJsonAsync<JsonElement>();
        return state.GetProperty("open").GetBoolean();
    }

    /// <summary>Requests queued in this node's worker pools (GET /admin/backlog).</summary>
    public async Task<long> BacklogAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url + "/admin/backlog");
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var backlog = await response.Content.ReadFromJsonAsync<JsonElement>();
        return backlog.GetProperty("totalQueued").GetInt64();
    }

    /// <summary>The lines this node has logged so far (all its runs).</summary>
    public string[] LogLines() => File.Exists(_log) ? File.ReadAllLines(_log) : [];

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
        catch (ObjectDisposedException)
        {
            // the process has exited
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
