using System.Net.Http.Json;
using Classifier.Host.Apis;
using Classifier.Registry;
using Classifier.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Classifier.Tests.Host.Ui;

/// <summary>
/// The console in a real browser against a real host and a real model. The tests share one host and one browser
/// (<see cref="ConsoleSession"/>), so each one holds whatever order they run in: it reads the state it starts from.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class ConsoleTests(SampleFixture sample, ConsoleSession session) : IClassFixture<ConsoleSession>, IAsyncLifetime
{
    public Task InitializeAsync() => session.EnsureStartedAsync(sample);

    public Task DisposeAsync()
    {
        Assert.Empty(session.OutsideRequests);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TryIt_UploadAnImage_ShowsItsClassAndTheVersionThatAnswered()
    {
        var image = sample.TestImages.First(i => i.Label == "trouser");
        var expected = await PredictByApiAsync(image.Path);
        var page = await session.NewPageAsync();

        await page.GotoAsync("/ui/try");
        await page.GetByLabel("Image").SetInputFilesAsync(image.Path);
        await page.GetByRole(AriaRole.Button, new() { Name = "Classify" }).ClickAsync();

        Assert.Equal(expected.Class, await page.Locator("#predicted-label").TextContentAsync());
        Assert.Equal(expected.ModelVersion, await page.Locator("#answered-by").TextContentAsync());
        Assert.Equal(5, await page.Locator("svg.scores rect").CountAsync());
        await ConsoleSession.ScreenshotAsync(page, "try-it");

        await page.GetByLabel("The true class is").SelectOptionAsync("trouser");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send correction" }).ClickAsync();
        Assert.Contains("'trouser' is recorded", await page.Locator(".notice").TextContentAsync());
    }

    [Fact]
    public async Task TryIt_APhotoSizedImage_IsClassifiedLikeThroughTheApi()
    {
        using var folder = new TemporaryDirectory("console-photo");
        var photo = folder.Combine("noise-400.png");
        await File.WriteAllBytesAsync(photo, TestImages.NoisePng(400, 400));
        Assert.True(new FileInfo(photo).Length > 100_000);
        var expected = await PredictByApiAsync(photo);
        var page = await session.NewPageAsync();

        await page.GotoAsync("/ui/try");
        await page.GetByLabel("Image").SetInputFilesAsync(photo);
        await page.GetByRole(AriaRole.Button, new() { Name = "Classify" }).ClickAsync();

        Assert.Equal(expected.Class, await page.Locator("#predicted-label").TextContentAsync());
    }

    [Fact]
    public async Task Labeling_ThreeItemsByClickAndKey_AreSentAsCorrectionsAndCounted()
    {
        foreach (var image in sample.TestImages.Where(i => i.Label is "shirt" or "coat").Take(6))
            await PredictByApiAsync(image.Path);
        var page = await session.SignedInPageAsync(ConsoleSession.LabelerKey);
        long before = long.Parse((await page.Locator("#corrections-total").TextContentAsync())!);

        await page.GotoAsync("/ui/labeling");
        Assert.True(await page.Locator(".queue-item").CountAsync() >= 3);
        Assert.True(await page.Locator(".queue-item img").First.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"));
        await ConsoleSession.ScreenshotAsync(page, "labeling");
        // One click on the model's guess, one key for the second choice, one click on the third.
        var head = page.Locator(".queue-item").First;
        var first = await head.GetAttributeAsync("data-prediction-id");
        await head.Locator("button[data-key='1']").ClickAsync();
        await Assertions.Expect(head).Not.ToHaveAttributeAsync("data-prediction-id", first!);
        var second = await head.GetAttributeAsync("data-prediction-id");
        await Assertions.Expect(head).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("2");
        await Assertions.Expect(head).Not.ToHaveAttributeAsync("data-prediction-id", second!);
        var third = await head.GetAttributeAsync("data-prediction-id");
        await head.Locator("button[data-key='3']").ClickAsync();
        await Assertions.Expect(head).Not.ToHaveAttributeAsync("data-prediction-id", third!);

        await page.GotoAsync("/ui");
        Assert.Equal(before + 3, long.Parse((await page.Locator("#corrections-total").TextContentAsync())!));
    }

    [Fact]
    public async Task Labeling_WithoutAKey_ShowsNoQueueAndNoImage()
    {
        var page = await session.NewPageAsync();

        var response = await page.GotoAsync("/ui/labeling");
        var image = await page.APIRequest.GetAsync("/ui/images/any");

        Assert.Equal(403, response!.Status);
        Assert.Equal(0, await page.Locator(".queue-item").CountAsync());
        Assert.Equal(403, image.Status);
    }

    [Fact]
    public async Task VersionPage_ConfusionMatrix_HasACellPerPairOfClassesMatchingTheMetrics()
    {
        var manifest = new ModelRegistry(session.Scope.ModelsPath).List().First(m => m.Version == "v1");
        var page = await session.NewPageAsync();

        await page.GotoAsync("/ui/versions/v1");

        var labels = manifest.Metrics.ConfusionMatrix.Labels;
        var cells = page.Locator("#confusion-matrix td.cell");
        Assert.Equal(labels.Count * labels.Count, await cells.CountAsync());
        var counts = await cells.EvaluateAllAsync<int[]>("cells => cells.map(c => Number(c.dataset.count))");
        Assert.Equal(manifest.Metrics.ConfusionMatrix.Counts.SelectMany(r => r), counts);
        var diagonal = await page.Locator("#confusion-matrix td.diagonal").First.EvaluateAsync<string>("c => getComputedStyle(c).backgroundColor");
        var empty = await page.Locator("#confusion-matrix td.heat-0").First.EvaluateAsync<string>("c => getComputedStyle(c).backgroundColor");
        Assert.NotEqual(empty, diagonal);
        await ConsoleSession.ScreenshotAsync(page, "version");
    }

    [Fact]
    public async Task Versions_AdminPromotesFromThePage_AndTheOverviewFollows()
    {
        var page = await session.SignedInPageAsync(ConsoleSession.AdminKey);
        var current = await page.Locator("#current-version").TextContentAsync();
        var other = current == "v1" ? "v2" : "v1";

        await page.GotoAsync("/ui/versions");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Promote {other}" }).ClickAsync();
        await page.WaitForSelectorAsync(".notice");
        await ConsoleSession.ScreenshotAsync(page, "versions");
        await page.GotoAsync("/ui");

        Assert.Equal(other, await page.Locator("#current-version").TextContentAsync());
        Assert.Equal(other, new ModelRegistry(session.Scope.ModelsPath).CurrentVersion);
    }

    [Fact]
    public async Task Versions_AsALabeler_OffersNoPromotionNorRollback()
    {
        var page = await session.SignedInPageAsync(ConsoleSession.LabelerKey);

        await page.GotoAsync("/ui/versions");

        Assert.Equal(2, await page.Locator("#versions tbody tr").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("Promote|Roll back") }).CountAsync());
    }

    [Fact]
    public async Task SignIn_AsAdmin_OpensTheJobsDashboard_AndKeepsTheKeyOutOfUrlAndCookie()
    {
        var page = await session.SignedInPageAsync(ConsoleSession.AdminKey);
        var cookies = await page.Context.CookiesAsync();

        var dashboard = await page.GotoAsync("/hangfire");

        var login = Assert.Single(cookies, c => c.Name == "classifier_login");
        Assert.True(login.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, login.SameSite);
        Assert.DoesNotContain(cookies, c => c.Value.Contains(ConsoleSession.AdminKey, StringComparison.Ordinal));
        Assert.DoesNotContain(ConsoleSession.AdminKey, page.Url);
        Assert.Equal(200, dashboard!.Status);
        Assert.Contains("Classifier jobs", await page.TitleAsync());
    }

    [Theory]
    [InlineData("/ui", "overview", false)]
    [InlineData("/ui", "overview-phone", true)]
    [InlineData("/ui/try", "try", false)]
    [InlineData("/ui/versions", "versions-admin", false)]
    [InlineData("/ui/versions/v2", "version-phone", true)]
    [InlineData("/ui/experiments", "experiments", false)]
    [InlineData("/ui/labeling", "labeling-admin", false)]
    [InlineData("/ui/signin", "signin", false)]
    public async Task Page_PassesTheAccessibilityCheck(string path, string name, bool phone)
    {
        await PredictByApiAsync(sample.TestImages[0].Path);
        var page = name == "signin" ? await session.NewPageAsync(phone) : await session.SignedInPageAsync(ConsoleSession.AdminKey, phone);

        var response = await page.GotoAsync(path);
        var result = await page.RunAxe();
        await ConsoleSession.ScreenshotAsync(page, name);

        Assert.Equal(200, response!.Status);
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        if (phone)
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
    }

    private async Task<PredictResponse> PredictByApiAsync(string path)
    {
        using var client = new HttpClient { BaseAddress = session.BaseAddress };
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "image", Path.GetFileName(path) } };
        var response = await client.PostAsync("/predict", form);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
    }
}
