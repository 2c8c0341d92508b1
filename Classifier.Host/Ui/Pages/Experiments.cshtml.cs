using Classifier.Experiments;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>The experiments: A/B arms with accuracy and its interval, the canary's steps and verdicts, the shadow's agreement.</summary>
internal sealed class ExperimentsModel(IOptions<ServiceOptions> options, IExperimentService experiments) : ConsolePage(options)
{
    public ExperimentsReport Report { get; private set; } = new(null, null, null, null);

    public async Task OnGetAsync(CancellationToken cancellationToken) => Report = await experiments.GetReportAsync(cancellationToken);
}
