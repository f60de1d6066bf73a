using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TicketLedger.Hosting;
using Wolverine.Http;
using Wolverine.Http.Marten;
using Wolverine.Persistence;

namespace TicketLedger.Subjects;

public static class GetSubjectEndpoint
{
    [WolverineGet("/api/subjects/{id}", OperationId = "GetSubject", Summary = "A subject with its service, resumption and funds")]
    [Tags("subjects"), Authorize(Policy = Policies.Read)]
    public static SubjectView Get([Document(Required = true, OnMissing = OnMissing.ProblemDetailsWith404, MissingMessage = SubjectRules.UnknownSubject)] SubjectView subject) =>
        subject;
}
