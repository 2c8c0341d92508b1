using Classifier.Experiments;
using Classifier.Feedback;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Host.Jobs;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>The overview: what serves and how well, the days' predictions and corrections, readiness, what runs.</summary>
internal sealed class IndexModel(IOptions<ServiceOptions> options, IModelStatus status, IModelLifecycle lifecycle, IFeedbackService feedback, IExperimentService experiments, JobStorage jobs,
    IBackgroundJobClient jobClient)
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

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Queues a retrain now, as <c>POST /retrain</c> does (admin).</summary>
    public async Task<IActionResult> OnPostRetrainAsync(bool force, CancellationToken cancellationToken)
    {
        if (!IsAdmin)
        {
            await LoadAsync(cancellationToken);
            return RefuseUnlessAdmin();
        }
        var id = jobClient.Enqueue<RetrainJob>(job => job.RunAsync(force, "console", CancellationToken.None));
        Notice = $"Retrain queued (job {id}); its progress is in the jobs dashboard.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
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
