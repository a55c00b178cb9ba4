using Chat.FaultTests.Load;
using Xunit.Abstractions;

namespace Chat.FaultTests.Cluster;

/// <summary>Writes a scenario's figures to the test output and appends them to a Markdown table (for docs/RELIABILITY.md).</summary>
public static class FaultReport
{
    /// <summary>CHAT_FAULTS_REPORT names the file; by default fault-report.md in the temp folder.</summary>
    public static string FilePath => Environment.GetEnvironmentVariable("CHAT_FAULTS_REPORT") is { Length: > 0 } path
        ? path
        : Path.Combine(Path.GetTempPath(), "chat-fault-report.md");

    private static readonly Lock FileLock = new();

    public static void Write(ITestOutputHelper output, string scenario, LoadFigures figures, string recovery)
    {
        output.WriteLine($"{scenario}: {figures}; {recovery}");
        var row = $"| {scenario} | {figures.Messages} | {figures.Attempts} | {figures.Answered} | {figures.RefusedOverloaded} / {figures.RefusedUnavailable} | " +
            $"{figures.Unanswered} | {figures.Retried} | {figures.ExpectedDeliveries} | {figures.Delivered} | {figures.Lost} | {figures.Duplicates} | " +
            $"{figures.SeqGaps} | {figures.Reconnects} | {recovery} |";
        lock (FileLock)
        {
            if (!File.Exists(FilePath))
            {
                File.WriteAllText(FilePath, $"Fault suite run of {DateTimeOffset.UtcNow:u} on {Environment.ProcessorCount} cores\n\n" +
                    "| Scenario | Messages | Attempts | Answered | Refused overloaded / unavailable | Unanswered attempts | Retried | Deliveries expected | Delivered | Lost | Duplicates | Seq gaps | Reconnects | Recovery |\n" +
                    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            }

            File.AppendAllText(FilePath, row + "\n");
        }
    }
}
