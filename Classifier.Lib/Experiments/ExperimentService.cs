using Classifier.Feedback;
using Classifier.Serving;

namespace Classifier.Experiments;

/// <summary>
/// The experiments' public face: configuration goes to the controllers, reports are read from the snapshot in force and
/// the feedback store; the canary's from the settings store, where the replica that judged it stored it, so that every
/// replica reports the same.
/// </summary>
internal sealed class ExperimentService(ExperimentState state, AbShadowController abShadow, CanaryController canaries, CanaryService judge,
    ShadowWorker shadowWorker, ShadowQueue shadowQueue, IModelStatus status, IFeedbackStore log, PredictionLogWriter pendingLog) : IExperimentService
{
    public async Task<ExperimentsReport> GetReportAsync(CancellationToken cancellationToken = default)
    {
        await pendingLog.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        var settings = state.Settings;
        var current = status.Current?.Version;
        AbTestReport? ab = null;
        if (settings.AbVersion is { } abVersion && settings.AbSinceUtc is { } abSince)
            ab = new AbTestReport(abSince, await ArmsAsync(abVersion, settings.AbPercent, abSince, cancellationToken).ConfigureAwait(false));
        ShadowReport? shadow = null;
        if (settings.ShadowVersion is { } shadowVersion && settings.ShadowSinceUtc is { } shadowSince)
        {
            var s = await log.GetShadowStatisticsAsync(shadowVersion, shadowSince, cancellationToken).ConfigureAwait(false);
            shadow = new ShadowReport(shadowVersion, shadowSince, s.Count, s.Count == 0 ? null : (double)s.Agreed / s.Count, s.MeanConfidence,
                Accuracy(s.Labelled, s.Correct), shadowQueue.Dropped, shadowWorker.Failed);
        }
        var storedCanary = (await state.Store.ReadAsync(cancellationToken).ConfigureAwait(false)).Canary;
        var canary = storedCanary is not null ? await CanaryReportAsync(storedCanary, cancellationToken).ConfigureAwait(false) : null;
        return new ExperimentsReport(current, ab, shadow, canary);
    }

    public Task<ExperimentSettings> SetAbTestAsync(string version, double percent, CancellationToken cancellationToken = default) =>
        abShadow.SetAbAsync(RequiredVersion(version), percent, cancellationToken);

    public Task<ExperimentSettings> EndAbTestAsync(CancellationToken cancellationToken = default) => abShadow.ClearAbAsync(cancellationToken);

    public Task<ExperimentSettings> SetShadowAsync(string version, CancellationToken cancellationToken = default) =>
        abShadow.SetShadowAsync(RequiredVersion(version), cancellationToken);

    public Task<ExperimentSettings> EndShadowAsync(CancellationToken cancellationToken = default) => abShadow.ClearShadowAsync(cancellationToken);

    public Task<ExperimentSettings> StartCanaryAsync(string version, double? percent = null, IReadOnlyList<double>? steps = null, TimeSpan? stepInterval = null,
        CancellationToken cancellationToken = default) =>
        canaries.StartAsync(RequiredVersion(version), percent, steps, stepInterval, supersede: false, cancellationToken);

    public async Task<ExperimentSettings> AbortCanaryAsync(string? reason = null, CancellationToken cancellationToken = default)
    {
        await canaries.AbortAsync(reason ?? "aborted by IExperimentService.AbortCanaryAsync", cancellationToken).ConfigureAwait(false);
        return state.Settings;
    }

    public async Task<CanaryReport?> EvaluateCanaryAsync(CancellationToken cancellationToken = default)
    {
        var canary = await judge.EvaluateAsync(cancellationToken).ConfigureAwait(false);
        if (canary is null)
            return null;
        await pendingLog.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        return await CanaryReportAsync(canary, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The canary as it stands, with both arms' figures since it started while it runs, all from the shared log (the
    /// caller waited for this replica's pending rows first).
    /// </summary>
    private async Task<CanaryReport> CanaryReportAsync(CanaryState canary, CancellationToken cancellationToken)
    {
        IReadOnlyList<ArmReport>? arms = null;
        long requests = 0, failures = 0;
        if (canary.IsRunning)
        {
            arms = await ArmsAsync(canary.Version, canary.Percent, canary.StartedUtc, cancellationToken).ConfigureAwait(false);
            var counted = await log.GetArmStatisticsAsync(canary.Version, canary.StartedUtc, cancellationToken).ConfigureAwait(false);
            (requests, failures) = (counted.Requests, counted.Failures);
        }
        return new CanaryReport(canary.Version, canary.IsRunning, canary.IsRunning ? canary.Percent : 0, canary.Steps, canary.StepInterval, canary.StartedUtc,
            canary.StepStartedUtc, canary.IsRunning ? canary.StepStartedUtc + canary.StepInterval : null, canary.History, canary.Outcome, canary.Reason,
            canary.EndedUtc, arms, requests, failures, canary.IsRunning ? canary.LastVerdict : null)
        {
            Judgements = canary.Judgements,
            JudgedRound = canary.JudgedRound,
            JudgedUtc = canary.JudgedUtc,
        };
    }

    /// <summary>The current version's arm (the rest of the traffic), when one serves, then <paramref name="version"/>'s, both since <paramref name="since"/>.</summary>
    private async Task<IReadOnlyList<ArmReport>> ArmsAsync(string version, double percent, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var arms = new List<ArmReport>(2);
        if (status.Current?.Version is { } current)
            arms.Add(await ArmAsync(current, 100 - percent, since, cancellationToken).ConfigureAwait(false));
        arms.Add(await ArmAsync(version, percent, since, cancellationToken).ConfigureAwait(false));
        return arms;
    }

    private async Task<ArmReport> ArmAsync(string version, double percent, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var s = await log.GetArmStatisticsAsync(version, since, cancellationToken).ConfigureAwait(false);
        return new ArmReport(version, percent, s.Count, s.MeanConfidence, Accuracy(s.Labelled, s.Correct));
    }

    private static AccuracyReport Accuracy(long labelled, long correct)
    {
        var interval = WilsonInterval.Of95(correct, labelled);
        return new AccuracyReport(labelled, correct, labelled == 0 ? null : (double)correct / labelled, interval.Low, interval.High);
    }

    private static string RequiredVersion(string? version) => string.IsNullOrWhiteSpace(version)
        ? throw new ClassifierRequestException(RequestProblem.Invalid, "version is required: a registered version such as v2.", RequestRemedy.ListVersions)
        : version;
}
