using Chat.Domain.Errors;
using Microsoft.Data.Sqlite;

namespace Chat.Infrastructure.Sqlite;

/// <summary>Reads SQLite's result codes: constraint, type mismatch and too-big values are a request's fault.</summary>
public sealed class SqliteErrorClassifier : IStoreErrorClassifier
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int IoError = 10;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int TooBig = 18;
    private const int Constraint = 19;
    private const int Mismatch = 20;
    private const int ConstraintForeignKey = 787;
    private const int ConstraintPrimaryKey = 1555;
    private const int ConstraintUnique = 2067;

    public ChatException? ClientErrorOf(Exception exception) => Find(exception) switch
    {
        { SqliteExtendedErrorCode: ConstraintForeignKey } => ChatException.NotFound("a user or group the request refers to does not exist."),
        { SqliteExtendedErrorCode: ConstraintPrimaryKey or ConstraintUnique } => new ChatException(ChatErrorCode.Conflict, "the request conflicts with data that already exists."),
        { SqliteErrorCode: Constraint } => ChatException.Invalid("the request breaks a rule of the store."),
        { SqliteErrorCode: TooBig or Mismatch } => ChatException.Invalid("the request holds a value the store cannot keep."),
        _ => null,
    };

    public bool IsOutage(Exception exception) =>
        Find(exception)?.SqliteErrorCode is Busy or Locked or IoError or Full or CantOpen || exception is TimeoutException;

    private static SqliteException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite)
            {
                return sqlite;
            }
        }

        return null;
    }
}
