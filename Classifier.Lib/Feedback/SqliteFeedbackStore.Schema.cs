namespace Classifier.Feedback;

/// <summary>The store's tables, created when missing and upgraded in place: each later addition checks for itself, so a database of any earlier release opens.</summary>
internal sealed partial class SqliteFeedbackStore
{
    private void CreateOrUpgradeSchema()
    {
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
            CREATE TABLE IF NOT EXISTS label_proposals (
                label TEXT PRIMARY KEY,
                proposed_utc TEXT NOT NULL,
                proposed_by TEXT NOT NULL,
                approved_utc TEXT NULL,
                approved_by TEXT NULL);
            """);
        // Who sent a correction (issue 16). Corrections stored before had no roles; they were accepted as trusted then.
        if (!ColumnExists("corrections", "client_id"))
            Execute("""
                ALTER TABLE corrections ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
                ALTER TABLE corrections ADD COLUMN role TEXT NOT NULL DEFAULT 'Labeler';
                """);
        // The listed classes of a prediction (issue 12, the labeling queue ranks by the margin between the top two).
        if (!ColumnExists("predictions", "top_json"))
            Execute("ALTER TABLE predictions ADD COLUMN top_json TEXT NULL;");
        Execute("CREATE INDEX IF NOT EXISTS predictions_by_time ON predictions(created_utc);");
        // Whom a prediction was made for, for erasure and access (issue 14); predictions logged before name no client.
        if (!ColumnExists("predictions", "client_id"))
            Execute("ALTER TABLE predictions ADD COLUMN client_id TEXT NOT NULL DEFAULT '';");
        Execute("""
            CREATE INDEX IF NOT EXISTS predictions_by_client ON predictions(client_id);
            CREATE INDEX IF NOT EXISTS predictions_by_image ON predictions(image_hash, created_utc);
            CREATE INDEX IF NOT EXISTS corrections_by_client ON corrections(client_id);
            CREATE TABLE IF NOT EXISTS erasures (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                erased_utc TEXT NOT NULL,
                scope TEXT NOT NULL,
                target TEXT NOT NULL,
                erased_by TEXT NOT NULL,
                predictions INTEGER NOT NULL,
                corrections INTEGER NOT NULL,
                images INTEGER NOT NULL);
            """);
        // The canary's failures, kept beside its predictions (issue 11: counted from the log, not in memory).
        Execute("""
            CREATE TABLE IF NOT EXISTS answer_failures (model_version TEXT NOT NULL, created_utc TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS answer_failures_by_version ON answer_failures(model_version, created_utc);
            """);
    }
}
