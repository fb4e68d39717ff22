using System.Diagnostics;

namespace Crnn.MLNet.Tests.Reliability.Fuzzing;

/// <summary>
/// A deterministic mutation fuzzer: each execution mutates a seed of the corpus (<see cref="Mutator"/>) and runs the
/// target on it. The target returns normally (input accepted) or throws; an exception the caller expects is a clean
/// rejection, anything else (and any check the target fails) is a finding.
/// </summary>
internal static class MutationFuzzer
{
    public static FuzzReport Run(string target, IReadOnlyList<byte[]> corpus, Action<byte[], int> run, Func<Exception, bool> isCleanRejection,
        FuzzSettings settings, Func<byte[], IReadOnlyList<byte[]>, Random, byte[]>? mutate = null)
    {
        mutate ??= Mutator.Mutate;
        if (corpus.Count == 0) throw new ArgumentException("empty seed corpus", nameof(corpus));
        var rng = new Random(settings.Seed);
        var findings = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long executions = 0, accepted = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        bool More() => settings.Seconds is double s ? clock.Elapsed.TotalSeconds < s : executions < settings.Iterations;
        // The unmutated seeds first: they must all be accepted.
        for (int i = 0; More(); i++)
        {
            byte[] input = i < corpus.Count ? corpus[i] : mutate(corpus[rng.Next(corpus.Count)], corpus, rng);
            executions++;
            try
            {
                run(input, i);
                accepted++;
            }
            catch (Exception e) when (i >= corpus.Count && isCleanRejection(e))
            {
                rejected++;
            }
            catch (Exception e)
            {
                // One finding per kind of failure (type and first frame), with the first input that showed it.
                string kind = $"{e.GetType().Name} at {FirstFrame(e)}";
                if (seen.Add(kind))
                {
                    string saved = Save(settings, target, i, input);
                    findings.Add($"execution {i}: {kind}: {OneLine(e.Message)}{saved}");
                }
            }
        }
        return new FuzzReport(target, settings.Seed, executions, accepted, rejected, findings, clock.Elapsed);
    }

    private static string FirstFrame(Exception e)
    {
        var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("Crnn", StringComparison.Ordinal) == true)
            ?? new StackTrace(e, false).GetFrame(0);
        var m = frame?.GetMethod();
        return m is null ? "?" : $"{m.DeclaringType?.Name}.{m.Name}";
    }

    private static string Save(FuzzSettings settings, string target, int execution, byte[] input)
    {
        if (settings.FindingsDir is null) return "";
        Directory.CreateDirectory(settings.FindingsDir);
        string path = Path.Combine(settings.FindingsDir, $"{target}-{settings.Seed}-{execution}.bin");
        File.WriteAllBytes(path, input);
        return $" (input: {Path.GetFileName(path)})";
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
