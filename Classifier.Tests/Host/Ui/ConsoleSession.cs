using Classifier.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Classifier.Tests.Host.Ui;

/// <summary>
/// One real host and one browser for every console test: the host on a real Kestrel loopback port (a browser cannot
/// reach WebApplicationFactory's in-memory server), with v1 and v2 trained on the sample, an admin key and a labeler
/// key; Debian's chromium driven by Playwright (its own browser download cannot work here). Started on first use,
/// since the sample it trains on is the collection's fixture.
/// </summary>
public sealed class ConsoleSession : IAsyncLifetime
{
    internal const string AdminKey = "console-admin-key-0123";
    internal const string LabelerKey = "console-labeler-key-0123";
    internal const string ChromiumPath = "/usr/bin/chromium";
    private readonly SemaphoreSlim _start = new(1, 1);
    private ServiceScope? _scope;
    private IPlaywright? _playwright;

    internal ClassifierServiceFactory Factory { get; private set; } = null!;

    internal IBrowser Browser { get; private set; } = null!;

    /// <summary>The host's address, <c>http://127.0.0.1:PORT</c>.</summary>
    internal Uri BaseAddress { get; private set; } = null!;

    internal ServiceScope Scope => _scope!;

    /// <summary>Every request a console page made outside the host (none is expected).</summary>
    internal System.Collections.Concurrent.ConcurrentBag<string> OutsideRequests { get; } = [];

    /// <summary>Where screenshots go: <c>CLASSIFIER_TEST_ARTIFACTS</c> (CI sets it under its results), else beside the test assembly.</summary>
    internal static string ArtifactsPath { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("CLASSIFIER_TEST_ARTIFACTS") is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "TestResults"),
        "console");

    public Task InitializeAsync() => Task.CompletedTask;

    internal async Task EnsureStartedAsync(SampleFixture sample)
    {
        await _start.WaitAsync();
        try
        {
            if (_scope is not null)
                return;
            if (!File.Exists(ChromiumPath))
                throw new InvalidOperationException($"The console's browser tests need Debian's chromium at {ChromiumPath}: apt-get install chromium (.ci/run installs it when missing).");
            _scope = await ServiceScope.CreateAsync(sample, versions: 2);
            Factory = _scope.Factory(new Dictionary<string, string?>
            {
                ["Classifier:AdminApiKey"] = AdminKey,
                ["Classifier:LabelerApiKeys"] = LabelerKey,
            });
            Factory.UseKestrel(0);
            Factory.StartServer();
            var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // Root in a container has no user namespaces for chromium's sandbox, and /dev/shm may be small.
                Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            });
            Directory.CreateDirectory(ArtifactsPath);
        }
        finally
        {
            _start.Release();
        }
    }

    /// <summary>A fresh browser context (its own cookies) at a laptop's size, or a phone's.</summary>
    internal async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            DeviceScaleFactor = 1,
        });
        // The console must never ask for anything outside the host: such a request is refused and recorded.
        await context.RouteAsync(url => !url.StartsWith(BaseAddress.ToString(), StringComparison.Ordinal), route =>
        {
            OutsideRequests.Add(route.Request.Url);
            return route.AbortAsync();
        });
        return await context.NewPageAsync();
    }

    /// <summary>A page whose browser is signed in through the console's form with <paramref name="key"/>.</summary>
    internal async Task<IPage> SignedInPageAsync(string key, bool phone = false)
    {
        var page = await NewPageAsync(phone);
        await page.GotoAsync("/ui/signin");
        await page.GetByLabel("Key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/ui");
        return page;
    }

    internal static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsPath, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Factory is not null)
            await Factory.DisposeAsync();
        _scope?.Dispose();
        _start.Dispose();
    }
}
