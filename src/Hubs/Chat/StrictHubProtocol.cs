using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using Chat.Domain.Errors;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Chat.Hubs.Chat;

/// <summary>
/// Wraps a hub protocol (JSON, MessagePack) to hold the wire to docs/PROTOCOL.md:
/// <list type="bullet">
/// <item>An invocation whose target is not exactly a hub method name (names are case-sensitive; SignalR alone
/// matches them case-insensitively), or whose argument cannot be bound, fails with <c>invalid_request:</c>
/// instead of SignalR's code-less "Failed to invoke" text.</item>
/// <item>A frame that the protocol cannot parse closes the connection with <c>invalid_request:</c> (a HubException,
/// so the client sees the code and the log treats it as the client's error, not the server's).</item>
/// <item>A frame of an unknown message type closes the connection likewise. SignalR means to skip such frames, but with
/// MaximumReceiveMessageSize set it parses the same frame forever and the connection hangs
/// (dotnet/aspnetcore#69285, fixed by PR #69397); remove this once that fix ships.</item>
/// </list>
/// </summary>
public sealed class StrictHubProtocol(IHubProtocol inner, IReadOnlySet<string> methodNames) : IHubProtocol
{
    private readonly (byte[] Utf8, string Name)[] _targets = methodNames.Select(n => (Encoding.UTF8.GetBytes(n), n)).ToArray();

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    /// <summary>The wire names of <typeparamref name="THub"/>'s methods, as SignalR discovers them.</summary>
    public static IReadOnlySet<string> MethodNamesOf<THub>()
        where THub : Hub =>
        typeof(THub).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType is { } declaring && declaring.IsSubclassOf(typeof(Hub)))
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var before = input.Length;
        bool parsed;
        try
        {
            parsed = inner.TryParseMessage(ref input, new ExactTargetBinder(binder, _targets), out message);
        }
        catch (Exception e) when (e is not HubException)
        {
            // A frame that is not valid JSON or MessagePack is the client's fault: the connection closes with a code.
            throw new HubException(ChatException.Invalid($"the frame is not a valid {inner.Name} hub message; closing the connection.").Message, e);
        }

        if (!parsed || message is null)
        {
            // The protocol consumed a whole frame yet produced nothing: a message type it does not know.
            return input.Length == before ? false : throw new HubException(ChatException.Invalid("unknown hub message type; closing the connection.").Message);
        }

        message = message switch
        {
            HubMethodInvocationMessage invocation when !methodNames.Contains(invocation.Target) => UnknownMethod(invocation.InvocationId, invocation.Target),
            InvocationBindingFailureMessage failure when !methodNames.Contains(failure.Target) => UnknownMethod(failure.InvocationId, failure.Target),
            InvocationBindingFailureMessage failure => Invalid(
                failure.InvocationId,
                failure.Target,
                $"'{failure.Target}' takes one argument, a request object with the fields listed in the protocol; the argument was missing or of the wrong type."),
            _ => message,
        };
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    private static InvocationBindingFailureMessage UnknownMethod(string? invocationId, string target) =>
        Invalid(invocationId, target, $"no hub method '{target}'; method names are case-sensitive.");

    // SignalR answers a binding failure with "Failed to invoke 'X' due to an error on the server. HubException: <message>",
    // so a client finds the code after the last "HubException: " as with every other error.
    private static InvocationBindingFailureMessage Invalid(string? invocationId, string target, string detail) =>
        new(invocationId, target, ExceptionDispatchInfo.Capture(new HubException(ChatException.Invalid(detail).Message)));

    /// <summary>
    /// SignalR's binder maps a target to its method's canonical name case-insensitively, so the parsed message
    /// no longer shows how the client spelled it. This one keeps a spelling that is not exact, which then fails
    /// the method-name check above.
    /// </summary>
    private sealed class ExactTargetBinder(IInvocationBinder inner, (byte[] Utf8, string Name)[] targets) : IInvocationBinder
    {
        public string GetTarget(ReadOnlySpan<byte> utf8Bytes)
        {
            foreach (var (utf8, name) in targets)
            {
                if (utf8Bytes.SequenceEqual(utf8))
                {
                    return name;
                }
            }

            return Encoding.UTF8.GetString(utf8Bytes);
        }

        public Type GetReturnType(string invocationId) => inner.GetReturnType(invocationId);

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => inner.GetParameterTypes(methodName);

        public Type GetStreamItemType(string streamId) => inner.GetStreamItemType(streamId);
    }
}
