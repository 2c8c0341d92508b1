using Classifier.Registry;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>Every version with its metrics, the gate's decision, parent and data size; promote and roll back for an admin.</summary>
internal sealed class VersionsModel(IOptions<ServiceOptions> options, IModelLifecycle lifecycle) : ConsolePage(options)
{
    public IReadOnlyList<ModelManifest> Versions { get; private set; } = [];

    public string? CurrentVersion { get; private set; }

    public IReadOnlyList<PromotionRecord> History { get; private set; } = [];

    public void OnGet() => Load();

    public Task<IActionResult> OnPostPromoteAsync(string version, string? expectedCurrent, CancellationToken cancellationToken) =>
        ActAsync(() => lifecycle.PromoteAsync(version, PromotedBy(), expectedCurrent, cancellationToken), $"{version} now serves.");

    public Task<IActionResult> OnPostRollbackAsync(string? expectedCurrent, CancellationToken cancellationToken) =>
        ActAsync(() => lifecycle.RollbackAsync(PromotedBy(), expectedCurrent, cancellationToken), "Rolled back: {0} serves again.");

    private async Task<IActionResult> ActAsync(Func<Task<PromotionRecord>> act, string notice)
    {
        if (!IsAdmin)
        {
            Load();
            return RefuseUnlessAdmin();
        }
        try
        {
            var record = await act();
            Notice = string.Format(System.Globalization.CultureInfo.InvariantCulture, notice, record.Version);
            return RedirectToPage();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Load();
            return Refuse(e);
        }
    }

    /// <summary>The history names who acted as the API does: the admin key, or the loopback address while none is set.</summary>
    private string PromotedBy() => string.IsNullOrEmpty(ServiceOptions.AdminApiKey)
        ? $"loopback:{HttpContext.Connection.RemoteIpAddress}"
        : "admin-api-key";

    private void Load()
    {
        Versions = lifecycle.List();
        CurrentVersion = lifecycle.CurrentVersion;
        History = lifecycle.History;
    }
}
