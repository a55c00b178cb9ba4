using Chat.Domain.Accounts;
using Chat.Domain.Devices;
using Chat.Domain.Errors;
using Chat.Domain.Groups;
using Chat.Domain.Messaging;
using Chat.Infrastructure.Migrations;
using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chat.Infrastructure.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the stores: PostgreSQL when ConnectionStrings:Postgres is set, else the embedded SQLite file.</summary>
    public static IServiceCollection AddChatStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        services.AddSingleton(options);
        var postgres = configuration.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            services.AddSingleton(_ => PostgresDataSource.Create(postgres));
            services.AddSingleton<IMailboxStore>(sp => new PostgresMailboxStore(sp.GetRequiredService<NpgsqlDataSource>(), options.PostgresBatchShape));
            services.AddSingleton<IAccountStore, PostgresAccountStore>();
            services.AddSingleton<IDeviceStore, PostgresDeviceStore>();
            services.AddSingleton<IGroupStore, PostgresGroupStore>();
            services.AddSingleton<PostgresMigrationRunner>();
            services.AddSingleton<IDatabaseMigrator>(sp => new Migrator(sp.GetRequiredService<PostgresMigrationRunner>().MigrateAsync));
            services.AddSingleton(new StorageKind("postgres"));
            services.AddSingleton<IStoreErrorClassifier, PostgresErrorClassifier>();
        }
        else
        {
            services.AddSingleton(SqliteConnectionFactory.ForDirectory(options.DataDirectory));
            services.AddSingleton<IMailboxStore, SqliteMailboxStore>();
            services.AddSingleton<IAccountStore, SqliteAccountStore>();
            services.AddSingleton<IDeviceStore, SqliteDeviceStore>();
            services.AddSingleton<IGroupStore, SqliteGroupStore>();
            services.AddSingleton<SqliteMigrationRunner>();
            services.AddSingleton<IDatabaseMigrator>(sp => new Migrator(sp.GetRequiredService<SqliteMigrationRunner>().MigrateAsync));
            services.AddSingleton(new StorageKind("sqlite"));
            services.AddSingleton<IStoreErrorClassifier, SqliteErrorClassifier>();
        }

        services.AddSingleton<IGroupDirectory>(sp => sp.GetRequiredService<IGroupStore>());
        return services;
    }

    private sealed class Migrator(Func<CancellationToken, Task> migrate) : IDatabaseMigrator
    {
        public Task MigrateAsync(CancellationToken cancellationToken) => migrate(cancellationToken);
    }
}

/// <summary>Which store this node runs on ("postgres" or "sqlite"), for health and admin output.</summary>
public sealed record StorageKind(string Name);
