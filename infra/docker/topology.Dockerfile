# The topology step as a one-shot container: every service declares its queues, exchanges and bindings
# (and exits) before any service starts publishing.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN for s in Identity Directory Consents Referrals Appointments; do \
      dotnet publish services/$s/$s.Api/$s.Api.csproj -c Release -o /app/$s --no-self-contained || exit 1; \
    done

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["/bin/sh", "-c", "for s in Identity Directory Consents Referrals Appointments; do (cd /app/$s && dotnet $s.Api.dll --Messaging:DeployTopologyOnly=true) || exit 1; done"]
