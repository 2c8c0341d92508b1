using Classifier.Host.Apis;
using Classifier.Host.Ui;
using Classifier.Host.Errors;
using Classifier.Host.Jobs;
using Classifier.Host.Observability;
using Classifier.Host.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Classifier.Host;

/// <summary>Wires the HTTP service: the library's classifier, the endpoints, errors, metrics, OpenAPI.</summary>
internal static partial class ServiceHosting
{
    internal static WebApplicationBuilder AddClassifierService(this WebApplicationBuilder builder)
    {
        // The same registration an application referencing Classifier.Lib makes.
        builder.Services.AddImageClassifier();

        builder.Services.AddOptions<ServiceOptions>().BindConfiguration(ClassifierOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>();
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddRetrainJobs();
        builder.Services.AddConsole();
        builder.Services.AddKeyRing();
        builder.Services.AddClientRateLimits();
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = Correlation.AddTraceId);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi(options => options.AddAdminApiKeySecurity().DescribeService());
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull);

        // The server's ceiling is the largest body any endpoint takes (a batch); each endpoint's own limit (BodyLimits) lowers it per request.
        long maxRequestBytes = builder.Configuration.GetValue<long?>($"{ClassifierOptions.SectionName}:{nameof(ServiceOptions.MaxRequestBytes)}") ?? new ServiceOptions().MaxRequestBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxRequestBytes);
        builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = maxRequestBytes);

        // A stopping host's whole budget: the readiness drain, then the requests in flight (Kestrel waits for them until
        // it runs out). Read from configuration, not the validated options, because the host reads HostOptions when it
        // is built, before the options are validated at start.
        builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var section = configuration.GetSection(ClassifierOptions.SectionName);
            host.ShutdownTimeout = section.GetValue(nameof(ClassifierOptions.ShutdownDrain), new ClassifierOptions().ShutdownDrain)
                + section.GetValue(nameof(ServiceOptions.ShutdownTimeout), new ServiceOptions().ShutdownTimeout);
        });
        return builder;
    }

    internal static WebApplication MapClassifierService(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ServiceMetrics>();
        app.UseCorrelationId();
        if (app.Services.GetRequiredService<IOptions<ServiceOptions>>().Value.ServerTiming)
            app.UseServerTiming();
        // Outermost but for the timing, so that the status recorded is the one the error handler finally wrote.
        app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseBodyLimits();

        var api = app.MapGroup("").AddEndpointFilter<ProblemEndpointFilter>();
        api.MapHealthApi();
        api.MapPredictionApi();
        api.MapFeedbackApi();
        api.MapModelsApi();
        api.MapExperimentsApi();
        api.MapRetrainApi();
        app.MapRetrainDashboard();
        app.MapConsole();
        app.MapMetrics("/metrics", metrics.Registry);
        app.MapOpenApi();
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint("/openapi/v1.json", "Classifier");
            ui.RoutePrefix = "swagger";
        });

        if (string.IsNullOrEmpty(app.Services.GetRequiredService<IOptions<ServiceOptions>>().Value.AdminApiKey))
            LogNoAdminKey(app.Logger);
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No admin key is set: admin endpoints answer only to loopback callers. Set Classifier__AdminApiKey (sent as the X-Api-Key header) to allow others.")]
    private static partial void LogNoAdminKey(ILogger logger);
}
