using Npgsql;

namespace Classifier.Storage;

/// <summary>
/// The library's tables in PostgreSQL, versioned: each migration runs once, in its own transaction, and is recorded in
/// <c>schema_version</c>. Every process migrates at start under one advisory lock, so ten replicas starting together
/// migrate once and the other nine find the schema current. Operators can migrate ahead of a rollout with the host's
/// <c>migrate</c> verb.
/// </summary>
public static class PostgreSqlSchema
{
    // Any fixed number serves, as long as nothing else in the database takes the same advisory lock ("Classifi").
    private const long MigrationLockKey = 0x436C617373696669;

    private static readonly (string Description, string Sql)[] s_migrations =
    [
        ("prediction log, corrections, shadow answers and proposed classes", """
            CREATE TABLE predictions (
                id text PRIMARY KEY,
                created_utc timestamptz NOT NULL,
                model_version text NOT NULL,
                label text NOT NULL,
                confidence real NOT NULL,
                image_hash text NOT NULL);
            -- the experiments' statistics: one version's predictions since a time
            CREATE INDEX predictions_by_version ON predictions (model_version, created_utc);
            -- seq orders corrections as they were added: the latest one wins, even within one clock tick
            CREATE TABLE corrections (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text NOT NULL UNIQUE,
                created_utc timestamptz NOT NULL,
                prediction_id text NULL REFERENCES predictions (id),
                image_hash text NOT NULL,
                label text NOT NULL,
                -- who sent it: the client it is counted against, and its ContributorRole
                client_id text NOT NULL,
                role text NOT NULL);
            -- the latest correction of each image (retraining)
            CREATE INDEX corrections_by_image ON corrections (image_hash, created_utc DESC, seq DESC);
            -- the latest correction of each prediction (the experiments' statistics)
            CREATE INDEX corrections_by_prediction ON corrections (prediction_id, seq DESC) WHERE prediction_id IS NOT NULL;
            CREATE TABLE shadow_predictions (
                prediction_id text NOT NULL REFERENCES predictions (id),
                shadow_version text NOT NULL,
                created_utc timestamptz NOT NULL,
                label text NOT NULL,
                confidence real NOT NULL,
                PRIMARY KEY (prediction_id, shadow_version));
            CREATE INDEX shadow_predictions_by_version ON shadow_predictions (shadow_version, created_utc);
            CREATE TABLE label_proposals (
                label text PRIMARY KEY,
                proposed_utc timestamptz NOT NULL,
                proposed_by text NOT NULL,
                approved_utc timestamptz NULL,
                approved_by text NULL);
            """),
        ("images by content hash", """
            CREATE TABLE images (
                hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
                bytes bytea NOT NULL,
                created_utc timestamptz NOT NULL DEFAULT now());
            """),
        ("experiment settings", """
            CREATE TABLE experiment_settings (
                id integer PRIMARY KEY CHECK (id = 1),
                settings jsonb NOT NULL,
                version bigint NOT NULL,
                updated_utc timestamptz NOT NULL DEFAULT now());
            """),
        ("embedding cache", """
            CREATE TABLE embeddings (
                backbone text NOT NULL,
                hash text NOT NULL,
                vector bytea NOT NULL,
                created_utc timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (backbone, hash));
            """),
        ("client-assignment secret", """
            CREATE TABLE client_assignment_secret (
                id integer PRIMARY KEY CHECK (id = 1),
                secret bytea NOT NULL,
                created_utc timestamptz NOT NULL DEFAULT now());
            """),
        ("the classes each prediction listed (the labeling queue), activity per day", """
            ALTER TABLE predictions ADD COLUMN top_json jsonb NULL;
            -- the labeling queue: the newest predictions, and whether their image was corrected
            CREATE INDEX predictions_by_time ON predictions (created_utc DESC);
            CREATE INDEX corrections_by_time ON corrections (created_utc);
            """),
        ("the key ring of the host's data protection, shared by replicas (the console's antiforgery tokens)", """
            CREATE TABLE data_protection_keys (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                friendly_name text NOT NULL UNIQUE,
                xml text NOT NULL,
                created_utc timestamptz NOT NULL DEFAULT now());
            """),
        ("whom each prediction was made for; the erasure log; indexes for erasure and retention", """
            -- erasure and access by client (issue 14); predictions logged before name no client
            ALTER TABLE predictions ADD COLUMN client_id text NOT NULL DEFAULT '';
            CREATE INDEX predictions_by_client ON predictions (client_id);
            CREATE INDEX corrections_by_client ON corrections (client_id);
            -- erasure by image, and retention: the newest prediction of each image
            CREATE INDEX predictions_by_image ON predictions (image_hash, created_utc);
            CREATE INDEX embeddings_by_hash ON embeddings (hash);
            -- what was erased, when and by whom; never the data
            CREATE TABLE erasures (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                erased_utc timestamptz NOT NULL,
                scope text NOT NULL,
                target text NOT NULL,
                erased_by text NOT NULL,
                predictions integer NOT NULL,
                corrections integer NOT NULL,
                images integer NOT NULL);
            """),
        ("the model registry, and notifications of the current version and of the experiment settings", """
            -- versions by number (v1, v2, ...): the head and the first tier are tens of kilobytes
            CREATE TABLE model_versions (
                number integer PRIMARY KEY CHECK (number > 0),
                manifest jsonb NOT NULL,
                head bytea NOT NULL,
                first_tier bytea NULL,
                created_utc timestamptz NOT NULL DEFAULT now());
            -- one row, there from the start: promotions lock it, so the database orders concurrent ones
            CREATE TABLE model_pointer (
                id integer PRIMARY KEY CHECK (id = 1),
                version text NULL,
                changed_utc timestamptz NULL);
            INSERT INTO model_pointer (id) VALUES (1);
            CREATE TABLE model_promotions (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                version text NOT NULL,
                at_utc timestamptz NOT NULL,
                reason text NOT NULL,
                promoted_by text NOT NULL);
            -- every replica listens: a notification is delivered when the change commits, whoever made it
            CREATE FUNCTION notify_model_pointer() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('classifier_model_pointer', COALESCE(NEW.version, '')); RETURN NULL; END $$;
            CREATE TRIGGER model_pointer_changed AFTER UPDATE ON model_pointer
                FOR EACH ROW EXECUTE FUNCTION notify_model_pointer();
            CREATE FUNCTION notify_experiment_settings() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('classifier_experiments', NEW.version::text); RETURN NULL; END $$;
            CREATE TRIGGER experiment_settings_changed AFTER INSERT OR UPDATE ON experiment_settings
                FOR EACH ROW EXECUTE FUNCTION notify_experiment_settings();
            """),
        ("answers a version failed to give (the canary's error rate, counted by every replica alike)", """
            CREATE TABLE answer_failures (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                model_version text NOT NULL,
                created_utc timestamptz NOT NULL);
            -- the experiments' statistics: one version's failures since a time
            CREATE INDEX answer_failures_by_version ON answer_failures (model_version, created_utc);
            """),
    ];

    /// <summary>The schema version this build uses.</summary>
    public static int CurrentVersion => s_migrations.Length;

    /// <summary>
    /// Brings the database named by <paramref name="connectionString"/> to <see cref="CurrentVersion"/>; safe to run
    /// from many processes at once. Throws <see cref="InvalidOperationException"/> when the database is newer than
    /// this build (a newer version of the service migrated it), and <see cref="NpgsqlException"/> when it cannot be reached.
    /// </summary>
    public static async Task<SchemaMigration> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return await MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<SchemaMigration> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A session lock, not a transaction's: each migration commits on its own while the lock is held. Should the
        // process die holding it, the server releases it with the session.
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version integer PRIMARY KEY,
                    description text NOT NULL,
                    applied_utc timestamptz NOT NULL DEFAULT now())
                """, cancellationToken).ConfigureAwait(false);
            int from;
            await using (var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", connection))
                from = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (from > CurrentVersion)
                throw new InvalidOperationException($"The database's schema is version {from}, newer than this build's {CurrentVersion}: a newer version of the service migrated it. Run that version, or restore a backup taken before it.");
            for (int version = from + 1; version <= CurrentVersion; version++)
            {
                var (description, sql) = s_migrations[version - 1];
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_version (version, description) VALUES ($1, $2)", connection))
                {
                    record.Parameters.Add(new() { Value = version });
                    record.Parameters.Add(new() { Value = description });
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            return new SchemaMigration(from, CurrentVersion);
        }
        finally
        {
            // Not the caller's token: the lock must be released even when the migration was cancelled. A broken
            // connection has lost the lock with its session already.
            if (connection.State == System.Data.ConnectionState.Open)
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
