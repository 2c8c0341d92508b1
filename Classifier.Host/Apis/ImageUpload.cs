using Classifier.Host.Errors;
using Classifier.Images;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

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
            var form = await ReadFormAsync(request, cancellationToken);
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

    /// <summary>
    /// Reads the form within the endpoint's form limits (<c>WithFormOptions</c>); a form past them, or malformed, is
    /// refused with 400 and the framework's words about the form (which limit); a body past the endpoint's byte limit
    /// stays the 413 it is.
    /// </summary>
    internal static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Malformed or oversized form", $"The multipart form cannot be read: {e.Message}");
        }
    }

    /// <summary>
    /// Reads the file parts named <paramref name="field"/> of a multipart body one at a time, each bounded by
    /// <paramref name="limits"/> (an image past them, or empty, becomes its own error entry), and refuses the request
    /// (400) at the file part past <paramref name="maxImages"/>, without reading the rest. Other parts are skipped.
    /// </summary>
    internal static async Task<IReadOnlyList<BatchUpload>> ReadBatchAsync(HttpRequest request, string field, int maxImages, ImageLimits limits, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new RequestProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Send multipart/form-data with the images as repeated file fields named '{field}'.");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Malformed request body", "The multipart/form-data content type names no boundary.");

        var uploads = new List<BatchUpload>();
        var others = new List<string>();
        var reader = new MultipartReader(boundary, request.Body);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    continue;
                string name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (!disposition.IsFileDisposition() || name != field)
                {
                    if (others.Count < 16 && !others.Contains(name))
                        others.Add(name);
                    continue; // the reader skips the rest of this part
                }
                if (uploads.Count == maxImages)
                    throw new RequestProblemException(StatusCodes.Status400BadRequest, "Too many images",
                        $"A batch carries at most {maxImages} images; this one has more. Split it.");
                string fileName = HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value ?? "";
                uploads.Add(await ReadPartAsync(section.Body, fileName, limits, cancellationToken));
            }
        }
        catch (InvalidDataException e)
        {
            throw new RequestProblemException(StatusCodes.Status400BadRequest, "Malformed request body", $"The multipart body cannot be read: {e.Message}");
        }
        return uploads.Count == 0 ? throw MissingField(field, others) : uploads;
    }

    private static async Task<BatchUpload> ReadPartAsync(Stream part, string fileName, ImageLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await limits.ReadBoundedAsync(part, cancellationToken);
            return bytes.Length == 0
                ? new BatchUpload(fileName, null, new InvalidImageException(ImageErrorKind.Empty, $"The uploaded file '{fileName}' is empty (0 bytes)."))
                : new BatchUpload(fileName, bytes, null);
        }
        catch (InvalidImageException e)
        {
            return new BatchUpload(fileName, null, e);
        }
    }

    internal static RequestProblemException MissingField(string field, IFormCollection form) =>
        MissingField(field, form.Files.Select(f => f.Name).Concat(form.Keys).Distinct().ToArray());

    private static RequestProblemException MissingField(string field, IReadOnlyCollection<string> received)
    {
        return new RequestProblemException(StatusCodes.Status400BadRequest, "Missing image",
            received.Count == 0
                ? $"The form has no fields; send the image as a file field named '{field}'."
                : $"The form has no file field named '{field}'; it has: {string.Join(", ", received.Select(r => $"'{r}'"))}.");
    }

    private static bool IsRawImage(string? contentType) =>
        contentType is not null && (contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase));
}

/// <summary>One file part of a batch: its image, or why it could not be read.</summary>
internal sealed record BatchUpload(string FileName, byte[]? Image, InvalidImageException? Error);
