using Chat.Domain.Devices;
using Chat.Hubs.Chat;
using Chat.Infrastructure.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Chat.Api.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddChatAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuthOptions>>().Value);
        services.AddSingleton(sp => SigningKeyLoader.Load(
            sp.GetRequiredService<AuthOptions>(),
            sp.GetRequiredService<StorageOptions>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SigningKeyLoader).FullName!)));
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<IPasswordHasher<string>, PasswordHasher<string>>();
        services.AddSingleton<UnknownUserPasswordHash>();
        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, AdminApiKeyHandler>(AdminApiKeyHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AuthOptions, SymmetricSecurityKey>((jwt, auth, key) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    IssuerSigningKey = key,
                    NameClaimType = ChatClaims.Subject,
                    RoleClaimType = ChatClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                jwt.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSocket and SSE requests: accept the token in the query there.
                    OnMessageReceived = context =>
                    {
                        var token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(ChatHub.Path))
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },

                    // A signature proves who issued the token, not that its user still exists or its device is still
                    // linked (an unlinked device's tokens stop at once: every node forgets the user's devices then).
                    OnTokenValidated = async context =>
                    {
                        var userId = DeviceClaims.UserOf(context.Principal);
                        var deviceId = DeviceClaims.DeviceOf(context.Principal);
                        var devices = context.HttpContext.RequestServices.GetRequiredService<DeviceDirectory>();
                        if (userId is null || deviceId is null || !await devices.IsLinkedAsync(userId, deviceId.Value, context.HttpContext.RequestAborted))
                        {
                            context.Fail("the token's user has no account, or its device is not linked.");
                            return;
                        }

                        context.Principal = SessionPrincipal.From(context.Principal!, context.Scheme.Name);
                    },
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(ChatClaims.AdminPolicy, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme, AdminApiKeyHandler.SchemeName)
                .RequireRole(ChatClaims.AdminRole));
        return builder;
    }
}
