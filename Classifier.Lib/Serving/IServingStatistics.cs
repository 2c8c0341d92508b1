namespace Classifier.Serving;

/// <summary>Counters of the serving path since the process started, for a host's metrics.</summary>
public interface IServingStatistics
{
    /// <summary>The counters now.</summary>
    ServingStatistics Read();
}
