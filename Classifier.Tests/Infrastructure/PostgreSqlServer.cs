using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Classifier.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL server for the whole test run, started on first use from this machine's binaries
/// (<see cref="PostgreSqlBinaries"/>): <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free loopback
/// port, durability off (fsync, full-page writes: nothing here must survive a crash of the machine). As root, the
/// server runs as the <c>postgres</c> user (or <c>nobody</c>), since PostgreSQL refuses to run as root. It is stopped
/// when the test process exits, and by a watchdog shell should the process be killed.
/// </summary>
internal sealed class PostgreSqlServer
{
    private static readonly Lazy<Task<PostgreSqlServer>> s_shared = new(() => Task.Run(StartWithRetriesAsync));
    private readonly string _folder;
    private readonly string _bin;
    private readonly string? _runAs;
    private int _stopped;

    private PostgreSqlServer(string folder, string bin, string? runAs, int port)
    {
        _folder = folder;
        _bin = bin;
        _runAs = runAs;
        Port = port;
    }

    internal int Port { get; }

    /// <summary>The server of this test run; the first caller starts it (about 2 s).</summary>
    internal static Task<PostgreSqlServer> SharedAsync() => s_shared.Value;

    /// <summary>A connection string to <paramref name="database"/> as the superuser (trust authentication, loopback only).</summary>
    internal string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        IncludeErrorDetail = true,
    }.ToString();

    private string DataFolder => Path.Combine(_folder, "data");

    private static async Task<PostgreSqlServer> StartWithRetriesAsync()
    {
        var bin = PostgreSqlBinaries.Directory ?? throw new InvalidOperationException(
            "These tests need PostgreSQL, and CI requires them, but this machine has no PostgreSQL server binaries: install them (Debian: apt-get install postgresql) or set CLASSIFIER_POSTGRESQL_BIN.");
        // Another process may take the free port between our look and the server's bind: try again on a new one.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartAsync(bin);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<PostgreSqlServer> StartAsync(string bin)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"classifier-pg-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(folder);
        var runAs = Environment.UserName == "root" ? (await RunAsync("id", ["-u", "postgres"], throwOnFailure: false) == 0 ? "postgres" : "nobody") : null;
        if (runAs is not null)
            await RunAsync("chown", [runAs, folder]);
        var server = new PostgreSqlServer(folder, bin, runAs, FreeLoopbackPort());
        try
        {
            await server.RunPostgresToolAsync("initdb", ["-D", server.DataFolder, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
            await server.RunPostgresToolAsync("pg_ctl", ["start", "-D", server.DataFolder, "-w", "-t", "60", "-l", Path.Combine(folder, "server.log"), "-o",
                $"-c listen_addresses=127.0.0.1 -p {server.Port} -c unix_socket_directories={folder} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300"]);
        }
        catch (InvalidOperationException)
        {
            server.Stop();
            throw;
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        server.StartWatchdog();
        return server;
    }

    /// <summary>Stops the server at once and deletes its folder; safe to call twice.</summary>
    internal void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        RunAsync(PostgresTool("pg_ctl").File, [.. PostgresTool("pg_ctl").Prefix, "stop", "-D", DataFolder, "-m", "immediate", "-w"], throwOnFailure: false).GetAwaiter().GetResult();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }
    }

    /// <summary>A shell outside this process's group that stops the server once this process is gone, however it ended.</summary>
    private void StartWatchdog()
    {
        var (file, prefix) = PostgresTool("pg_ctl");
        var stop = string.Join(' ', new[] { file }.Concat(prefix).Concat(["stop", "-D", DataFolder, "-m", "immediate"]).Select(Quote));
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {Quote(_folder)}";
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["sh", "-c", script])
            start.ArgumentList.Add(argument);
        try
        {
            using var watchdog = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid (not Linux): the server still stops when the process exits normally.
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private Task RunPostgresToolAsync(string tool, string[] arguments)
    {
        var (file, prefix) = PostgresTool(tool);
        return RunAsync(file, [.. prefix, .. arguments]);
    }

    /// <summary>How to run one of the server's tools: through runuser when this process is root.</summary>
    private (string File, string[] Prefix) PostgresTool(string tool) => _runAs is null
        ? (Path.Combine(_bin, tool), [])
        : ("runuser", ["-u", _runAs, "--", Path.Combine(_bin, tool)]);

    private static async Task<int> RunAsync(string file, string[] arguments, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 && throwOnFailure)
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited with {process.ExitCode}: {await error}{await output}");
        return process.ExitCode;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
