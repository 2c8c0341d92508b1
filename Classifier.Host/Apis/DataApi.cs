using Classifier.Host.Security;
using Classifier.Privacy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Apis;

/// <summary>
/// Erasure and access (admin): delete a prediction, an image or a client's data, each recorded in the erasure log with
/// the admin who asked; and what is held about a client. Each maps to one <see cref="IDataErasureService"/> call.
/// </summary>
internal static class DataApi
{
    internal static IEndpointRouteBuilder MapDataApi(this IEndpointRouteBuilder app)
    {
        var data = app.MapGroup("/data").WithTags("Data").RequireAdminKey()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        data.MapDelete("/predictions/{predictionId}", ErasePredictionAsync).WithName("ErasePrediction")
            .WithSummary("Erase a prediction: its row, shadow answers, the corrections naming it, and its image unless something else refers to it (admin). 204, also when already gone.");
        data.MapDelete("/images/{sha256}", EraseImageAsync).WithName("EraseImage")
            .WithSummary("Erase an image by its SHA-256: every prediction and correction of it, the stored image and its embeddings (admin). 204, also when already gone.");
        data.MapDelete("/clients/{clientId}", EraseClientAsync).WithName("EraseClient")
            .WithSummary("Erase a client's predictions and corrections, the corrections of its predictions, and the images nothing else refers to (admin). 204, also when already gone.");
        data.MapGet("/clients/{clientId}", GetClientAsync).WithName("ClientData")
            .WithSummary("What is held about a client: its predictions, its corrections and their images' hashes (admin).");
        data.MapGet("/erasures", GetErasuresAsync).WithName("Erasures")
            .WithSummary("The erasure log: what was erased, when and by whom, never the data (admin).");
        return app;
    }

    private static async Task<NoContent> ErasePredictionAsync(string predictionId, HttpContext http, IDataErasureService erasure, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        await erasure.ErasePredictionAsync(predictionId, ErasedBy(http, service.Value), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> EraseImageAsync(string sha256, HttpContext http, IDataErasureService erasure, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        await erasure.EraseImageAsync(sha256, ErasedBy(http, service.Value), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> EraseClientAsync(string clientId, HttpContext http, IDataErasureService erasure, IOptions<ServiceOptions> service, CancellationToken cancellationToken)
    {
        await erasure.EraseClientAsync(clientId, ErasedBy(http, service.Value), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ClientData>> GetClientAsync(string clientId, IDataErasureService erasure, CancellationToken cancellationToken) =>
        TypedResults.Ok(await erasure.GetClientDataAsync(clientId, cancellationToken));

    private static async Task<Ok<IReadOnlyList<ErasureRecord>>> GetErasuresAsync(IDataErasureService erasure, CancellationToken cancellationToken) =>
        TypedResults.Ok(await erasure.GetErasuresAsync(cancellationToken));

    /// <summary>The admin as the log names callers: its key and the client it says it is (or its address).</summary>
    private static string ErasedBy(HttpContext http, ServiceOptions service) => Callers.Identify(http, service).ClientId;
}
