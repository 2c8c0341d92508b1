// Build script: `dotnet tool restore && dotnet cake --target=Pack` (Default runs the tests).
// Targets: Clean, Restore, Build, Test, Pack, Publish.
// Arguments: --configuration=Release|Debug (default Release); --filter=EXPR narrows Test as `dotnet test --filter` does.

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var filter = Argument("filter", string.Empty);

var solution = File("./Classifier.sln");
var library = File("./Classifier.Lib/Classifier.Lib.csproj");
var host = File("./Classifier.Host/Classifier.Host.csproj");
var artifacts = Directory("./artifacts");
var packages = artifacts + Directory("packages");
var publish = artifacts + Directory("publish");

Task("Clean")
    .Description("Removes build outputs and artifacts/.")
    .Does(() =>
{
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
    if (DirectoryExists(artifacts))
        DeleteDirectory(artifacts, new DeleteDirectorySettings { Recursive = true, Force = true });
});

Task("Restore")
    .Description("Restores the solution's packages.")
    .Does(() =>
{
    DotNetRestore(solution);
});

Task("Build")
    .Description("Builds the solution; warnings are errors (Directory.Build.props).")
    .IsDependentOn("Restore")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration, NoRestore = true });
});

Task("Test")
    .Description("Runs Classifier.Tests on the build.")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings
    {
        Configuration = configuration,
        NoRestore = true,
        NoBuild = true,
        Filter = string.IsNullOrEmpty(filter) ? null : filter,
    });
});

Task("Pack")
    .Description("Packs Classifier.Lib into artifacts/packages.")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetPack(library, new DotNetPackSettings
    {
        Configuration = configuration,
        NoRestore = true,
        NoBuild = true,
        OutputDirectory = packages,
    });
});

Task("Publish")
    .Description("Publishes Classifier.Host into artifacts/publish.")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetPublish(host, new DotNetPublishSettings
    {
        Configuration = configuration,
        NoRestore = true,
        OutputDirectory = publish,
    });
});

Task("Default")
    .IsDependentOn("Test");

RunTarget(target);
