namespace Chat.RelayServer;

// The REST bodies the load generator sends and reads. The hub contracts are the chat server's own
// (src/Hubs/Contracts), so the relay speaks exactly its wire.
public sealed record CredentialsRequest(string UserId, string Password);

public sealed record AccountCreatedResponse(string UserId);

public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt);

public sealed record CreateGroupRequest(string Name, IReadOnlyList<string>? Members);

public sealed record GroupMemberResponse(string UserId, string Role, DateTimeOffset JoinedAt);

public sealed record GroupResponse(string GroupId, string Name, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<GroupMemberResponse> Members);
