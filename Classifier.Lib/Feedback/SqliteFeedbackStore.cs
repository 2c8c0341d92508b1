using System.Globalization;
using Classifier.Datasets;
using Classifier.Serving;
using Microsoft.Data.Sqlite;

namespace Classifier.Feedback;

/// <summary>
/// The prediction log and corrections in SQLite (WAL), images as files by hash. A write that returned has
/// reached the WAL file, so it survives the process being killed.
/// </summary>
internal sealed class SqliteFeedbackStore : IFeedbackStore, IExperimentLog, IDisposable
{
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly ImageStore _images;
    private readonly TimeProvider _time;

    internal SqliteFeedbackStore(string statePath, TimeProvider time)
    {
        _time = time;
        var root = Path.GetFullPath(statePath);
        Directory.CreateDirectory(root);
        _images = new ImageStore(Path.Combine(root, "images"));
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(root, "feedback.db"), Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS predictions (
                id TEXT PRIMARY KEY,
                created_utc TEXT NOT NULL,
                model_version TEXT NOT NULL,
                label TEXT NOT NULL,
                confidence REAL NOT NULL,
                image_hash TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS corrections (
                id TEXT PRIMARY KEY,
                created_utc TEXT NOT NULL,
                prediction_id TEXT NULL REFERENCES predictions(id),
                image_hash TEXT NOT NULL,
                label TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS corrections_by_image ON corrections(image_hash, created_utc);
            CREATE INDEX IF NOT EXISTS corrections_by_prediction ON corrections(prediction_id);
            CREATE TABLE IF NOT EXISTS shadow_predictions (
                prediction_id TEXT NOT NULL REFERENCES predictions(id),
                shadow_version TEXT NOT NULL,
                created_utc TEXT NOT NULL,
                label TEXT NOT NULL,
                confidence REAL NOT NULL,
                PRIMARY KEY (prediction_id, shadow_version));
            CREATE INDEX IF NOT EXISTS predictions_by_version ON predictions(model_version, created_utc);
            """);
    }

    public long PredictionCount => Scalar("SELECT COUNT(*) FROM predictions");

    public long CorrectionCount => Scalar("SELECT COUNT(*) FROM corrections");

    public string LogPrediction(Prediction prediction, ReadOnlySpan<byte> image)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        _images.Put(prediction.ImageHash, image);
        var id = NewId();
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO predictions VALUES ($id, $created, $version, $label, $confidence, $hash)";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$created", Now());
            command.Parameters.AddWithValue("$version", prediction.ModelVersion);
            command.Parameters.AddWithValue("$label", prediction.Label);
            command.Parameters.AddWithValue("$confidence", prediction.Confidence);
            command.Parameters.AddWithValue("$hash", prediction.ImageHash);
            command.ExecuteNonQuery();
        }
        return id;
    }

    public PredictionRecord? FindPrediction(string predictionId)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, created_utc, model_version, label, confidence, image_hash FROM predictions WHERE id = $id";
            command.Parameters.AddWithValue("$id", predictionId);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new PredictionRecord(reader.GetString(0), ParseTime(reader.GetString(1)), reader.GetString(2), reader.GetString(3), reader.GetFloat(4), reader.GetString(5))
                : null;
        }
    }

    public string AddCorrection(string predictionId, string label)
    {
        LabelName.Validate(label);
        var prediction = FindPrediction(predictionId)
            ?? throw new KeyNotFoundException($"No prediction has id '{predictionId}'. Use the predictionId returned by /predict, or send the image itself.");
        return InsertCorrection(prediction.Id, prediction.ImageHash, label);
    }

    public string AddCorrection(ReadOnlySpan<byte> image, string label)
    {
        LabelName.Validate(label);
        var hash = Images.ContentHash.Of(image);
        _images.Put(hash, image);
        return InsertCorrection(null, hash, label);
    }

    public IReadOnlyList<CorrectionRecord> LatestCorrections()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            // rowid breaks ties between corrections in the same tick: the later insert wins.
            command.CommandText = """
                SELECT id, created_utc, prediction_id, image_hash, label FROM corrections c
                WHERE c.rowid = (SELECT c2.rowid FROM corrections c2 WHERE c2.image_hash = c.image_hash
                                 ORDER BY c2.created_utc DESC, c2.rowid DESC LIMIT 1)
                ORDER BY created_utc, rowid
                """;
            using var reader = command.ExecuteReader();
            var list = new List<CorrectionRecord>();
            while (reader.Read())
                list.Add(new CorrectionRecord(reader.GetString(0), ParseTime(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            return list;
        }
    }

    public void LogShadowPrediction(string predictionId, string shadowVersion, string label, float confidence)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR REPLACE INTO shadow_predictions VALUES ($id, $version, $created, $label, $confidence)";
            command.Parameters.AddWithValue("$id", predictionId);
            command.Parameters.AddWithValue("$version", shadowVersion);
            command.Parameters.AddWithValue("$created", Now());
            command.Parameters.AddWithValue("$label", label);
            command.Parameters.AddWithValue("$confidence", confidence);
            command.ExecuteNonQuery();
        }
    }

    // The latest correction of each prediction, by insertion order.
    private const string LatestCorrectionByPrediction = """
        (SELECT prediction_id, label FROM corrections c
         WHERE c.prediction_id IS NOT NULL
           AND c.rowid = (SELECT MAX(c2.rowid) FROM corrections c2 WHERE c2.prediction_id = c.prediction_id))
        """;

    public ArmStatistics ArmStatistics(string version, DateTimeOffset sinceUtc)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"""
                SELECT COUNT(*), COALESCE(AVG(p.confidence), 0), COUNT(c.label), COALESCE(SUM(c.label = p.label), 0)
                FROM predictions p LEFT JOIN {LatestCorrectionByPrediction} c ON c.prediction_id = p.id
                WHERE p.model_version = $version AND p.created_utc >= $since
                """;
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$since", Format(sinceUtc));
            using var reader = command.ExecuteReader();
            reader.Read();
            return new ArmStatistics(reader.GetInt64(0), reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3));
        }
    }

    public ShadowStatistics ShadowStatistics(string version, DateTimeOffset sinceUtc)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"""
                SELECT COUNT(*), COALESCE(SUM(s.label = p.label), 0), COALESCE(AVG(s.confidence), 0), COUNT(c.label), COALESCE(SUM(c.label = s.label), 0)
                FROM shadow_predictions s
                JOIN predictions p ON p.id = s.prediction_id
                LEFT JOIN {LatestCorrectionByPrediction} c ON c.prediction_id = s.prediction_id
                WHERE s.shadow_version = $version AND s.created_utc >= $since
                """;
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$since", Format(sinceUtc));
            using var reader = command.ExecuteReader();
            reader.Read();
            return new ShadowStatistics(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4));
        }
    }

    public byte[]? ReadImage(string imageHash) => _images.Read(imageHash);

    public void Dispose()
    {
        lock (_gate)
            _connection.Dispose();
    }

    private string InsertCorrection(string? predictionId, string hash, string label)
    {
        var id = NewId();
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO corrections VALUES ($id, $created, $prediction, $hash, $label)";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$created", Now());
            command.Parameters.AddWithValue("$prediction", (object?)predictionId ?? DBNull.Value);
            command.Parameters.AddWithValue("$hash", hash);
            command.Parameters.AddWithValue("$label", label);
            command.ExecuteNonQuery();
        }
        return id;
    }

    private static string NewId() => Guid.CreateVersion7().ToString("N");

    private string Now() => Format(_time.GetUtcNow());

    // Round-trip format in UTC: such strings order as the times they name, so SQL compares them as text.
    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private long Scalar(string sql)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
