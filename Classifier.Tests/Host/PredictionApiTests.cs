using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using SkiaSharp;

namespace Classifier.Tests.Host;

[Collection(SampleCollection.Name)]
public sealed class PredictionApiTests(SampleFixture sample)
{
    private static MultipartFormDataContent Form(string field, byte[] bytes, string fileName = "image.png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { content, field, fileName } };
    }

    [Fact]
    public async Task Host_ByDefault_RunsTheBackboneWithoutSpinning_BatchesConcurrentRequests_AndWritesTheLogBehindTheAnswer()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        // The serving defaults the serve bench chose (RESULTS.md, serve): appsettings.json, not the library's defaults.
        var options = ((Microsoft.Extensions.Options.IOptions<ClassifierOptions>)factory.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<ClassifierOptions>))!).Value;
        Assert.False(options.Backbone.IntraOpSpinning);
        Assert.True(new ClassifierOptions().Backbone.IntraOpSpinning);
        Assert.Equal(1024, options.Inference.PendingLogCapacityWith(options.Storage.Provider));
        Assert.Equal(8, options.Inference.MaxBatch);
    }

    [Fact]
    public async Task Predict_MultipartImage_ReturnsClassTopVersionAndLoggedId()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var client = factory.CreateClient();
        var image = sample.TestImages.First(f => f.Label == "trouser");

        var response = await client.PostAsync("/predict", Form("image", File.ReadAllBytes(image.Path)));

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("trouser", root.GetProperty("class").GetString());
        Assert.InRange(root.GetProperty("confidence").GetSingle(), 0.1f, 1f);
        Assert.Equal(5, root.GetProperty("top").GetArrayLength());
        Assert.Equal("v1", root.GetProperty("modelVersion").GetString());
        var id = root.GetProperty("predictionId").GetString()!;
        // The row is written behind the answer; what a correction does before it looks, the test does too.
        await ((Classifier.Feedback.PredictionLogWriter)factory.Services.GetService(typeof(Classifier.Feedback.PredictionLogWriter))!).WhenWrittenAsync(id, CancellationToken.None);
        var logged = factory.Services.GetService(typeof(Classifier.Feedback.IFeedbackStore)) as Classifier.Feedback.IFeedbackStore;
        Assert.Equal("trouser", (await logged!.FindPredictionAsync(id))!.Label);
    }

    [Fact]
    public async Task Predict_RawBodyWithTopQuery_ReturnsThatManyClasses()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var content = new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        var response = await factory.CreateClient().PostAsync("/predict?top=2", content);

        var body = await response.Content.ReadFromJsonAsync<PredictResponse>();
        Assert.Equal(2, body!.Top.Count);
    }

    public static TheoryData<string, byte[], HttpStatusCode, string> BadImages() => new()
    {
        { "text", "hello, not an image"u8.ToArray(), HttpStatusCode.BadRequest, "not an image" },
        { "empty", [], HttpStatusCode.BadRequest, "empty" },
        { "truncated", TestImages.Truncated(TestImages.NoisePng(64, 64)), HttpStatusCode.BadRequest, "truncated" },
        { "tiff", TestImages.TiffHeader(), HttpStatusCode.UnsupportedMediaType, "TIFF" },
        { "huge header", TestImages.PngHeaderOnly(20000, 20000), HttpStatusCode.UnprocessableEntity, "20000×20000" },
        { "over byte limit", TestImages.NoisePng(200, 200), HttpStatusCode.RequestEntityTooLarge, "limit" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task Predict_BadImage_AnswersProblemThatSaysWhy(string name, byte[] bytes, HttpStatusCode status, string detail)
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:Images:MaxBytes"] = "50000" });
        var client = factory.CreateClient();

        var response = await client.PostAsync("/predict", Form("image", bytes, name));

        await ProblemAssert.IsProblem(response, status, detail);
        // The service is still up and serving after the bad request.
        (await client.PostAsync("/predict", Form("image", File.ReadAllBytes(sample.TestImages[0].Path)))).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Predict_WrongFieldName_SaysWhichFieldsArrived()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync("/predict", Form("picture", File.ReadAllBytes(sample.TestImages[0].Path)));

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "'picture'");
    }

    [Fact]
    public async Task Predict_TextContentType_Is415WithInstructions()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync("/predict", new StringContent("hello"));

        await ProblemAssert.IsProblem(response, HttpStatusCode.UnsupportedMediaType, "multipart/form-data");
    }

    [Fact]
    public async Task Predict_TopOutOfRange_Is400()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();

        var response = await factory.CreateClient().PostAsync("/predict?top=0", Form("image", File.ReadAllBytes(sample.TestImages[0].Path)));

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "top");
    }

    [Fact]
    public async Task BatchPredict_MixedImages_AnswersEachInOrderWithItsOwnError()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory();
        var good = File.ReadAllBytes(sample.TestImages[0].Path);
        var form = new MultipartFormDataContent();
        foreach (var (bytes, name) in new[] { (good, "a.png"), ("nope"u8.ToArray(), "b.txt"), (TestImages.Png(30, 30, SKColors.Red), "c.png") })
            form.Add(new ByteArrayContent(bytes), "images", name);

        var response = await factory.CreateClient().PostAsync("/batch_predict", form);

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<BatchPredictResponse>();
        Assert.Equal([0, 1, 2], body!.Results.Select(r => r.Index));
        Assert.Equal(["a.png", "b.txt", "c.png"], body.Results.Select(r => r.FileName));
        Assert.NotNull(body.Results[0].Prediction);
        Assert.Null(body.Results[1].Prediction);
        Assert.Equal(400, body.Results[1].Error!.Status);
        Assert.NotNull(body.Results[2].Prediction);
    }

    [Fact]
    public async Task BatchPredict_OverTheLimit_Is400AndSaysTheLimit()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(new Dictionary<string, string?> { ["Classifier:MaxBatchImages"] = "2" });
        var form = new MultipartFormDataContent();
        for (int i = 0; i < 3; i++)
            form.Add(new ByteArrayContent(File.ReadAllBytes(sample.TestImages[i].Path)), "images", $"{i}.png");

        var response = await factory.CreateClient().PostAsync("/batch_predict", form);

        await ProblemAssert.IsProblem(response, HttpStatusCode.BadRequest, "at most 2");
    }
}
