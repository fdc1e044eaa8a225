using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;

namespace Coordination.Bench;

public static class Machine
{
    public static async Task Describe(Report report, BenchSettings settings)
    {
        report.Machine["date (UTC)"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        report.Machine["cores"] = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        report.Machine["memory"] = MemTotal();
        report.Machine["OS"] = RuntimeInformation.OSDescription;
        report.Machine[".NET"] = RuntimeInformation.FrameworkDescription;
        report.Machine["Marten"] = typeof(Marten.DocumentStore).Assembly.GetName().Version!.ToString();
        report.Machine["MassTransit"] = typeof(MassTransit.IBus).Assembly.GetName().Version!.ToString();
        report.Machine["Npgsql"] = typeof(NpgsqlConnection).Assembly.GetName().Version!.ToString();
        try
        {
            await using var connection = new NpgsqlConnection(settings.SystemDatabase);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("show server_version", connection);
            report.Machine["PostgreSQL"] = (string)(await command.ExecuteScalarAsync())!;
        }
        catch (NpgsqlException e)
        {
            report.Machine["PostgreSQL"] = "unreachable: " + e.Message;
        }
        try
        {
            using var http = Management.Client(settings.RabbitManagement);
            var overview = await http.GetFromJsonAsync<JsonElement>("api/overview");
            report.Machine["RabbitMQ"] = overview.GetProperty("rabbitmq_version").GetString()!;
        }
        catch (HttpRequestException e)
        {
            report.Machine["RabbitMQ"] = "unreachable: " + e.Message;
        }
        report.Machine["load average at start"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
    }

    private static string MemTotal()
    {
        if (!File.Exists("/proc/meminfo")) return "n/a";
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return $"{kb / 1024 / 1024.0:0.0} GiB";
    }
}

public static class Management
{
    public static HttpClient Client(Uri management)
    {
        var http = new HttpClient { BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/" }.Uri };
        var credentials = Uri.UnescapeDataString(management.UserInfo);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        return http;
    }

    public static async Task EnsureVhost(Uri management, string vhost)
    {
        using var http = Client(management);
        (await http.PutAsJsonAsync($"api/vhosts/{vhost}", new { })).EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(management.UserInfo.Split(':')[0]);
        (await http.PutAsJsonAsync($"api/permissions/{vhost}/{user}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public static async Task DeleteVhost(Uri management, string vhost)
    {
        using var http = Client(management);
        await http.DeleteAsync(new Uri($"api/vhosts/{vhost}", UriKind.Relative));
    }
}
