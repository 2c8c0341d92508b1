using System.Globalization;
using System.Text.Json;
using Classifier.Privacy;
using Classifier.Serving;
using Microsoft.Data.Sqlite;

namespace Classifier.Feedback;

/// <summary>
/// The prediction log and corrections in SQLite (WAL), images in an <see cref="IImageStore"/>. Every write that returned
/// survives the process being killed; a correction, a proposed class and an erasure are synced to the WAL file before
/// they return (<c>synchronous=FULL</c>), so they survive a power loss too, with every write before them (the WAL is
/// appended in order). The prediction log is written with <c>synchronous=NORMAL</c>: syncing every prediction would cost
/// a cached <c>/predict</c> about 12 times its time (bench <c>durability</c>), and a prediction lost to a power loss
/// loses only the chance to correct it by id.
/// </summary>
internal sealed partial class SqliteFeedbackStore : IFeedbackStore, IDisposable
{
    // One connection, one command at a time. Microsoft.Data.Sqlite's async methods complete synchronously, but the
    // gate is awaited so that a caller's token can cancel the wait (a lock cannot be held across an await).
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly IImageStore _images;
    private readonly TimeProvider _time;
    private readonly bool _durableAcknowledgements;

    /// <summary>The database's file name in the state folder.</summary>
    internal const string FileName = "feedback.db";

    /// <summary>
    /// The database at <c>STATE/feedback.db</c>, images in <paramref name="images"/>. <paramref name="durableAcknowledgements"/>
    /// false writes corrections with <c>synchronous=NORMAL</c> too, which loses the last acknowledged ones at a power
    /// loss: only the bench (suite <c>durability</c>) asks for it, to measure what FULL costs.
    /// </summary>
    internal SqliteFeedbackStore(string statePath, IImageStore images, TimeProvider time, bool durableAcknowledgements = true)
    {
        _durableAcknowledgements = durableAcknowledgements;
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(time);
        _images = images;
        _time = time;
        var root = Path.GetFullPath(statePath);
        Privacy.OwnerOnly.Folder(root);
        var database = Path.Combine(root, FileName);
        Privacy.OwnerOnly.Database(database);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        _connection.Open();
        // NORMAL between acknowledgements; RunDurablyAsync raises it to FULL around each write a caller is told is kept.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
        CreateOrUpgradeSchema();
    }

    /// <summary>The database and the file image store in their usual places: <c>STATE/feedback.db</c> and <c>STATE/images</c>.</summary>
    internal SqliteFeedbackStore(string statePath, TimeProvider time) : this(statePath, FileImageStore.InStatePath(statePath), time)
    {
    }

    public Task<PredictionRecord?> FindPredictionAsync(string predictionId, CancellationToken cancellationToken = default) =>
        RunAsync(async command =>
        {
            command.CommandText = $"SELECT {PredictionColumns} FROM predictions WHERE id = $id";
            command.Parameters.AddWithValue("$id", predictionId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadPrediction(reader) : null;
        }, cancellationToken);

    public async Task<string> AddCorrectionAsync(string predictionId, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        var prediction = await CorrectionInput.PredictionAsync(this, predictionId, label, contributor, cancellationToken).ConfigureAwait(false);
        return await InsertCorrectionAsync(prediction.Id, prediction.ImageHash, label, contributor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> AddCorrectionAsync(ReadOnlyMemory<byte> image, string label, Contributor contributor, CancellationToken cancellationToken = default)
    {
        CorrectionInput.Validate(label, contributor);
        var hash = Images.ContentHash.Of(image.Span);
        await _images.PutDeidentifiedAsync(hash, image, cancellationToken).ConfigureAwait(false);
        return await InsertCorrectionAsync(null, hash, label, contributor, cancellationToken).ConfigureAwait(false);
    }

    public async Task<LabelProposal> ProposeLabelAsync(string label, Contributor contributor, bool approve, CancellationToken cancellationToken = default)
    {
        CorrectionInput.Validate(label, contributor);
        approve |= contributor.Role == ContributorRole.Admin;
        await RunDurablyAsync(async command =>
        {
            command.CommandText = """
                INSERT INTO label_proposals VALUES ($label, $now, $by, CASE WHEN $approve THEN $now END, CASE WHEN $approve THEN $by END)
                ON CONFLICT(label) DO UPDATE SET approved_utc = $now, approved_by = $by WHERE $approve AND approved_utc IS NULL
                """;
            command.Parameters.AddWithValue("$label", label);
            command.Parameters.AddWithValue("$now", Now());
            command.Parameters.AddWithValue("$by", contributor.ClientId);
            command.Parameters.AddWithValue("$approve", approve);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return (await GetLabelProposalsAsync(cancellationToken).ConfigureAwait(false)).Single(p => p.Label == label);
    }

    public Task<IReadOnlyList<LabelProposal>> GetLabelProposalsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<LabelProposal>>(async command =>
        {
            command.CommandText = "SELECT label, proposed_utc, proposed_by, approved_utc, approved_by FROM label_proposals ORDER BY proposed_utc, label";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<LabelProposal>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                list.Add(new LabelProposal(reader.GetString(0), ParseTime(reader.GetString(1)), reader.GetString(2),
                    reader.IsDBNull(3) ? null : ParseTime(reader.GetString(3)), reader.IsDBNull(4) ? null : reader.GetString(4)));
            return list;
        }, cancellationToken);

    public Task<IReadOnlyList<CorrectionRecord>> GetLatestCorrectionsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<CorrectionRecord>>(async command =>
        {
            // A key's correction outranks an anonymous one; then the latest wins, rowid breaking ties in the same tick.
            command.CommandText = """
                SELECT id, created_utc, prediction_id, image_hash, label, client_id, role FROM corrections c
                WHERE c.rowid = (SELECT c2.rowid FROM corrections c2 WHERE c2.image_hash = c.image_hash
                                 ORDER BY c2.role <> 'Anonymous' DESC, c2.created_utc DESC, c2.rowid DESC LIMIT 1)
                ORDER BY created_utc, rowid
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<CorrectionRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                list.Add(new CorrectionRecord(reader.GetString(0), ParseTime(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), Enum.Parse<ContributorRole>(reader.GetString(6))));
            return list;
        }, cancellationToken);

    public Task LogShadowPredictionAsync(string predictionId, string shadowVersion, string label, float confidence, CancellationToken cancellationToken = default) =>
        RunAsync(async command =>
        {
            command.CommandText = "INSERT OR REPLACE INTO shadow_predictions VALUES ($id, $version, $created, $label, $confidence)";
            command.Parameters.AddWithValue("$id", predictionId);
            command.Parameters.AddWithValue("$version", shadowVersion);
            command.Parameters.AddWithValue("$created", Now());
            command.Parameters.AddWithValue("$label", label);
            command.Parameters.AddWithValue("$confidence", confidence);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<byte[]?> ReadImageAsync(string imageHash, CancellationToken cancellationToken = default) => _images.ReadAsync(imageHash, cancellationToken);

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task<string> InsertCorrectionAsync(string? predictionId, string hash, string label, Contributor contributor, CancellationToken cancellationToken)
    {
        var id = RandomIds.New();
        return RunDurablyAsync(async command =>
        {
            command.CommandText = """
                INSERT INTO corrections (id, created_utc, prediction_id, image_hash, label, client_id, role)
                VALUES ($id, $created, $prediction, $hash, $label, $client, $role)
                """;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$created", Now());
            command.Parameters.AddWithValue("$prediction", (object?)predictionId ?? DBNull.Value);
            command.Parameters.AddWithValue("$hash", hash);
            command.Parameters.AddWithValue("$label", label);
            command.Parameters.AddWithValue("$client", contributor.ClientId);
            command.Parameters.AddWithValue("$role", contributor.Role.ToString());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return id;
        }, cancellationToken);
    }

    private const string PredictionColumns = "id, created_utc, model_version, label, confidence, image_hash, top_json";

    private static PredictionRecord ReadPrediction(SqliteDataReader reader) =>
        new(reader.GetString(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.GetString(3), reader.GetFloat(4), reader.GetString(5),
            reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<List<LabelScore>>(reader.GetString(6), Json.Compact));

    /// <summary>As <see cref="RunAsync"/>, committing with <c>synchronous=FULL</c>: what it wrote survives a power loss once it returns.</summary>
    private Task<T> RunDurablyAsync<T>(Func<SqliteCommand, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(async command =>
        {
            // The setting is the connection's and is read at commit; the gate keeps other writes out meanwhile.
            SetSynchronous(full: true);
            try
            {
                return await body(command).ConfigureAwait(false);
            }
            finally
            {
                SetSynchronous(full: false);
            }
        }, cancellationToken);

    private void SetSynchronous(bool full)
    {
        if (_durableAcknowledgements)
            Execute(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    }

    /// <summary>Runs <paramref name="body"/> on a fresh command while holding the connection.</summary>
    private async Task<T> RunAsync<T>(Func<SqliteCommand, Task<T>> body, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = _connection.CreateCommand();
            return await body(command).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private string Now() => Format(_time.GetUtcNow());

    // Round-trip format in UTC: such strings order as the times they name, so SQL compares them as text.
    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private bool ColumnExists(string table, string column)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $column";
        command.Parameters.AddWithValue("$column", column);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
