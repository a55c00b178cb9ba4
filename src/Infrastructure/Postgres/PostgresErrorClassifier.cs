using System.Net.Sockets;
using Chat.Domain.Errors;
using Npgsql;

namespace Chat.Infrastructure.Postgres;

/// <summary>Reads PostgreSQL's SQLSTATE classes: 22 (data exception) and 23 (integrity) are a request's fault.</summary>
public sealed class PostgresErrorClassifier : IStoreErrorClassifier
{
    public ChatException? ClientErrorOf(Exception exception) => Find<PostgresException>(exception)?.SqlState switch
    {
        "23503" => ChatException.NotFound("a user or group the request refers to does not exist."),
        "23505" => new ChatException(ChatErrorCode.Conflict, "the request conflicts with data that already exists."),
        { } state when state.StartsWith("22", StringComparison.Ordinal) => ChatException.Invalid("the request holds a value the store cannot keep."),
        { } state when state.StartsWith("23", StringComparison.Ordinal) => ChatException.Invalid("the request breaks a rule of the store."),
        _ => null,
    };

    public bool IsOutage(Exception exception)
    {
        if (Find<PostgresException>(exception) is { } postgres)
        {
            // 08 connection, 53 resources, 57 operator intervention (shutdown, cancel), 58 system error.
            return postgres.IsTransient || postgres.SqlState[..2] is "08" or "53" or "57" or "58";
        }

        return Find<NpgsqlException>(exception) is not null
            || Find<TimeoutException>(exception) is not null
            || Find<SocketException>(exception) is not null;
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
