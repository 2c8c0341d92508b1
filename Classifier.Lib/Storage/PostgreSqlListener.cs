using Npgsql;

namespace Classifier.Storage;

/// <summary>
/// Listens to one notification channel on a connection of its own until disposed, reconnecting after a failure. Calls
/// <c>notified</c> for each notification and once after each (re)connection, since whatever was announced while it was
/// not listening is lost; calls <c>failed</c> when the connection breaks. Callers poll as well: a connection can hang
/// without breaking.
/// </summary>
internal sealed class PostgreSqlListener : IDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    internal PostgreSqlListener(PostgreSqlDatabase database, string channel, Action notified, Action<Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        _loop = Task.Run(() => ListenAsync(database, channel, notified, failed, _stop.Token));
    }

    private static async Task ListenAsync(PostgreSqlDatabase database, string channel, Action notified, Action<Exception> failed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, _) => notified();
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                notified();
                while (true)
                    await connection.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failed(e);
            }
            try
            {
                await Task.Delay(ReconnectDelay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends on cancellation; anything else was reported through failed already.
        }
        _stop.Dispose();
    }
}
