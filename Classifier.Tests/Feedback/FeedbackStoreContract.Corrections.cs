using Classifier.Feedback;
using Classifier.Images;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Feedback;

/// <summary>The corrections' half of the contract: by prediction id or by image, the latest per image, and label proposals.</summary>
public abstract partial class FeedbackStoreContract
{
    [DatabaseFact]
    public async Task AddCorrectionAsync_ByPredictionId_CorrectsItsImage()
    {
        var store = Open();
        var image = Image(1);
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", image);

        var id = await store.AddCorrectionAsync(predictionId, "dog");

        Assert.Equal(new CorrectionRecord(id, Time.GetUtcNow(), predictionId, ContentHash.Of(image), "dog"), Assert.Single(await store.GetLatestCorrectionsAsync()));
    }

    [DatabaseFact]
    public async Task AddCorrectionAsync_WhenPredictionUnknown_ThrowsKeyNotFoundThatNamesLibraryCalls()
    {
        var store = Open();

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => store.AddCorrectionAsync("no-such-id", "dog"));

        Assert.Contains("no-such-id", error.Message);
        Assert.DoesNotContain("/predict", error.Message); // the host adds the HTTP hint, not the library
        Assert.Empty(await store.GetLatestCorrectionsAsync());
    }

    [DatabaseTheory]
    [InlineData("../../etc")]
    [InlineData("")]
    public async Task AddCorrectionAsync_WithInvalidLabel_ThrowsArgumentExceptionAndStoresNothing(string label)
    {
        var store = Open();
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", Image(1));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddCorrectionAsync(predictionId, label));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddCorrectionAsync(Image(2), label));

        Assert.Empty(await store.GetLatestCorrectionsAsync());
    }

    [DatabaseFact]
    public async Task AddCorrectionAsync_WithTheImage_KeepsTheImageAndNamesNoPrediction()
    {
        var store = Open();
        var image = Image(7);

        var id = await store.AddCorrectionAsync(image, "hat");

        var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Equal(new CorrectionRecord(id, Time.GetUtcNow(), null, ContentHash.Of(image), "hat"), correction);
        Assert.Equal(Stored(image), await store.ReadImageAsync(correction.ImageHash));
    }

    [DatabaseFact]
    public async Task GetLatestCorrectionsAsync_WhenAnImageIsCorrectedAgainLater_ReturnsOnlyTheLatest()
    {
        var store = Open();
        var image = Image(1);
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", image);
        await store.AddCorrectionAsync(predictionId, "dog");
        Time.Advance(TimeSpan.FromMinutes(1));

        var latest = await store.AddCorrectionAsync(image, "fox"); // the same image, sent without its prediction id

        var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Equal((latest, "fox"), (correction.Id, correction.Label));
    }

    [DatabaseFact]
    public async Task GetLatestCorrectionsAsync_AKeysCorrection_OutranksALaterAnonymousOne_AndEachKeepsWhoSentIt()
    {
        var store = Open();
        var image = Image(1);
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", image);
        var vouched = await store.AddCorrectionAsync(predictionId, "dog", new Contributor("labeler-1:anna", ContributorRole.Labeler));
        Time.Advance(TimeSpan.FromMinutes(1));
        await store.AddCorrectionAsync(predictionId, "fox", new Contributor("203.0.113.9", ContributorRole.Anonymous));
        var other = await LogAsync(store, "cat", 0.9f, "v1", Image(2));
        await store.AddCorrectionAsync(other, "owl", new Contributor("203.0.113.9", ContributorRole.Anonymous));

        var corrections = await store.GetLatestCorrectionsAsync();

        Assert.Equal([(vouched, "dog", "labeler-1:anna", ContributorRole.Labeler), (corrections[1].Id, "owl", "203.0.113.9", ContributorRole.Anonymous)],
            corrections.Select(c => (c.Id, c.Label, c.ClientId, c.Role)));
    }

    [DatabaseFact]
    public async Task ProposeLabelAsync_KeepsTheFirstProposer_AndAnAdminOrApproveApprovesItOnce()
    {
        var store = Open();
        var labeler = new Contributor("labeler-1:anna", ContributorRole.Labeler);

        var first = await store.ProposeLabelAsync("owl", labeler, approve: false);
        Time.Advance(TimeSpan.FromMinutes(1));
        var again = await store.ProposeLabelAsync("owl", new Contributor("labeler-2:ben", ContributorRole.Labeler), approve: false);
        var approved = await store.ProposeLabelAsync("owl", new Contributor("admin:ops", ContributorRole.Admin), approve: false);
        Time.Advance(TimeSpan.FromMinutes(1));
        var approvedAgain = await store.ProposeLabelAsync("owl", new Contributor("admin:other", ContributorRole.Labeler), approve: true);
        var byApprove = await store.ProposeLabelAsync("fox", labeler, approve: true);

        Assert.False(first.Approved);
        Assert.Equal(("labeler-1:anna", first.ProposedUtc, false), (again.ProposedBy, again.ProposedUtc, again.Approved));
        Assert.Equal(("admin:ops", Time.GetUtcNow().AddMinutes(-1)), (approved.ApprovedBy, approved.ApprovedUtc!.Value));
        Assert.Equal(approved, approvedAgain);
        Assert.True(byApprove.Approved);
        Assert.Equal(["owl", "fox"], (await store.GetLabelProposalsAsync()).Select(p => p.Label));
    }

    [DatabaseFact]
    public async Task GetLatestCorrectionsAsync_WhenTwoCorrectionsShareAClockTick_ReturnsTheOneAddedLast()
    {
        var store = Open();
        var predictionId = await LogAsync(store, "cat", 0.9f, "v1", Image(1));
        await store.AddCorrectionAsync(predictionId, "dog");

        var latest = await store.AddCorrectionAsync(predictionId, "fox");

        var correction = Assert.Single(await store.GetLatestCorrectionsAsync());
        Assert.Equal((latest, "fox"), (correction.Id, correction.Label));
    }

    [DatabaseFact]
    public async Task GetLatestCorrectionsAsync_WithSeveralImages_ReturnsOneEachOldestFirst()
    {
        var store = Open();
        await store.AddCorrectionAsync(Image(1), "a");
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.AddCorrectionAsync(Image(2), "b");
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.AddCorrectionAsync(Image(3), "c");
        Time.Advance(TimeSpan.FromSeconds(1));

        await store.AddCorrectionAsync(Image(1), "d"); // moves image 1 to the end

        Assert.Equal(["b", "c", "d"], (await store.GetLatestCorrectionsAsync()).Select(c => c.Label));
    }
}
