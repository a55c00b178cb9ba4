using System.Globalization;
using System.Net;

namespace Chat.LoadGen;

public enum WireProtocol
{
    Json,
    MessagePack,
}

public enum WireTransport
{
    WebSockets,
    LongPolling,
}

/// <summary>Command-line options. Every value is bounded so that a run always ends by itself.</summary>
public sealed class LoadGenOptions
{
    public const int MaxUsers = 5000;
    public const int MaxDurationSeconds = 600;
    public const int MinPayloadBytes = 16;

    public static string Usage => """
        Chat.LoadGen: drives a running chat server over loopback and reports throughput, latency and delivery checks.

        Usage: dotnet Chat.LoadGen.dll [options]

          --url URL              server base address; the host must be localhost, 127.x.x.x or [::1]
                                 (default http://127.0.0.1:5080)
          --users N              connected clients, each its own user lg-RUN-i (default 200, at most 5000)
          --senders N            how many of the users send (default: all users)
          --rate R               target messages/s over all senders; 0 = as fast as possible, each sender
                                 keeping --inflight calls open (default 2000)
          --inflight N           open SendMessage calls per sender (default 1)
          --duration S           measured seconds, after the warm-up (default 30, at most 600)
          --warmup S             seconds of load before measuring, not counted (default 3)
          --payload B            payload size in bytes, at least 16 (default 100)
          --protocol P           json | messagepack (default json)
          --transport T          websockets | longpolling (default websockets)
          --group-size N         when > 0, users form groups of N and senders also send to their group
                                 (default 0)
          --group-share F        fraction of sends that go to the sender's group (default 0.1)
          --ack-every N          a receiver acknowledges after N envelopes... (default 50)
          --ack-interval-ms M    ...or every M milliseconds (default 100)
          --no-ack               receivers never acknowledge (no delivered receipts; mailboxes keep growing):
                                 isolates the send path
          --setup-parallelism N  parallel registrations, sign-ins and connects (default 16)
          --run-id ID            lowercase letters and digits naming this run's users (default: random)
          --password P           password of the generated users (default loadgen-password)
          --out FILE             also write the summary as JSON to FILE
          --token-cache FILE     reuse the access tokens stored in FILE (user, token, expiry per line) and store
                                 new ones there, so a rerun against the same server skips registration and
                                 password hashing (setup in seconds instead of a minute per 1,000 users)
          --pass-ratio F         pass rule: deliveries inside the window >= F x the offered rate (default 0.98)
          --pass-p99-ms M        pass rule: delivery p99 <= M ms (default 200)
          --mode M               load (default) | idle: open --connections idle hub connections for --users
                                 users and report the server's memory growth per connection (needs
                                 --watch server=PID) | offline: --senders users each send --per-sender messages to
                                 their own recipient, who is not connected (store rate); then the recipients
                                 connect and drain with FetchPending and Ack (drain rate); --users counts both
          --per-sender N         offline mode: messages per sender (default 10)
          --connections N        idle mode: connections to open (default 10000, at most 20000)
          --watch NAME=PID       report the CPU (cores) of PID and its child processes over the measured window,
                                 e.g. --watch server=1234 --watch postgres=987 (repeatable; the load generator
                                 itself is always reported)
          --help                 this text

        Exit code: 0 when every acknowledged send was received, 3 when some were missing, 1 on a setup failure,
        2 on bad arguments.
        """;

    public bool ShowHelp { get; private set; }

    public Uri Url { get; private set; } = new("http://127.0.0.1:5080");

    public int Users { get; private set; } = 200;

    public int Senders { get; private set; }

    public double Rate { get; private set; } = 2000;

    public int InFlight { get; private set; } = 1;

    public int DurationSeconds { get; private set; } = 30;

    public int WarmupSeconds { get; private set; } = 3;

    public int PayloadBytes { get; private set; } = 100;

    public WireProtocol Protocol { get; private set; } = WireProtocol.Json;

    public WireTransport Transport { get; private set; } = WireTransport.WebSockets;

    public int GroupSize { get; private set; }

    public double GroupShare { get; private set; } = 0.1;

    public int AckEvery { get; private set; } = 50;

    public int AckIntervalMs { get; private set; } = 100;

    public bool NoAck { get; private set; }

    public int SetupParallelism { get; private set; } = 16;

    public string RunId { get; private set; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 3);

    public string Password { get; private set; } = "loadgen-password";

    public string? OutFile { get; private set; }

    public string? TokenCache { get; private set; }

    public double PassRatio { get; private set; } = 0.98;

    public double PassP99Ms { get; private set; } = 200;

    public bool Offline { get; private set; }

    public bool Idle { get; private set; }

    public int Connections { get; private set; } = 10_000;

    public int PerSender { get; private set; } = 10;

    public Dictionary<string, int> Watch { get; } = new(StringComparer.Ordinal) { ["loadgen"] = Environment.ProcessId };

    /// <summary>Parses the arguments; throws <see cref="FormatException"/> with a readable message on a bad one.</summary>
    public static LoadGenOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadGenOptions();
        var sendersGiven = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h" or "-?")
            {
                options.ShowHelp = true;
                return options;
            }

            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--url":
                    options.Url = ParseUrl(Value());
                    break;
                case "--users":
                    options.Users = Int(name, Value(), 2, MaxUsers);
                    break;
                case "--senders":
                    options.Senders = Int(name, Value(), 1, MaxUsers);
                    sendersGiven = true;
                    break;
                case "--rate":
                    options.Rate = Double(name, Value(), 0, 1_000_000);
                    break;
                case "--inflight":
                    options.InFlight = Int(name, Value(), 1, 64);
                    break;
                case "--duration":
                    options.DurationSeconds = Int(name, Value(), 1, MaxDurationSeconds);
                    break;
                case "--warmup":
                    options.WarmupSeconds = Int(name, Value(), 0, 60);
                    break;
                case "--payload":
                    options.PayloadBytes = Int(name, Value(), MinPayloadBytes, 65_536);
                    break;
                case "--protocol":
                    options.Protocol = Value().ToUpperInvariant() switch
                    {
                        "JSON" => WireProtocol.Json,
                        "MESSAGEPACK" or "MSGPACK" => WireProtocol.MessagePack,
                        var other => throw new FormatException($"--protocol must be json or messagepack, not '{other}'."),
                    };
                    break;
                case "--transport":
                    options.Transport = Value().ToUpperInvariant() switch
                    {
                        "WEBSOCKETS" => WireTransport.WebSockets,
                        "LONGPOLLING" => WireTransport.LongPolling,
                        var other => throw new FormatException($"--transport must be websockets or longpolling, not '{other}'."),
                    };
                    break;
                case "--group-size":
                    options.GroupSize = Int(name, Value(), 0, 1024);
                    break;
                case "--group-share":
                    options.GroupShare = Double(name, Value(), 0, 1);
                    break;
                case "--ack-every":
                    options.AckEvery = Int(name, Value(), 1, 500);
                    break;
                case "--ack-interval-ms":
                    options.AckIntervalMs = Int(name, Value(), 10, 10_000);
                    break;
                case "--no-ack":
                    options.NoAck = true;
                    break;
                case "--setup-parallelism":
                    options.SetupParallelism = Int(name, Value(), 1, 256);
                    break;
                case "--run-id":
                    options.RunId = Value();
                    if (options.RunId.Length is < 1 or > 20 || !options.RunId.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9')))
                    {
                        throw new FormatException("--run-id must be 1 to 20 lowercase letters and digits.");
                    }

                    break;
                case "--password":
                    options.Password = Value();
                    if (options.Password.Length is < 8 or > 128)
                    {
                        throw new FormatException("--password must be 8 to 128 characters.");
                    }

                    break;
                case "--out":
                    options.OutFile = Value();
                    break;
                case "--token-cache":
                    options.TokenCache = Value();
                    break;
                case "--pass-ratio":
                    options.PassRatio = Double(name, Value(), 0, 1);
                    break;
                case "--pass-p99-ms":
                    options.PassP99Ms = Double(name, Value(), 1, 600_000);
                    break;
                case "--mode":
                    var mode = Value();
                    options.Offline = mode == "offline";
                    options.Idle = mode == "idle";
                    if (mode is not ("load" or "offline" or "idle"))
                    {
                        throw new FormatException($"--mode must be load, offline or idle, not '{mode}'.");
                    }

                    break;
                case "--connections":
                    options.Connections = Int(name, Value(), 1, 20_000);
                    break;
                case "--watch":
                    var watch = Value().Split('=', 2);
                    options.Watch[watch[0]] = watch.Length == 2 && int.TryParse(watch[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid > 0
                        ? pid
                        : throw new FormatException($"--watch takes NAME=PID, not '{string.Join('=', watch)}'.");
                    break;
                case "--per-sender":
                    options.PerSender = Int(name, Value(), 1, 1000);
                    break;
                default:
                    throw new FormatException($"unknown option '{name}' (see --help).");
            }
        }

        if (!sendersGiven)
        {
            options.Senders = options.Offline ? options.Users / 2 : options.Users;
        }
        else if (options.Senders > options.Users)
        {
            throw new FormatException("--senders cannot exceed --users.");
        }

        if (options.GroupSize == 1 || options.GroupSize > options.Users)
        {
            throw new FormatException("--group-size must be 0, or 2 to --users.");
        }

        return options;
    }

    /// <summary>Only loopback addresses: the generator must never load a server on another machine.</summary>
    public static bool IsLoopback(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var host = url.Host.TrimStart('[').TrimEnd(']');
        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }

    private static Uri ParseUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"--url '{value}' is not an http(s) address.");
        }

        if (!IsLoopback(url))
        {
            throw new FormatException($"--url '{value}' is not a loopback address (localhost, 127.x.x.x, [::1]); refusing to load another machine.");
        }

        return new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{name} must be an integer from {min} to {max}, not '{value}'.");

    private static double Double(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max
            ? d
            : throw new FormatException($"{name} must be a number from {min} to {max}, not '{value}'.");
}
