using FluentValidation;
using Marten;

namespace TicketLedger.Tests.Offices;

/// <summary>
/// Validators are singletons, built once by the container: a session they took would be none of the request's office
/// (a tenant no one chose). They judge dates through BusinessTime, which reads the request's office each time
/// (shown in each_office_on_its_own_clock); state rules that read the store are Validate methods, which Wolverine
/// hands the request's own session.
/// </summary>
public sealed class validators_in_the_request_office
{
    [Fact]
    public void no_validator_takes_a_session_or_the_store()
    {
        Type[] storeTypes = [typeof(IQuerySession), typeof(IDocumentSession), typeof(IDocumentStore)];
        var validators = typeof(Program).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.IsAssignableTo(typeof(IValidator)))
            .ToList();
        Assert.NotEmpty(validators);
        var offending = validators
            .Where(v => v.GetConstructors().SelectMany(c => c.GetParameters()).Any(p => storeTypes.Any(s => p.ParameterType.IsAssignableTo(s))))
            .Select(v => v.FullName);
        Assert.Empty(offending);
    }
}
