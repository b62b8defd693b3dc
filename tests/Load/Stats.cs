namespace Events.Load;

/// <summary>Latency samples in milliseconds and their percentiles.</summary>
public sealed class Stats
{
    private readonly List<double> samples = [];

    public void Add(double ms)
    {
        lock (samples)
        {
            samples.Add(ms);
        }
    }

    public int Count
    {
        get { lock (samples) { return samples.Count; } }
    }

    public double Percentile(double p)
    {
        lock (samples)
        {
            if (samples.Count == 0)
            {
                return double.NaN;
            }
            samples.Sort();
            var index = (int)Math.Ceiling(p / 100 * samples.Count) - 1;
            return samples[Math.Clamp(index, 0, samples.Count - 1)];
        }
    }
}
