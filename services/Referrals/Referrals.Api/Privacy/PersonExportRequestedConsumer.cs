using Consents.Contracts;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Privacy;

/// <summary>A referral with everything its stream says (reason, notes, who did what and when) and its bodies' names.</summary>
public sealed record ReferralExport(ReferralDetails Referral, string? FromBody, string? ToBody);

public sealed record ContactPersonExport(ContactPersonHistory Designations, string? Body);

public sealed record ReferralsExportSections(IReadOnlyList<ReferralExport> Referrals, IReadOnlyList<ContactPersonExport> ContactPersons,
    IReadOnlyList<AccompanimentDetails> Accompaniments);

/// <summary>Referrals' part of a person's export: every referral with its reason and history, contact persons, the accompaniment log.</summary>
public sealed class PersonExportRequestedConsumer(IQuerySession session, IOptions<JsonOptions> json, TimeProvider time)
    : IConsumer<PersonExportRequested>
{
    public const string Service = "referrals";

    public async Task Consume(ConsumeContext<PersonExportRequested> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var batch = session.CreateBatchQuery();
        var referrals = batch.Query<ReferralDetails>().Where(r => r.PersonId == m.PersonId).ToList();
        var contacts = batch.Query<ContactPersonHistory>().Where(h => h.PersonId == m.PersonId).ToList();
        var accompaniments = batch.Query<AccompanimentDetails>().Where(a => a.PersonId == m.PersonId).ToList();
        await batch.Execute(ct);

        var referralList = (await referrals).OrderBy(r => r.SentAt).ToList();
        var contactList = await contacts;
        var names = await BodyNames.LoadAsync(session,
            referralList.SelectMany(r => new[] { r.FromBodyId, r.ToBodyId }).Concat(contactList.Select(c => c.BodyId)), ct);
        var sections = new ReferralsExportSections(
            referralList.Select(r => new ReferralExport(r, names.GetValueOrDefault(r.FromBodyId), names.GetValueOrDefault(r.ToBodyId))).ToList(),
            contactList.Select(c => new ContactPersonExport(c, names.GetValueOrDefault(c.BodyId))).ToList(),
            (await accompaniments).OrderBy(a => a.On).ToList());
        await ExportParts.PublishAsync(context, m.ExportId, m.PersonId, Service, sections, json.Value.SerializerOptions, time.GetUtcNow());
    }
}
