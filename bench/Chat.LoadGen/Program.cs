using Chat.LoadGen;

LoadGenOptions options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(LoadGenOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    if (options.Offline || options.Idle)
    {
        var run = new LoadRun(options, Console.Out);
        var summary = options.Offline ? await run.RunOfflineAsync(cancel.Token) : await run.RunIdleAsync(cancel.Token);
        Console.WriteLine();
        Console.WriteLine(summary);
        return summary.Contains("verdict     PASS", StringComparison.Ordinal) ? 0 : 3;
    }

    var report = await new LoadRun(options, Console.Out).RunAsync(cancel.Token);
    Console.WriteLine();
    Console.Write(report.ToText());
    if (options.OutFile is not null)
    {
        await File.WriteAllTextAsync(options.OutFile, report.ToJson());
        Console.WriteLine($"JSON written to {options.OutFile}");
    }

    return report.Check.Missing == 0 ? 0 : 3;
}
catch (LoadGenException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
