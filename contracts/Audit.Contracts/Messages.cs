namespace Audit.Contracts;

// Published by every service that serves person data. Never rename or move these records.

/// <param name="Basis"><c>consent</c>, <c>self</c>, <c>companion</c>, <c>booking</c> or <c>denied</c>.</param>
public record PersonDataAccessed(Guid AccessId, Guid PersonId, string ReaderSubject, string ReaderDisplayName, Guid? ReaderBodyId, string ReaderRole, string Service, string Route, string[] CategoriesShown, string[] CategoriesWithheld, string Basis, Guid? ConsentId, DateTimeOffset OccurredAt);

/// <summary>The only record that carries personal data: one service's part of a person's export (GDPR art. 15/20).</summary>
public record PersonExportPart(Guid ExportId, Guid PersonId, string Service, string ContentJson, DateTimeOffset OccurredAt);
