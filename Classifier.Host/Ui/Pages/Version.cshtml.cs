using Classifier.Registry;
using Classifier.Serving;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>One version: per-class precision, recall and F1, the confusion matrix as a heatmap, the gate's reasons.</summary>
internal sealed class VersionModel(IOptions<ServiceOptions> options, IModelLifecycle lifecycle) : ConsolePage(options)
{
    public ModelManifest? Manifest { get; private set; }

    public string? CurrentVersion { get; private set; }

    public IActionResult OnGet(string version)
    {
        Manifest = lifecycle.List().FirstOrDefault(m => m.Version == version);
        CurrentVersion = lifecycle.CurrentVersion;
        return Manifest is null ? NotFound() : Page();
    }
}
