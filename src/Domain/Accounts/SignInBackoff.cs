namespace Chat.Domain.Accounts;

/// <summary>
/// How failed sign-ins to one account slow further attempts: the first <paramref name="FreeFailures"/> cost
/// nothing, then each failure doubles the wait before the next attempt is even checked, from
/// <paramref name="BaseDelay"/> up to <paramref name="MaxDelay"/>. A count is forgotten after
/// <paramref name="Memory"/> without failures, and on a successful sign-in.
/// </summary>
public sealed record SignInBackoff(int FreeFailures, TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan Memory)
{
    public TimeSpan DelayAfter(long failures)
    {
        if (failures <= FreeFailures)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(failures - FreeFailures - 1, 40);
        var delay = BaseDelay.TotalMilliseconds * Math.Pow(2, doublings);
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxDelay.TotalMilliseconds));
    }
}
