# syntax=docker/dockerfile:1
# One image for every role; the command picks it:
#   serve --target all|ingest|analyze   (the default is all)
#   migrate                             (one-shot: applies the SQL migrations, then exits)
# The sentiment model and MiniLM are embedded in the assemblies; the securities lists are data, kept out of
# the repository and of the image: mount their folder at /data/securities (docs/deployment.md).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json nuget.config Directory.Build.props Directory.Packages.props ./
# The whole src/ tree: a project reference added later needs no change here.
COPY src/ src/
RUN --mount=type=cache,id=marketpulse-nuget,target=/root/.nuget/packages \
    dotnet publish src/MarketPulse/MarketPulse.csproj -c Release -o /app --nologo -p:UseAppHost=false

# Chiseled: no shell, no package manager, runs as the non-root user app (uid 1654). InvariantGlobalization
# is on in Directory.Build.props, so the image needs no ICU.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY deploy/appsettings.Production.json ./
ENV DOTNET_ENVIRONMENT=Production \
    Analysis__SecuritiesFolder=/data/securities
USER app
EXPOSE 8080
# No curl in the image: the executable checks /health/ready itself and exits 0 only on 200.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["dotnet", "marketpulse.dll", "healthcheck", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["dotnet", "marketpulse.dll"]
CMD ["serve", "--target", "all"]
