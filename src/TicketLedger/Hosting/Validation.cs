using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Configuration;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace TicketLedger.Hosting;

/// <summary>
/// FluentValidation wired into Wolverine's generated code: at code generation time, a call to the validator is
/// inserted in front of every endpoint whose request type has one, so the rest pay nothing. Bureau messages are
/// validated by their handlers, which turn a failure into a dead letter with its reason (Bureaus/BureauInbox).
/// </summary>
public static class ValidationHosting
{
    /// <summary>Validators are stateless, so singletons: the generated code then holds them instead of resolving them per call.</summary>
    public static WebApplicationBuilder AddValidation(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        return builder;
    }
}

public static class FluentValidationExecutor
{
    public static async Task<IResult> ValidateRequest<T>(IEnumerable<IValidator<T>> validators, T request)
    {
        // A JSON body of `null` binds a null request, which validators refuse by throwing: the client's fault, not a 500.
        if (request is null) return Results.Problem(Problems.BadRequest("The request body must be a JSON object."));
        var errors = await ValidateAll(validators, request);
        return errors.Count == 0
            ? WolverineContinue.Result()
            : Results.ValidationProblem(
                errors.GroupBy(e => JsonFieldName(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()),
                title: "One or more fields are invalid.",
                type: "https://httpstatuses.io/400");
    }


    private static async Task<List<FluentValidation.Results.ValidationFailure>> ValidateAll<T>(IEnumerable<IValidator<T>> validators, T request)
    {
        var errors = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators) errors.AddRange((await validator.ValidateAsync(request)).Errors);
        return errors;
    }

    /// <summary>Field names in errors match the camelCase JSON the client sent ("Contact.Phone" → "contact.phone").</summary>
    public static string JsonFieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}

public sealed class FluentValidationHttpPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            var type = chain.HasRequestType ? chain.RequestType : chain.ComplexQueryStringType;
            if (type is null || container.RegistrationsFor(typeof(IValidator<>).MakeGenericType(type)).Count == 0) continue;
            var method = typeof(FluentValidationExecutor).GetMethod(nameof(FluentValidationExecutor.ValidateRequest))!.MakeGenericMethod(type);
            var call = new MethodCall(typeof(FluentValidationExecutor), method);
            chain.Metadata.ProducesValidationProblem();
            chain.Middleware.InsertRange(0, [call, new MaybeEndWithResultFrame(call.ReturnVariable!)]);
        }
    }
}
