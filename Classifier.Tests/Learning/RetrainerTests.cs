using Classifier.Datasets;
using Classifier.Feedback;
using Classifier.Learning;
using Classifier.Tests.Infrastructure;

namespace Classifier.Tests.Learning;

/// <summary>The retrain step as a library call, without Hangfire or HTTP.</summary>
[Collection(SampleCollection.Name)]
public sealed class RetrainerTests(SampleFixture sample)
{
    private static readonly RetrainOptions Options = new();

    [Fact]
    public async Task Retrain_NewLabelWithTooFewCorrections_WaitsAndIsNotAClass()
    {
        using var state = new TemporaryDirectory("retrain");
        using var workspace = sample.CreateWorkspace(out _, o => o.Retrain = Options);
        await workspace.TrainAsync(sample.DatasetRoot);
        using var feedback = new SqliteFeedbackStore(state.Path, TimeProvider.System);
        foreach (var file in ImageFolderDataset.Load(RepositoryPaths.SampleDataset, "train").Where(f => f.Label == "bag").Skip(50).Take(Options.MinExamplesPerClass - 1))
            await feedback.AddCorrectionAsync(File.ReadAllBytes(file.Path), "handbag", Contributor.Application);

        var result = await workspace.RetrainAsync(sample.DatasetRoot, feedback);

        Assert.Equal(Options.MinExamplesPerClass - 1, result.WaitingLabels["handbag"]);
        Assert.DoesNotContain("handbag", workspace.Registry.Get(result.Version!).Labels);
        Assert.Equal(0, result.FeedbackUsed);
    }

    [Fact]
    public async Task Retrain_NewClassFromALabeler_WaitsForApproval_AndIsCreatedOnceAnAdminApprovesIt()
    {
        using var state = new TemporaryDirectory("retrain");
        using var workspace = sample.CreateWorkspace(out _, o => o.Retrain = Options);
        await workspace.TrainAsync(sample.DatasetRoot);
        using var feedback = new SqliteFeedbackStore(state.Path, TimeProvider.System);
        var labeler = new Contributor("labeler-1:anna", ContributorRole.Labeler);
        foreach (var file in ImageFolderDataset.Load(RepositoryPaths.SampleDataset, "train").Where(f => f.Label == "bag").Skip(50).Take(Options.MinExamplesPerClass + 2))
            await feedback.AddCorrectionAsync(File.ReadAllBytes(file.Path), "handbag", labeler);
        await feedback.ProposeLabelAsync("handbag", labeler, approve: false);

        var waiting = await workspace.RetrainAsync(sample.DatasetRoot, feedback);
        var proposal = await feedback.ProposeLabelAsync("handbag", new Contributor("admin:ops", ContributorRole.Admin), approve: false);
        var approved = await workspace.RetrainAsync(sample.DatasetRoot, feedback, force: true);

        Assert.Equal(Options.MinExamplesPerClass + 2, waiting.AwaitingApproval["handbag"]);
        Assert.Contains("new class 'handbag' (12 corrections) awaits an admin's approval", waiting.Summary);
        Assert.DoesNotContain("handbag", workspace.Registry.Get(waiting.Version!).Labels);
        Assert.True(proposal.Approved);
        Assert.Equal(("labeler-1:anna", "admin:ops"), (proposal.ProposedBy, proposal.ApprovedBy));
        Assert.Empty(approved.AwaitingApproval);
        Assert.Contains("handbag", workspace.Registry.Get(approved.Version!).Labels);
    }

    [Fact]
    public void CapAnonymousClients_KeepsEachAnonymousClientsOldestCorrectionsWithinItsShare_AndNeverCapsAKey()
    {
        var start = DateTimeOffset.UnixEpoch;
        CorrectionRecord Correction(int i, string client, ContributorRole role, string label = "dress") =>
            new($"c{i}", start.AddSeconds(i), null, $"{i:x8}", label, client, role);
        // 'dress' has 40 dataset images and 10 corrections from others: a client's anonymous share 0.2 allows 50 / 4 = 12.
        var flood = Enumerable.Range(0, 100).Select(i => Correction(i, "203.0.113.9", ContributorRole.Anonymous));
        var others = Enumerable.Range(100, 5).Select(i => Correction(i, "198.51.100.1", ContributorRole.Anonymous))
            .Concat(Enumerable.Range(200, 5).Select(i => Correction(i, "labeler-1:anna", ContributorRole.Labeler)));
        var keyed = Enumerable.Range(300, 80).Select(i => Correction(i, "labeler-1:anna", ContributorRole.Labeler, "coat"));
        CorrectionRecord[] all = [.. flood, .. others, .. keyed];

        var (kept, setAside) = Retrainer.CapAnonymousClients(all, new Dictionary<string, int> { ["dress"] = 40 }, 0.2);
        var (unchanged, none) = Retrainer.CapAnonymousClients(all, new Dictionary<string, int> { ["dress"] = 40 }, 1);

        var fromFlood = kept.Where(c => c.ClientId == "203.0.113.9").ToArray();
        Assert.Equal(12, fromFlood.Length);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"c{i}"), fromFlood.Select(c => c.Id)); // the oldest
        Assert.Equal(88, setAside);
        Assert.Equal(5, kept.Count(c => c.ClientId == "198.51.100.1"));
        Assert.Equal(85, kept.Count(c => c.ClientId == "labeler-1:anna"));
        Assert.Equal((all.Length, 0), (unchanged.Count, none));
    }

    [Fact]
    public async Task Retrain_WithCanaryPromotion_RegistersAPassingCandidateWithoutPromotingIt()
    {
        using var state = new TemporaryDirectory("retrain");
        // Lenient enough that a forced retrain on the same data passes the gate.
        var options = new RetrainOptions { Promotion = RetrainPromotion.Canary, AccuracyTolerance = 1, MaxClassRecallDrop = 1, MinAccuracy = 0 };
        using var workspace = sample.CreateWorkspace(out _, o => o.Retrain = options);
        await workspace.TrainAsync(sample.DatasetRoot);
        using var feedback = new SqliteFeedbackStore(state.Path, TimeProvider.System);

        var result = await workspace.RetrainAsync(sample.DatasetRoot, feedback, force: true);

        Assert.Equal(RetrainOutcome.AwaitingCanary, result.Outcome);
        Assert.True(result.Gate!.Passed);
        Assert.Equal("v2", result.Version);
        Assert.StartsWith("v2 passed the gate, awaiting a canary", result.Summary);
        Assert.Equal("v1", workspace.Registry.CurrentVersion);
    }

    [Fact]
    public async Task Retrain_WhileAnotherHoldsTheLock_IsSkipped()
    {
        using var state = new TemporaryDirectory("retrain");
        using var workspace = sample.CreateWorkspace(out _, o => o.Retrain = Options);
        await workspace.TrainAsync(sample.DatasetRoot);
        using var feedback = new SqliteFeedbackStore(state.Path, TimeProvider.System);

        RetrainResult result;
        using (workspace.Registry.TryAcquireRetrainLock()) // another process's retrain, as far as the lock file knows
            result = await workspace.RetrainAsync(sample.DatasetRoot, feedback, force: true);

        Assert.Equal(RetrainOutcome.Skipped, result.Outcome);
        Assert.Contains("another retrain is running", result.Summary);
        Assert.Equal(["v1"], workspace.Registry.List().Select(m => m.Version));
    }

    [Fact]
    public async Task Retrain_CorrectionsOfKnownLabels_AreSplitByHashBetweenTrainingAndEvaluation()
    {
        using var state = new TemporaryDirectory("retrain");
        using var workspace = sample.CreateWorkspace(out _, o => o.Retrain = Options);
        await workspace.TrainAsync(sample.DatasetRoot);
        using var feedback = new SqliteFeedbackStore(state.Path, TimeProvider.System);
        var corrected = ImageFolderDataset.Load(RepositoryPaths.SampleDataset, "train").Where(f => f.Label == "coat").Skip(50).Take(20).ToArray();
        foreach (var file in corrected)
            await feedback.AddCorrectionAsync(File.ReadAllBytes(file.Path), "coat", Contributor.Application);
        var hashes = corrected.Select(f => Classifier.Images.ContentHash.Of(File.ReadAllBytes(f.Path))).ToArray();
        int inEvaluation = hashes.Count(h => Retrainer.InEvaluationSlice(h, Options.EvaluationShare));

        var result = await workspace.RetrainAsync(sample.DatasetRoot, feedback);

        Assert.NotEqual(RetrainOutcome.Skipped, result.Outcome);
        Assert.Equal(20, result.FeedbackUsed);
        Assert.Equal(10 * SampleFixture.TestPerClass + inEvaluation, result.EvaluationCount);
        Assert.Equal(10 * SampleFixture.TrainPerClass + 20 - inEvaluation, result.TrainCount);
        Assert.InRange(inEvaluation, 1, 9); // about 20% of 20, chosen by hash
    }
}
