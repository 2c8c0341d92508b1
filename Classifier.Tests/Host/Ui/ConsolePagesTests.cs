using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host.Ui;

/// <summary>The console's pages as HTML, through the in-memory host: who may see what, and what the pages say.</summary>
[Collection(SampleCollection.Name)]
public sealed partial class ConsolePagesTests(SampleFixture sample)
{
    private const string AdminKey = "pages-admin-key-0123456";
    private const string LabelerKey = "pages-labeler-key-0123456";

    private static Dictionary<string, string?> Keys => new()
    {
        ["Classifier:AdminApiKey"] = AdminKey,
        ["Classifier:LabelerApiKeys"] = LabelerKey,
    };

    [Theory]
    [InlineData(null, HttpStatusCode.Forbidden)]
    [InlineData(LabelerKey, HttpStatusCode.OK)]
    [InlineData(AdminKey, HttpStatusCode.OK)]
    [InlineData("not-a-key-of-this-service", HttpStatusCode.Unauthorized)]
    public async Task Labeling_TakesTheApiKeyHeader_AndIsForLabelersAndAdminsOnly(string? key, HttpStatusCode expected)
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys);
        var client = factory.CreateClient();
        var predicted = await ExperimentsApiTests.PredictAsync(client, await File.ReadAllBytesAsync(sample.TestImages[0].Path), null);
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var page = await client.GetAsync("/ui/labeling");
        var image = await client.GetAsync($"/ui/images/{predicted.PredictionId}");

        Assert.Equal(expected, page.StatusCode);
        Assert.Equal(expected, image.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(expected == HttpStatusCode.OK, html.Contains(predicted.PredictionId, StringComparison.Ordinal));
        if (expected == HttpStatusCode.OK)
            Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Labeling_ListsEachUncorrectedImageOnce_LeastMarginFirst()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys);
        var client = factory.CreateClient();
        var images = sample.TestImages.Take(12).ToList();
        foreach (var image in images)
            await ExperimentsApiTests.PredictAsync(client, await File.ReadAllBytesAsync(image.Path), null);
        var repeated = await ExperimentsApiTests.PredictAsync(client, await File.ReadAllBytesAsync(images[0].Path), null);
        var corrected = await ExperimentsApiTests.PredictAsync(client, await File.ReadAllBytesAsync(images[1].Path), null);
        (await client.PostAsJsonAsync("/feedback", new FeedbackRequest(corrected.PredictionId, images[1].Label))).EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Add("X-Api-Key", LabelerKey);

        var html = await client.GetStringAsync("/ui/labeling");

        var margins = MarginPattern().Matches(html).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(images.Count - 1, margins.Count);
        Assert.Equal(margins.Order(), margins);
        Assert.Contains(repeated.PredictionId, html, StringComparison.Ordinal);
        Assert.DoesNotContain(corrected.PredictionId, html, StringComparison.Ordinal);
        var bags = await client.GetStringAsync("/ui/labeling?class=bag");
        var guesses = Regex.Matches(bags, "Guess <strong>([^<]+)</strong>").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(guesses);
        Assert.All(guesses, guess => Assert.Equal("bag", guess));
    }

    [Fact]
    public async Task Labeling_PutsImagesTheShadowAnsweredDifferentlyFirst_AndSaysWhatItAnswered()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys);
        var client = factory.CreateClient();
        var answers = new List<PredictResponse>();
        foreach (var image in sample.TestImages.Take(6))
            answers.Add(await ExperimentsApiTests.PredictAsync(client, await File.ReadAllBytesAsync(image.Path), null));
        // The shadow's answers, as ShadowWorker logs them (once the rows they name are written): one disagrees with the
        // live answer, one agrees.
        await factory.Services.GetRequiredService<PredictionLogWriter>().WhenAllWrittenAsync(CancellationToken.None);
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        var disputed = answers[3];
        string other = disputed.Class == "bag" ? "coat" : "bag";
        await store.LogShadowPredictionAsync(disputed.PredictionId, "v0", other, 0.6f);
        await store.LogShadowPredictionAsync(answers[4].PredictionId, "v0", answers[4].Class, 0.6f);
        client.DefaultRequestHeaders.Add("X-Api-Key", LabelerKey);

        var html = await client.GetStringAsync("/ui/labeling");

        var items = Regex.Matches(html, "data-prediction-id=\"([0-9a-f]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(disputed.PredictionId, items[0]);
        Assert.Equal(answers.Count, items.Count);
        Assert.Single(Regex.Matches(html, "the shadow says <strong>([^<]+)</strong>"));
        Assert.Contains($"the shadow says <strong>{other}</strong>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Experiments_WithAnAbTest_ShowsEachArmWithItsAccuracyAndInterval()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory(Keys);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        (await client.PutAsJsonAsync("/experiments/ab", new AbTestRequest("v1", 50))).EnsureSuccessStatusCode();
        foreach (var (image, i) in sample.TestImages.Take(10).Select((image, i) => (image, i)))
        {
            var answer = await ExperimentsApiTests.PredictAsync(client, await File.ReadAllBytesAsync(image.Path), $"client-{i}");
            (await client.PostAsJsonAsync("/feedback", new FeedbackRequest(answer.PredictionId, image.Label))).EnsureSuccessStatusCode();
        }

        var html = await client.GetStringAsync("/ui/experiments");

        Assert.Matches(@"<th scope=""row"">v2</th><td class=""num"">50%</td>", html);
        Assert.Matches(@"<th scope=""row"">v1</th><td class=""num"">50%</td>", html);
        Assert.Equal(2, Regex.Matches(html, @"95% interval \d+%(–|&#x2013;)\d+%").Count);
    }

    [Fact]
    public async Task Overview_Anonymous_SeesTheServedVersionAndNoAdminLinks()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys);
        var client = factory.CreateClient();

        var response = await client.GetAsync("/ui");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("""<a id="current-version" href="/ui/versions/v1">v1</a>""", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/hangfire", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
    }

    [Fact]
    public async Task Experiments_AdminStartsAndEndsAShadowFromThePage_ALabelerMayNot()
    {
        using var scope = await ServiceScope.CreateAsync(sample, versions: 2);
        await using var factory = scope.Factory(Keys);
        var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        var labeler = factory.CreateClient();
        labeler.DefaultRequestHeaders.Add("X-Api-Key", LabelerKey);

        var refused = await PostFormAsync(labeler, "/ui/experiments", "Shadow", new() { ["version"] = "v1" });
        var started = await PostFormAsync(admin, "/ui/experiments", "Shadow", new() { ["version"] = "v1" });
        var running = await admin.GetStringAsync("/ui/experiments");
        var ended = await PostFormAsync(admin, "/ui/experiments", "EndShadow", []);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Contains("v1 answers every request in the shadow.", await started.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Agreement with the live answer", running, StringComparison.Ordinal);
        Assert.Contains("The shadow ended.", await ended.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await admin.GetFromJsonAsync<Classifier.Experiments.ExperimentsReport>("/experiments"))!.Shadow);
    }

    [Fact]
    public async Task Overview_RetrainNow_AsAdmin_QueuesTheRetrainJob()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys);
        var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        var response = await PostFormAsync(admin, "/ui", "Retrain", new() { ["force"] = "false" });

        var html = await response.Content.ReadAsStringAsync();
        var id = Regex.Match(html, @"Retrain queued \(job (\w+)\)").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/retrain/{id}")).StatusCode);
    }

    /// <summary>
    /// Posts a page's form as a browser does: the antiforgery token from a page (Try it has a form for anyone, so a
    /// caller who sees no form on <paramref name="path"/> still gets a valid token), its cookie kept by the client.
    /// </summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync("/ui/try");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        fields["__RequestVerificationToken"] = token;
        return await client.PostAsync($"{path}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex(@"\(margin (\d\.\d\d)\)")]
    private static partial Regex MarginPattern();
}
