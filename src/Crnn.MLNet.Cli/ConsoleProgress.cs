using Spectre.Console;

namespace Crnn.MLNet.Cli;

/// <summary>
/// Runs long work with a live Spectre.Console progress bar on a terminal, or plain lines (no
/// escape codes) when stderr is redirected, as in CI logs.
/// </summary>
internal sealed class ConsoleProgress
{
    /// <summary>Least time between two unlogged status lines in plain (non-terminal) output.</summary>
    public static readonly TimeSpan PlainStatusInterval = TimeSpan.FromSeconds(30);

    private readonly TextWriter writer;
    private readonly bool interactive;

    public ConsoleProgress(TextWriter writer)
    {
        this.writer = writer;
        interactive = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected
            && Environment.GetEnvironmentVariable("CI") is null or "" or "false";
    }

    /// <summary>Runs <paramref name="work"/>, giving it a reporter: (fraction done in [0,1], status line, whether to also log the line).</summary>
    public T Run<T>(string title, Func<Action<double, string, bool>, T> work)
    {
        if (!interactive)
        {
            writer.WriteLine(title);
            // In a log, status lines appear at most every PlainStatusInterval (long runs still show they are alive).
            var sinceStatus = System.Diagnostics.Stopwatch.StartNew();
            return work((_, line, log) =>
            {
                if (log || sinceStatus.Elapsed >= PlainStatusInterval)
                {
                    writer.WriteLine(line);
                    sinceStatus.Restart();
                }
            });
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                result = work((fraction, line, log) =>
                {
                    task.Value = Math.Clamp(fraction, 0, 1);
                    task.Description = Markup.Escape(line);
                    if (log) console.MarkupLine(Markup.Escape(line));
                });
                task.Value = 1.0;
            });
        return result;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
