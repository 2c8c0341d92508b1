using Classifier.Experiments;
using Classifier.Registry;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>
/// The experiments: A/B arms with accuracy and its interval, the canary's steps and verdicts, the shadow's agreement;
/// an admin starts and ends them here as through <c>/experiments</c>.
/// </summary>
internal sealed class ExperimentsModel(IOptions<ServiceOptions> options, IExperimentService experiments, IModelLifecycle lifecycle) : ConsolePage(options)
{
    public ExperimentsReport Report { get; private set; } = new(null, null, null, null);

    /// <summary>The versions an experiment may try: every one but the current.</summary>
    public IReadOnlyList<ModelManifest> Candidates { get; private set; } = [];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostAbAsync(string version, double percent, CancellationToken cancellationToken) =>
        ActAsync(() => experiments.SetAbTestAsync(version, percent, cancellationToken), $"A/B test: {version} gets {percent:0.#}% of callers.", cancellationToken);

    public Task<IActionResult> OnPostEndAbAsync(CancellationToken cancellationToken) =>
        ActAsync(() => experiments.EndAbTestAsync(cancellationToken), "The A/B test ended.", cancellationToken);

    public Task<IActionResult> OnPostShadowAsync(string version, CancellationToken cancellationToken) =>
        ActAsync(() => experiments.SetShadowAsync(version, cancellationToken), $"{version} answers every request in the shadow.", cancellationToken);

    public Task<IActionResult> OnPostEndShadowAsync(CancellationToken cancellationToken) =>
        ActAsync(() => experiments.EndShadowAsync(cancellationToken), "The shadow ended.", cancellationToken);

    public Task<IActionResult> OnPostCanaryAsync(string version, CancellationToken cancellationToken) =>
        ActAsync(() => experiments.StartCanaryAsync(version, cancellationToken: cancellationToken), $"Canary of {version} started.", cancellationToken);

    public Task<IActionResult> OnPostAbortCanaryAsync(CancellationToken cancellationToken) =>
        ActAsync(() => experiments.AbortCanaryAsync("aborted from the console", cancellationToken), "The canary was aborted.", cancellationToken);

    public Task<IActionResult> OnPostEvaluateCanaryAsync(CancellationToken cancellationToken) =>
        ActAsync(() => experiments.EvaluateCanaryAsync(cancellationToken), "The canary was judged now.", cancellationToken);

    private async Task<IActionResult> ActAsync<T>(Func<Task<T>> act, string notice, CancellationToken cancellationToken)
    {
        if (!IsAdmin)
        {
            await LoadAsync(cancellationToken);
            return RefuseUnlessAdmin();
        }
        try
        {
            await act();
            Notice = notice;
            return RedirectToPage();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await LoadAsync(cancellationToken);
            return Refuse(e);
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Report = await experiments.GetReportAsync(cancellationToken);
        Candidates = lifecycle.List().Where(m => m.Version != lifecycle.CurrentVersion).Reverse().ToList();
    }
}
