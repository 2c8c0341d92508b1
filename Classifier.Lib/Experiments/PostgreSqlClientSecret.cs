using System.Security.Cryptography;
using Classifier.Storage;

namespace Classifier.Experiments;

/// <summary>
/// The client-assignment secret (<see cref="ClientBucket"/>) kept in the database when none is configured, so that every
/// replica puts a client in the same arm: the first replica's 32 random bytes win, in one statement.
/// </summary>
internal static class PostgreSqlClientSecret
{
    internal static byte[] GetOrCreate(PostgreSqlDatabase database)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // The insert's own row is invisible to the rest of the statement, hence both halves of the union.
        command.CommandText = """
            WITH created AS (
                INSERT INTO client_assignment_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING RETURNING secret)
            SELECT secret FROM created UNION ALL SELECT secret FROM client_assignment_secret WHERE id = 1 LIMIT 1
            """;
        command.Parameters.Add(new() { Value = RandomNumberGenerator.GetBytes(32) });
        return (byte[])command.ExecuteScalar()!;
    }
}
