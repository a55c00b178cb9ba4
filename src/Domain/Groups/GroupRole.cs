namespace Chat.Domain.Groups;

public enum GroupRole : short
{
    Member = 0,
    Admin = 1,
}
