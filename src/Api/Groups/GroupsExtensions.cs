using Chat.Domain.Groups;
using Microsoft.Extensions.Options;

namespace Chat.Api.Groups;

public static class GroupsExtensions
{
    public static IHostApplicationBuilder AddChatGroups(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GroupOptions>().BindConfiguration(GroupOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<GroupOptions>>().Value);
        builder.Services.AddSingleton<GroupService>();
        return builder;
    }
}
