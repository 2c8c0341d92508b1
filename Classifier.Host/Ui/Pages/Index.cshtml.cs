using Classifier.Experiments;
using Classifier.Feedback;
using Classifier.Registry;
using Classifier.Serving;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>The overview: what serves and how well, the days' predictions and corrections, readiness, what runs.</summary>
internal sealed class IndexModel(IOptions<ServiceOptions> options, IModelStatus status, IModelLifecycle lifecycle, IFeedbackService feedback, IExperimentService experiments, JobStorage jobs)
    : ConsolePage(options)
{
    internal const int Days = 14;

    public ModelManifest? Current { get; private set; }

    public DateTimeOffset? LoadedSince { get; private set; }

    /// <summary>When the version in service became current (the registry's history), whichever server made it so.</summary>
    public PromotionRecord? CurrentSince { get; private set; }

    public string? NotReadyReason { get; private set; }

    public string? LastReloadError { get; private set; }

    public IReadOnlyList<DailyActivity> Activity { get; private set; } = [];

    public ExperimentsReport? Experiments { get; private set; }

    public long RetrainsRunning { get; private set; }

    public long RetrainsQueued { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Current = status.Current;
        LoadedSince = status.LoadedSince;
        CurrentSince = lifecycle.History.LastOrDefault(h => h.Version == Current?.Version);
        NotReadyReason = status.NotReadyReason;
        LastReloadError = status.LastReloadError;
        Activity = await feedback.GetDailyActivityAsync(Days, cancellationToken);
        Experiments = await experiments.GetReportAsync(cancellationToken);
        var monitoring = jobs.GetMonitoringApi();
        RetrainsRunning = monitoring.ProcessingCount();
        RetrainsQueued = monitoring.Queues().Sum(q => q.Length);
    }
}
