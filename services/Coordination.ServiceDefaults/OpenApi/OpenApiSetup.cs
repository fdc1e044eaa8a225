using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Coordination.ServiceDefaults.OpenApi;

public static class OpenApiSetup
{
    private const string Bearer = "bearer";

    /// <summary>
    /// An OpenAPI 3.1 document at /openapi/v1.json: bearer scheme declared and required by default, the
    /// service's public URL as server, 401/403 on every secured operation.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinationOpenApi(this IHostApplicationBuilder builder, ServiceInfo service)
    {
        var publicUrl = builder.Configuration["PublicUrl"];
        builder.Services.AddOpenApi(o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.AddDocumentTransformer((document, context, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Coordination — " + service.Title,
                    Version = "v1",
                    Description = service.Description,
                    License = new OpenApiLicense { Name = "EUPL-1.2", Url = new Uri("https://eupl.eu/1.2/en/") },
                    Contact = new OpenApiContact { Name = "Coordination", Url = new Uri("https://github.com/coordination") },
                };
                var url = publicUrl ?? "http://127.0.0.1";
                document.Servers = [new OpenApiServer { Url = url.TrimEnd('/'), Description = service.Title }];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = $"An access token from Identity with the '{service.Scope}' scope.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }];
                foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
                {
                    if (tag.Name is { } name && service.Tags.TryGetValue(name, out var description)) tag.Description = description;
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [];
                    return Task.CompletedTask;
                }
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid access token." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The token lacks the scope or role this route needs." });
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapCoordinationOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/scalar", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        return app;
    }
}
