using Classifier.Feedback;
using Classifier.Host.Errors;
using Classifier.Host.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui;

/// <summary>
/// The web console at <c>/ui</c>: server-rendered Razor Pages over the library's public services, its stylesheet and
/// one small script served by the host itself (no request leaves it), and the images of logged predictions for
/// labelers and admins.
/// </summary>
internal static class ConsoleHosting
{
    internal const string Root = "/ui";

    internal static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddRazorPages(pages => pages.RootDirectory = "/Ui/Pages");
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "classifier_antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    internal static WebApplication MapConsole(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Root), branch => branch.Use((http, next) =>
        {
            // Everything the console needs comes from the host: nothing else may load, nor may another site frame it.
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return next(http);
        }));
        app.MapGet($"{Root}/assets/{{name}}", ConsoleAssets.Serve).ExcludeFromDescription();
        app.MapGet($"{Root}/images/{{predictionId}}", ReadImageAsync).ExcludeFromDescription();
        // Try it takes one image, as POST /predict does; the other forms carry a label or two.
        long oneImage = BodyLimits.OneImageBytes(app.Services.GetRequiredService<IOptions<ClassifierOptions>>().Value);
        app.MapRazorPages().WithMetadata(new RequestSizeLimitAttribute(oneImage));
        return app;
    }

    /// <summary>The image a caller sent with a prediction: only labelers and admins may see it.</summary>
    private static async Task<IResult> ReadImageAsync(string predictionId, HttpContext http, IFeedbackService feedback, IOptions<ServiceOptions> options, CancellationToken cancellationToken)
    {
        var caller = Callers.IdentifySignedIn(http, options.Value);
        if (!caller.IsTrusted)
            return TypedResults.Problem(ProblemMapping.Problem(StatusCodes.Status403Forbidden, "Forbidden", "Only a labeler or an admin may see the images callers sent; sign in at /ui/signin."));
        var bytes = await feedback.ReadPredictionImageAsync(predictionId, caller, cancellationToken);
        if (bytes is null)
            return TypedResults.NotFound();
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.File(bytes, ImageTypes.Of(bytes));
    }
}
