using Classifier.Feedback;
using Classifier.Registry;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>
/// The labeling queue (active learning): uncorrected predictions ranked by how much a label would teach, each with its
/// image, the model's guess and the alternatives; one click or one key sends the label as a correction. Labelers and
/// admins only: a prediction's id is what lets anyone correct it, so the queue is never shown to anonymous callers.
/// </summary>
internal sealed class LabelingModel(IOptions<ServiceOptions> options, IFeedbackService feedback, IModelLifecycle lifecycle, IModelStatus status) : ConsolePage(options)
{
    [BindProperty(SupportsGet = true)]
    public string? Class { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Version { get; set; }

    [BindProperty(SupportsGet = true)]
    public LabelingOrder Order { get; set; } = LabelingOrder.Margin;

    public IReadOnlyList<LabelingCandidate> Queue { get; private set; } = [];

    public IReadOnlyList<LabelProposal> Proposals { get; private set; } = [];

    public IReadOnlyList<string> Labels => status.Current?.Labels ?? [];

    public IReadOnlyList<ModelManifest> Versions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!IsTrusted)
            return NeedsKey();
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostLabelAsync(string predictionId, string label, CancellationToken cancellationToken)
    {
        if (!IsTrusted)
            return NeedsKey();
        try
        {
            var receipt = await feedback.CorrectAsync(predictionId, label, Caller, cancellationToken);
            Notice = receipt.AwaitsApproval ? $"Labeled '{label}', a new class waiting for an admin's approval." : $"Labeled '{label}'.";
            return RedirectToPage(new { Class, Version, Order });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await LoadAsync(cancellationToken);
            return Refuse(e);
        }
    }

    public async Task<IActionResult> OnPostApproveAsync(string label, CancellationToken cancellationToken)
    {
        if (!IsAdmin)
        {
            await LoadAsync(cancellationToken);
            return RefuseUnlessAdmin();
        }
        try
        {
            await feedback.ApproveLabelAsync(label, Caller, cancellationToken);
            Notice = $"'{label}' is approved: the next retrain may create it once it has enough corrections.";
            return RedirectToPage(new { Class, Version, Order });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await LoadAsync(cancellationToken);
            return Refuse(e);
        }
    }

    private IActionResult NeedsKey()
    {
        Refusal = "The labeling queue is for labelers and admins: sign in with your key.";
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Versions = lifecycle.List();
        Queue = await feedback.GetLabelingQueueAsync(new LabelingQuery(Order, NullIfEmpty(Class), NullIfEmpty(Version), 20), cancellationToken);
        Proposals = await feedback.GetLabelProposalsAsync(cancellationToken);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
