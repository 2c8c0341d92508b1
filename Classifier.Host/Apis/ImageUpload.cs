using Classifier.Host.Errors;
using Classifier.Images;

namespace Classifier.Host.Apis;

/// <summary>
/// Reads uploaded images: a multipart field, or a raw body with an image content type. Sizes are checked
/// while reading, so an oversized upload is refused without being held in memory.
/// </summary>
internal static class ImageUpload
{
    internal static async Task<byte[]> ReadSingleAsync(HttpRequest request, string field, ImageLimits limits, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var file = form.Files.GetFile(field) ?? throw MissingField(field, form);
            return await ReadFileAsync(file, limits, cancellationToken);
        }
        if (IsRawImage(request.ContentType))
        {
            if (request.ContentLength > limits.MaxBytes)
                throw new InvalidImageException(ImageErrorKind.TooManyBytes, $"The image is {request.ContentLength:N0} bytes; the limit is {limits.MaxBytes:N0} bytes.");
            var bytes = await limits.ReadBoundedAsync(request.Body, cancellationToken);
            return bytes.Length == 0 ? throw new InvalidImageException(ImageErrorKind.Empty, "The request body is empty.") : bytes;
        }
        throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
            $"Send multipart/form-data with a file field '{field}', or the image itself as the body with an image/* content type (got '{request.ContentType ?? "none"}').");
    }

    internal static async Task<byte[]> ReadFileAsync(IFormFile file, ImageLimits limits, CancellationToken cancellationToken)
    {
        if (file.Length == 0)
            throw new InvalidImageException(ImageErrorKind.Empty, $"The uploaded file '{file.FileName}' is empty (0 bytes).");
        if (file.Length > limits.MaxBytes)
            throw new InvalidImageException(ImageErrorKind.TooManyBytes, $"The uploaded file '{file.FileName}' is {file.Length:N0} bytes; the limit is {limits.MaxBytes:N0} bytes.");
        await using var stream = file.OpenReadStream();
        return await limits.ReadBoundedAsync(stream, cancellationToken);
    }

    internal static RequestProblemException MissingField(string field, IFormCollection form)
    {
        var received = form.Files.Select(f => f.Name).Concat(form.Keys).Distinct().ToArray();
        return new RequestProblemException(StatusCodes.Status400BadRequest, "Missing image",
            received.Length == 0
                ? $"The form has no fields; send the image as a file field named '{field}'."
                : $"The form has no file field named '{field}'; it has: {string.Join(", ", received.Select(r => $"'{r}'"))}.");
    }

    private static bool IsRawImage(string? contentType) =>
        contentType is not null && (contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase));
}
