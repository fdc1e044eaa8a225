using Microsoft.AspNetCore.Http.HttpResults;

namespace Coordination.ServiceDefaults.Http;

/// <summary>One page of a list: <c>page</c> counts from 1, <c>pageSize</c> is at most 100.</summary>
public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public readonly record struct Paging(int Page, int PageSize)
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    /// <summary>Beyond this a page's offset would overflow; no list here is that long.</summary>
    public const int MaxPage = 1_000_000;

    public int Skip => (Page - 1) * PageSize;

    /// <summary>Reads <c>page</c> and <c>pageSize</c>; out-of-range values are a 400 naming the parameter.</summary>
    public static bool TryCreate(int? page, int? pageSize, out Paging paging, out ValidationProblem? problem)
    {
        paging = new Paging(page ?? 1, pageSize ?? DefaultSize);
        var errors = new Dictionary<string, string[]>();
        if (paging.Page is < 1 or > MaxPage) errors["page"] = [$"Pages count from 1 to {MaxPage}."];
        if (paging.PageSize is < 1 or > MaxSize) errors["pageSize"] = [$"Between 1 and {MaxSize}."];
        problem = errors.Count > 0 ? Problems.Invalid(errors) : null;
        return problem is null;
    }
}
