using Classifier.Host.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Security;

/// <summary>
/// How large a request body each endpoint accepts, instead of one limit for all: one image (plus the form around it)
/// for <c>/predict</c> and multipart <c>/feedback</c>, the batch limit (<see cref="ServiceOptions.MaxRequestBytes"/>)
/// for <c>/batch_predict</c>, and <see cref="ServiceOptions.MaxJsonBytes"/> for every JSON body and every endpoint
/// that declares nothing. Endpoints declare theirs with <see cref="RequestSizeLimitAttribute"/> metadata (which the
/// routing middleware applies to Kestrel's <see cref="IHttpMaxRequestBodySizeFeature"/>) and form limits with
/// <c>WithFormOptions</c>; <see cref="UseBodyLimits"/> enforces the same numbers on any server, answers a body that
/// is declared too large with 413 before reading it, and one found too large while reading with 413 too.
/// </summary>
internal static class BodyLimits
{
    /// <summary>What a multipart form around one image adds: boundaries, part headers, a label. 16 KiB.</summary>
    internal const long FormOverheadBytes = 16 * 1024;

    /// <summary>Form fields one image's form may have (the image, a label, a few spare). 16.</summary>
    internal const int FormValueCount = 16;

    /// <summary>Longest text field of a form (a label). 4 KiB.</summary>
    internal const int FormValueLength = 4 * 1024;

    /// <summary>The body limit of an endpoint that takes one image: the image limit plus <see cref="FormOverheadBytes"/>.</summary>
    internal static long OneImageBytes(ClassifierOptions options) => options.Images.MaxBytes + FormOverheadBytes;

    /// <summary>
    /// The endpoint takes one image, as a multipart form or as the body: its body is bounded by the image limit plus
    /// the form around it, and its form by a few small fields. A JSON body sent to it is still bounded as JSON.
    /// </summary>
    internal static RouteHandlerBuilder AcceptsOneImage(this RouteHandlerBuilder builder, IEndpointRouteBuilder app)
    {
        long bytes = OneImageBytes(app.ServiceProvider.GetRequiredService<IOptions<ClassifierOptions>>().Value);
        return builder.WithMetadata(new RequestSizeLimitAttribute(bytes))
            .WithFormOptions(multipartBodyLengthLimit: bytes, valueCountLimit: FormValueCount, valueLengthLimit: FormValueLength)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>The endpoint takes a batch of images: its body is bounded by <see cref="ServiceOptions.MaxRequestBytes"/>.</summary>
    internal static RouteHandlerBuilder AcceptsImageBatch(this RouteHandlerBuilder builder, IEndpointRouteBuilder app)
    {
        long bytes = app.ServiceProvider.GetRequiredService<IOptions<ServiceOptions>>().Value.MaxRequestBytes;
        return builder.WithMetadata(new RequestSizeLimitAttribute(bytes)).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>
    /// Applies each endpoint's limit to the request (after routing, before anything reads the body): a JSON body gets
    /// at most <see cref="ServiceOptions.MaxJsonBytes"/>, an endpoint without a declared limit the same.
    /// </summary>
    internal static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app)
    {
        long jsonBytes = app.ApplicationServices.GetRequiredService<IOptions<ServiceOptions>>().Value.MaxJsonBytes;
        return app.Use(next => context => ApplyAsync(context, next, jsonBytes));
    }

    private static async Task ApplyAsync(HttpContext context, RequestDelegate next, long jsonBytes)
    {
        var declared = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>();
        long? limit = declared is null ? jsonBytes : declared.MaxRequestBodySize;
        bool json = context.Request.HasJsonContentType();
        if (json)
            limit = Math.Min(limit ?? long.MaxValue, jsonBytes);
        if (limit is not { } bytes)
        {
            await next(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
            server.MaxRequestBodySize = bytes;
        string limitText = $"The body limit of {context.Request.Method} {context.Request.Path} is {bytes:N0} bytes{(json ? " for JSON" : "")}";
        if (context.Request.ContentLength > bytes)
        {
            await WriteTooLargeAsync(context, $"{limitText}; this body is {context.Request.ContentLength:N0} bytes.");
            return;
        }

        // Servers without the feature (the in-memory test server) and bodies without a length are bounded while read.
        var body = new BoundedBody(context.Request.Body, bytes, $"{limitText}; this body is larger.");
        context.Request.Body = body;
        await next(context);
        // Something that read the body may have swallowed the refusal: parameter binding sets the status and writes nothing.
        if (body.Exceeded && !context.Response.HasStarted)
            await WriteTooLargeAsync(context, body.Message);
    }

    private static async Task WriteTooLargeAsync(HttpContext context, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemMapping.Problem(StatusCodes.Status413PayloadTooLarge, ProblemMapping.TooLargeTitle, detail),
        });
    }

    /// <summary>A request body that refuses (413) to be read past its limit, and remembers that it did.</summary>
    private sealed class BoundedBody(Stream inner, long limit, string message) : Stream
    {
        private long _read;

        internal bool Exceeded { get; private set; }

        internal string Message => message;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(Guard(() => inner.Read(buffer, offset, count)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return Count(await inner.ReadAsync(buffer, cancellationToken));
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                Exceeded = true; // the server's own limit, the same number
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Guard(Func<int> read)
        {
            try
            {
                return read();
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                Exceeded = true;
                throw;
            }
        }

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                Exceeded = true;
                throw new BadHttpRequestException(message, StatusCodes.Status413PayloadTooLarge);
            }
            return read;
        }
    }
}
