using Classifier.Feedback;
using Classifier.Images;
using Microsoft.Extensions.Logging;

namespace Classifier.Privacy;

/// <summary>Erasure and access over the feedback store (rows, images, the erasure log) and the embedding cache.</summary>
internal sealed partial class DataErasureService(IFeedbackStore store, PredictionLogWriter pendingLog, ClassifierWorkspace workspace, ILogger<DataErasureService> logger)
    : IDataErasureService
{
    /// <summary>Longest client id accepted: the host's are an address or a key's name and a 64-character declared id.</summary>
    internal const int MaxClientIdLength = 200;

    public Task<ErasureRecord> ErasePredictionAsync(string predictionId, string erasedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionId);
        // Prediction ids are 128 random bits in lowercase hex (RandomIds).
        if (predictionId.Length != 32 || !predictionId.All(char.IsAsciiHexDigitLower))
            throw new ClassifierRequestException(RequestProblem.Invalid, $"'{Shorten(predictionId)}' is not a prediction id: one is 32 lowercase hex digits, as /predict returned it.");
        return EraseAsync(ErasureScope.Prediction, predictionId, erasedBy, cancellationToken);
    }

    public Task<ErasureRecord> EraseImageAsync(string sha256, string erasedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var hash = sha256.ToLowerInvariant();
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            throw new ClassifierRequestException(RequestProblem.Invalid, $"'{Shorten(sha256)}' is not an image's SHA-256: one is 64 hex digits.");
        return EraseAsync(ErasureScope.Image, hash, erasedBy, cancellationToken);
    }

    public Task<ErasureRecord> EraseClientAsync(string clientId, string erasedBy, CancellationToken cancellationToken = default)
    {
        ValidateClientId(clientId);
        return EraseAsync(ErasureScope.Client, clientId, erasedBy, cancellationToken);
    }

    public async Task<ClientData> GetClientDataAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ValidateClientId(clientId);
        await pendingLog.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        return await store.GetClientDataAsync(clientId, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<ErasureRecord>> GetErasuresAsync(CancellationToken cancellationToken = default) => store.GetErasuresAsync(cancellationToken);

    private async Task<ErasureRecord> EraseAsync(ErasureScope scope, string target, string erasedBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(erasedBy);
        // Answered predictions may still be queued for the log: erased after they are written, or they would come back.
        await pendingLog.WhenAllWrittenAsync(cancellationToken).ConfigureAwait(false);
        var result = await store.EraseAsync(scope, target, erasedBy, cancellationToken).ConfigureAwait(false);
        // The image itself is the hash's data: its vectors go even when no row or stored image was left to erase.
        foreach (var hash in scope == ErasureScope.Image ? result.ErasedImageHashes.Append(target).Distinct() : result.ErasedImageHashes)
            workspace.EmbeddingCache.Remove(hash);
        LogErased(logger, scope, erasedBy, result.Record.Predictions, result.Record.Corrections, result.Record.Images);
        return result.Record;
    }

    private static void ValidateClientId(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (clientId.Length is 0 or > MaxClientIdLength || clientId.Any(char.IsControl))
            throw new ClassifierRequestException(RequestProblem.Invalid,
                $"A client id is 1 to {MaxClientIdLength} printable characters (an anonymous caller's address, or a key's name and its X-Client-Id, as predictions and corrections record them).");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    // The target is personal data (an address, say): the log names the scope and the counts, the erasure log the rest.
    [LoggerMessage(Level = LogLevel.Information, Message = "Erased a {Scope} at the request of {ErasedBy}: {Predictions} predictions, {Corrections} corrections, {Images} images")]
    private static partial void LogErased(ILogger logger, ErasureScope scope, string erasedBy, int predictions, int corrections, int images);
}
