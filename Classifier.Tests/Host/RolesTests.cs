using System.Net;
using System.Net.Http.Json;
using Classifier.Feedback;
using Classifier.Host.Apis;
using Classifier.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Classifier.Tests.Host;

/// <summary>
/// Who may teach the model (issue 16): anonymous callers correct predictions they received with labels the model
/// knows; labelers (Classifier__LabelerApiKeys) also send images and propose classes, which wait for an admin; the
/// admin approves. Every refusal stores nothing.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class RolesTests(SampleFixture sample)
{
    private const string AdminKey = "test-admin-key-0123";
    private const string LabelerKey = "test-labeler-key-4567";

    private static Dictionary<string, string?> Keys() => new()
    {
        ["Classifier:AdminApiKey"] = AdminKey,
        ["Classifier:LabelerApiKeys"] = $"another-labeler-key-89, {LabelerKey}",
    };

    private static HttpClient With(HttpClient client, string? key)
    {
        if (key is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<string> PredictAsync(HttpClient client)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[0].Path)), "image", "x.png" } };
        var response = await client.PostAsync("/predict", form);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PredictResponse>())!.PredictionId;
    }

    private MultipartFormDataContent ImageCorrection(string label, int image = 1) =>
        new() { { new ByteArrayContent(File.ReadAllBytes(sample.TestImages[image].Path)), "image", "x.png" }, { new StringContent(label), "label" } };

    [Fact]
    public async Task Anonymous_CorrectsItsPredictionWithAKnownLabel_ButNeitherSendsImagesNorProposesClasses()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys());
        var anonymous = factory.CreateClient();
        var id = await PredictAsync(anonymous);

        var known = await anonymous.PostAsJsonAsync("/feedback", new { predictionId = id, label = "coat" });
        var proposed = await anonymous.PostAsJsonAsync("/feedback", new { predictionId = id, label = "handbag" });
        var image = await anonymous.PostAsync("/feedback", ImageCorrection("coat"));
        var wrongKey = await With(factory.CreateClient(), "not-a-key-of-this-service").PostAsJsonAsync("/feedback", new { predictionId = id, label = "coat" });

        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Null((await known.Content.ReadFromJsonAsync<FeedbackResponse>())!.Note);
        await ProblemAssert.IsProblem(proposed, HttpStatusCode.Forbidden, "'handbag' is not a class the model knows");
        await ProblemAssert.IsProblem(image, HttpStatusCode.Forbidden, "needs a labeler or an admin");
        await ProblemAssert.IsProblem(wrongKey, HttpStatusCode.Unauthorized, "matches no admin or labeler key");
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        var stored = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Equal(("coat", ContributorRole.Anonymous, "127.0.0.1"), (stored.Label, stored.Role, stored.ClientId));
        Assert.Empty(await store.GetLabelProposalsAsync());
        Assert.Matches("^[0-9a-f]{32}$", id); // 128 random bits: an id is what lets a caller correct
    }

    [Fact]
    public async Task Labeler_ProposesANewClass_WhichWaitsUntilTheAdminApprovesIt()
    {
        using var scope = await ServiceScope.CreateAsync(sample);
        await using var factory = scope.Factory(Keys());
        var labeler = With(factory.CreateClient(), LabelerKey);
        labeler.DefaultRequestHeaders.Add("X-Client-Id", "anna");
        var admin = With(factory.CreateClient(), AdminKey);

        var proposed = await labeler.PostAsync("/feedback", ImageCorrection("handbag"));
        var listByLabeler = await labeler.GetAsync("/new-classes");
        var waiting = await admin.GetFromJsonAsync<LabelProposal[]>("/new-classes");
        var approve = await admin.PostAsync("/new-classes/handbag/approve", null);
        var afterApproval = await labeler.PostAsync("/feedback", ImageCorrection("handbag", image: 2));
        var byAdmin = await admin.PostAsync("/feedback", ImageCorrection("scarf", image: 3));
        var traversal = await admin.PostAsync("/new-classes/..%2F..%2Fetc/approve", null);

        Assert.Equal(HttpStatusCode.Accepted, proposed.StatusCode);
        Assert.Contains("waits for an admin's approval", (await proposed.Content.ReadFromJsonAsync<FeedbackResponse>())!.Note);
        Assert.Equal(HttpStatusCode.Unauthorized, listByLabeler.StatusCode);
        var proposal = Assert.Single(waiting!);
        Assert.Equal(("handbag", "labeler-2:anna", false), (proposal.Label, proposal.ProposedBy, proposal.Approved));
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.True((await approve.Content.ReadFromJsonAsync<LabelProposal>())!.Approved);
        Assert.Null((await afterApproval.Content.ReadFromJsonAsync<FeedbackResponse>())!.Note);
        Assert.Null((await byAdmin.Content.ReadFromJsonAsync<FeedbackResponse>())!.Note); // an admin's proposal is approved by that act
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        var proposals = await factory.Services.GetRequiredService<IFeedbackStore>().GetLabelProposalsAsync();
        Assert.Equal(["handbag", "scarf"], proposals.Where(p => p.Approved).Select(p => p.Label).Order());
        var corrections = await factory.Services.GetRequiredService<IFeedbackStore>().GetLatestCorrectionsAsync();
        Assert.Contains(corrections, c => c.Label == "handbag" && c.Role == ContributorRole.Labeler && c.ClientId == "labeler-2:anna");
    }

    [Theory]
    [InlineData("short-key", "key 1 of 1 must be at least 16 characters")]
    [InlineData(AdminKey, "key 1 of 1 is the admin key")]
    public void Start_WithAWeakOrSharedLabelerKey_FailsAndNamesTheSetting(string labelerKey, string expected)
    {
        using var scope = ServiceScope.CreateEmpty(sample);
        using var factory = scope.Factory(new Dictionary<string, string?>
        {
            ["Classifier:AdminApiKey"] = AdminKey,
            ["Classifier:LabelerApiKeys"] = labelerKey,
            ["Classifier:TrainWhenNoModel"] = "false",
        });

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Classifier:LabelerApiKeys", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain(labelerKey, error.Message.Replace("Classifier:LabelerApiKeys", "", StringComparison.Ordinal));
    }
}
