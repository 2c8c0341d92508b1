namespace Classifier.Privacy;

/// <summary>
/// Erasure and access for the people whose data the service holds: delete a prediction, an image or everything of a
/// client (rows, corrections, shadow answers, stored images, embeddings), each recorded in the erasure log without the
/// data; and tell what is held about a client. An erasure of something already gone is recorded and erases nothing.
/// Malformed ids are refused with <see cref="ClassifierRequestException"/> (<see cref="RequestProblem.Invalid"/>).
/// </summary>
public interface IDataErasureService
{
    /// <summary>Erases one prediction (its id, 32 lowercase hex digits), its shadow answers, the corrections naming it, and its image unless another prediction or correction refers to it.</summary>
    Task<ErasureRecord> ErasePredictionAsync(string predictionId, string erasedBy, CancellationToken cancellationToken = default);

    /// <summary>Erases one image (its SHA-256, 64 hex digits): every prediction and correction of it, the stored image and its embeddings.</summary>
    Task<ErasureRecord> EraseImageAsync(string sha256, string erasedBy, CancellationToken cancellationToken = default);

    /// <summary>Erases a client's predictions and corrections, the corrections of its predictions, and the images nothing else refers to.</summary>
    Task<ErasureRecord> EraseClientAsync(string clientId, string erasedBy, CancellationToken cancellationToken = default);

    /// <summary>What is held about <paramref name="clientId"/>: its predictions, corrections and their images' hashes.</summary>
    Task<ClientData> GetClientDataAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>The erasure log, oldest first.</summary>
    Task<IReadOnlyList<ErasureRecord>> GetErasuresAsync(CancellationToken cancellationToken = default);
}
