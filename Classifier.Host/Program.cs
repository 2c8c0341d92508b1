using Classifier.Host.Cli;

if (args.Length > 0 && OfflineVerbs.Names.Contains(args[0]))
    return await OfflineVerbs.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "alive" }));
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
