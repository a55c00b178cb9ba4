using Chat.Domain.Contacts;
using Chat.Infrastructure.Postgres;
using Chat.Infrastructure.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Infrastructure.Storage;

public static class ContactStorageExtensions
{
    /// <summary>Registers the contact store beside the others (see <see cref="StorageServiceCollectionExtensions.AddChatStorage"/>), on the same database.</summary>
    public static IServiceCollection AddChatContactStores(this IServiceCollection services, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")))
        {
            services.AddSingleton<IContactStore, PostgresContactStore>();
        }
        else
        {
            services.AddSingleton<IContactStore, SqliteContactStore>();
        }

        return services;
    }
}
