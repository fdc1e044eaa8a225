using System.Reflection;
using System.Xml.Linq;
using NetArchTest.Rules;
using Xunit;

namespace Architecture.Tests;

/// <summary>The architecture stays visible: services meet only through contracts.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    private static readonly string[] ServiceNames = ["Identity", "Directory", "Consents", "Referrals", "Appointments"];

    private static readonly Assembly[] ServiceAssemblies =
    [
        typeof(Identity.Api.IdentityApi).Assembly, typeof(Directory.Api.DirectoryApi).Assembly, typeof(Consents.Api.ConsentsApi).Assembly,
        typeof(Referrals.Api.ReferralsApi).Assembly, typeof(Appointments.Api.AppointmentsApi).Assembly,
    ];

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coordination.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Coordination.sln not found above the test binaries.");
    }

    private static IEnumerable<string> ProjectReferences(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value.Replace('\\', '/'));

    public static TheoryData<string> Services() => new(ServiceNames);

    [Theory]
    [MemberData(nameof(Services))]
    public void AServiceProject_NeverReferencesAnotherServiceProject(string service)
    {
        var csproj = Path.Combine(Root, "services", service, $"{service}.Api", $"{service}.Api.csproj");
        var others = ServiceNames.Where(s => s != service).Select(s => $"/{s}.Api/").ToArray();
        var offending = ProjectReferences(csproj).Where(r => others.Any(o => r.Contains(o, StringComparison.Ordinal))).ToList();
        Assert.Empty(offending);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void AServiceAssembly_NeverDependsOnAnotherServiceNamespace(string service)
    {
        var assembly = ServiceAssemblies.Single(a => a.GetName().Name == $"{service}.Api");
        var others = ServiceNames.Where(s => s != service).Select(s => $"{s}.Api").ToArray();
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(others).GetResult();
        Assert.True(result.IsSuccessful, "Depends on another service: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void ContractsProjects_ReferenceNoPackageAndNoProject()
    {
        var projects = System.IO.Directory.GetFiles(Path.Combine(Root, "contracts"), "*.csproj", SearchOption.AllDirectories);
        Assert.Equal(6, projects.Length);
        foreach (var csproj in projects)
        {
            var xml = XDocument.Load(csproj);
            Assert.Empty(xml.Descendants("PackageReference"));
            Assert.Empty(xml.Descendants("ProjectReference"));
        }
    }

    [Fact]
    public void Contracts_ArePlainPositionalRecords_InTheirProjectsNamespace()
    {
        var contractAssemblies = new[]
        {
            typeof(Directory.Contracts.BodyRegistered).Assembly, typeof(Identity.Contracts.UserRegistered).Assembly,
            typeof(Consents.Contracts.PersonRegistered).Assembly, typeof(Referrals.Contracts.ReferralSent).Assembly,
            typeof(Appointments.Contracts.AppointmentBooked).Assembly, typeof(Audit.Contracts.PersonDataAccessed).Assembly,
        };
        foreach (var assembly in contractAssemblies)
        {
            foreach (var type in assembly.GetExportedTypes())
            {
                Assert.Equal(assembly.GetName().Name, type.Namespace);
                // Records have a compiler-generated EqualityContract; interfaces and classes do not.
                Assert.NotNull(type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance));
                Assert.True(type.IsSealed || type.GetConstructors().Any(c => c.GetParameters().Length > 0), type.FullName);
            }
        }
    }

    [Fact]
    public void PublishedRecords_EndWithOccurredAt_ExceptValueTypesTheyCarry()
    {
        var messages = new[]
        {
            typeof(Directory.Contracts.BodyRegistered).Assembly, typeof(Identity.Contracts.UserRegistered).Assembly,
            typeof(Consents.Contracts.PersonRegistered).Assembly, typeof(Referrals.Contracts.ReferralSent).Assembly,
            typeof(Appointments.Contracts.AppointmentBooked).Assembly, typeof(Audit.Contracts.PersonDataAccessed).Assembly,
        }.SelectMany(a => a.GetExportedTypes()).Where(t => t.Name != "Permanence");
        foreach (var type in messages)
        {
            var last = type.GetConstructors().Single(c => c.GetParameters().Length > 1).GetParameters().Last();
            Assert.True(last.Name == "OccurredAt" && last.ParameterType == typeof(DateTimeOffset), type.FullName);
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void EachService_RunsWithWorkstationGcAndACappedGen0Budget(string service)
    {
        // The memory settings of ADR 0007 and ADR 0086, as the runtime reads them: the service's own runtimeconfig.json,
        // copied beside this test assembly by the project reference. The test host itself keeps the runtime's defaults.
        var options = RuntimeOptions(service);
        Assert.False(options.GetProperty("System.GC.Server").GetBoolean());
        Assert.InRange(options.GetProperty("System.GC.Gen0MaxBudget").GetInt64(), 1L << 20, 8L << 20);
    }

    [Theory]
    [InlineData("Identity", false)]
    [InlineData("Referrals", false)]
    [InlineData("Directory", true)]
    [InlineData("Consents", true)]
    [InlineData("Appointments", true)]
    public void TieredPgo_IsOffOnlyWhereItsCodeCostTheMemoryTarget(string service, bool pgo)
    {
        // ADR 0089: Identity and Referrals run without tiered PGO (about 10 and 20 MB less RSS, about 8 % more CPU); the
        // others keep the runtime's default, where it cost no measurable memory.
        var enabled = !RuntimeOptions(service).TryGetProperty("System.Runtime.TieredPGO", out var setting) || setting.GetBoolean();
        Assert.Equal(pgo, enabled);
    }

    /// <summary>The service's own runtimeconfig.json as the runtime reads it, copied beside this test assembly by the project reference.</summary>
    private static System.Text.Json.JsonElement RuntimeOptions(string service)
    {
        var file = Path.Combine(AppContext.BaseDirectory, $"{service}.Api.runtimeconfig.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void EachService_DefaultsToThePortTheRunScriptAndTheReadmeGiveIt()
    {
        // ./coordination names each service with its port ("Identity:5100 …"); a service started alone listens there.
        var script = File.ReadAllText(Path.Combine(Root, "coordination"));
        var line = script.Split('\n').Single(l => l.StartsWith("SERVICES=(", StringComparison.Ordinal));
        var ports = line["SERVICES=(".Length..line.IndexOf(')', StringComparison.Ordinal)].Split(' ')
            .Select(e => e.Split(':')).ToDictionary(p => p[0].ToLowerInvariant(), p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        var services = new[]
        {
            Identity.Api.IdentityApi.Service, Directory.Api.DirectoryApi.Service, Consents.Api.ConsentsApi.Service,
            Referrals.Api.ReferralsApi.Service, Appointments.Api.AppointmentsApi.Service,
        };
        Assert.Equal(5, ports.Count);
        foreach (var service in services) Assert.Equal(ports[service.Name], service.DefaultPort);
    }
}
