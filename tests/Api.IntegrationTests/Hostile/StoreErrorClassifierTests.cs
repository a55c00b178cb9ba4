using Chat.Domain.Errors;
using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Chat.IntegrationTests.Infrastructure;
using Dapper;

namespace Chat.IntegrationTests.Hostile;

/// <summary>Errors a real store raises because of a request's data map to client codes, never to unavailable.</summary>
public sealed class StoreErrorClassifierTests
{
    [Fact]
    public async Task Postgres_integrity_and_data_errors_are_client_errors()
    {
        await using var dataSource = await MigratedStores.PostgresAsync("classify");
        await using var connection = await dataSource.OpenConnectionAsync();
        var classifier = new PostgresErrorClassifier();
        await connection.ExecuteAsync("INSERT INTO accounts (user_id, password_hash, created_at) VALUES ('taken', 'h', now())");

        var foreignKey = await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("INSERT INTO contacts (user_id, contact_id) VALUES ('nobody', 'x')"));
        var unique = await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("INSERT INTO accounts (user_id, password_hash, created_at) VALUES ('taken', 'h', now())"));
        var nul = await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("INSERT INTO accounts (user_id, password_hash, created_at) VALUES (@Id, 'h', now())", new { Id = "a\0b" }));

        Assert.Equal(ChatErrorCode.NotFound, classifier.ClientErrorOf(foreignKey)?.Code);
        Assert.Equal(ChatErrorCode.Conflict, classifier.ClientErrorOf(unique)?.Code);
        Assert.Equal(ChatErrorCode.InvalidRequest, classifier.ClientErrorOf(nul)?.Code);
        Assert.All(new[] { foreignKey, unique, nul }, e => Assert.False(classifier.IsOutage(e)));
        Assert.True(classifier.IsOutage(new TimeoutException()));
    }

    [Fact]
    public async Task Sqlite_constraint_errors_are_client_errors()
    {
        var directory = MigratedStores.NewSqliteDirectory();
        try
        {
            var connections = await MigratedStores.SqliteAsync(directory);
            await using var connection = await connections.OpenAsync(default);
            var classifier = new SqliteErrorClassifier();
            await connection.ExecuteAsync("INSERT INTO accounts (user_id, password_hash, created_at) VALUES ('taken', 'h', 0)");

            var foreignKey = await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("INSERT INTO contacts (user_id, contact_id) VALUES ('nobody', 'x')"));
            var unique = await Assert.ThrowsAnyAsync<Exception>(() => connection.ExecuteAsync("INSERT INTO accounts (user_id, password_hash, created_at) VALUES ('taken', 'h', 0)"));

            Assert.Equal(ChatErrorCode.NotFound, classifier.ClientErrorOf(foreignKey)?.Code);
            Assert.Equal(ChatErrorCode.Conflict, classifier.ClientErrorOf(unique)?.Code);
            Assert.False(classifier.IsOutage(unique));
        }
        finally
        {
            MigratedStores.DeleteSqlite(directory);
        }
    }
}
