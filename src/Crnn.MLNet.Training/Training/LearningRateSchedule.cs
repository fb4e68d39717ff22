namespace Crnn.MLNet.Training.Training;

/// <summary>
/// Learning rate as a pure function of the global step. Being stateless, it needs nothing in a
/// checkpoint beyond the step count, so a resumed run follows exactly the same curve.
/// </summary>
public sealed class LearningRateSchedule
{
    public LearningRateSchedule(LearningRateScheduleKind kind, double peak, long totalSteps, long warmupSteps)
    {
        if (!(peak > 0) || !double.IsFinite(peak)) throw new ArgumentOutOfRangeException(nameof(peak), peak, "learning rate must be positive");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "at least one step");
        Kind = kind;
        Peak = peak;
        TotalSteps = totalSteps;
        WarmupSteps = Math.Clamp(warmupSteps, 0, totalSteps - 1);
    }

    public LearningRateScheduleKind Kind { get; }
    public double Peak { get; }
    public long TotalSteps { get; }
    public long WarmupSteps { get; }

    /// <summary>The rate for 0-based <paramref name="step"/>; steps past the end keep the final rate.</summary>
    public double At(long step)
    {
        step = Math.Clamp(step, 0, TotalSteps - 1);
        switch (Kind)
        {
            case LearningRateScheduleKind.Constant:
                return Peak;
            case LearningRateScheduleKind.Cosine:
                if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
                return Cosine(Peak, Peak * 0.01, Fraction(step - WarmupSteps, TotalSteps - WarmupSteps));
            case LearningRateScheduleKind.OneCycle:
                long rise = Math.Max(1, (long)(TotalSteps * 0.3));
                return step < rise
                    ? Cosine(Peak / 25, Peak, Fraction(step, rise))
                    : Cosine(Peak, Peak / 1e4, Fraction(step - rise, TotalSteps - rise));
            default:
                throw new InvalidOperationException($"unknown schedule {Kind}");
        }
    }

    private static double Fraction(long done, long total) => total <= 1 ? 1 : (double)done / (total - 1);

    // Cosine interpolation from 'from' (t = 0) to 'to' (t = 1).
    private static double Cosine(double from, double to, double t) => to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * t));
}
