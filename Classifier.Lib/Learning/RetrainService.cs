using Classifier.Experiments;
using Classifier.Features;
using Classifier.Feedback;
using Classifier.Registry;
using Classifier.Serving;
using Classifier.Training;
using Microsoft.Extensions.Options;

namespace Classifier.Learning;

/// <summary>A <see cref="Retrainer"/> run on the configured dataset; a candidate awaiting a canary gets one, replacing a running canary (whose candidate is older).</summary>
internal sealed class RetrainService(TrainingPipeline pipeline, IModelRegistry registry, ModelLoader loader, Featurizer featurizer, IFeedbackStore feedback,
    IExperimentSettingsStore experiments, CanaryController canaries, IOptions<ClassifierOptions> options) : IRetrainService
{
    public async Task<RetrainResult> RetrainAsync(bool force = false, string trigger = "manual", CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var retrainer = new Retrainer(pipeline, registry, loader, featurizer, feedback, experiments, settings.Retrain);
        var result = await Task.Run(() => retrainer.RunAsync(Path.GetFullPath(settings.Dataset), force, trigger, null, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (result is not { Outcome: RetrainOutcome.AwaitingCanary, Version: { } candidate })
            return result;
        try
        {
            var canary = (await canaries.StartAsync(candidate, null, null, null, supersede: true, cancellationToken).ConfigureAwait(false)).Canary!;
            return result with { Summary = $"{result.Summary}; canary started at {canary.Percent}%" };
        }
        catch (ClassifierRequestException e)
        {
            // The candidate stays registered; retrying would only train it again.
            return result with { Summary = $"{result.Summary}; no canary started: {e.Message} Then start a canary of {candidate} (IExperimentService.StartCanaryAsync) or promote it (IModelLifecycle.PromoteAsync)." };
        }
    }
}
