namespace Chat.Domain.Validation;

/// <summary>
/// The rule for every string the server stores or keys on: no U+0000 and no unpaired surrogate. PostgreSQL
/// refuses NUL in text and an unpaired surrogate has no UTF-8 form, so both would fail deep in a store (and
/// SQLite would silently accept what PostgreSQL refuses); the protocol refuses them up front, on every store.
/// </summary>
public static class WireText
{
    public static bool IsStorable(string value) => FirstUnstorable(value) < 0;

    /// <summary>The index of the first NUL or unpaired surrogate, or -1 when there is none.</summary>
    public static int FirstUnstorable(string value)
    {
        var span = value.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '\0')
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
                {
                    i++;
                    continue;
                }

                return i;
            }

            if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }
}
