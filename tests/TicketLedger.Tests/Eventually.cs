using System.Diagnostics;

namespace TicketLedger.Tests;

public static class Eventually
{
    /// <summary>Polls a condition that settles asynchronously (a broker delivery, a replay) until it holds or the deadline passes.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Still waiting after {timeout.TotalSeconds} s for {what}.");
            await Task.Delay(200);
        }
    }
}
