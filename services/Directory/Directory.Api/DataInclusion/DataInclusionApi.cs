using Directory.Api.DataInclusion.Exporting;
using Directory.Api.DataInclusion.Importing;

namespace Directory.Api.DataInclusion;

public static class DataInclusionApi
{
    public static RouteGroupBuilder MapDataInclusion(this RouteGroupBuilder group) => group
        .MapImportDataInclusion()
        .MapExportDataInclusion();
}
