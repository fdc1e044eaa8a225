using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Store;

/// <summary>
/// OpenIddict's store (applications, scopes, authorizations, tokens) in Identity's own database: EF's
/// EnsureCreated skips a database that already holds other tables, so it never shares Marten's.
/// </summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options);
