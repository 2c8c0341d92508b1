using Classifier.Host;
using Classifier.Host.Cli;

if (args.Length > 0 && OfflineVerbs.Names.Contains(args[0]))
    return await OfflineVerbs.RunAsync(args);

// appsettings.json sits beside the binary; relative data paths mean the folder the service was started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddClassifierService();

var app = builder.Build();
app.MapClassifierService();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
