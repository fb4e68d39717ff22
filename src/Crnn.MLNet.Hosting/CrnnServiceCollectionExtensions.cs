using Crnn.MLNet.Hosting.Endpoints;
using Crnn.MLNet.Hosting.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Crnn.MLNet.Hosting;

/// <summary>Registers served models: one shared, thread-safe recogniser per model file, reloaded when the file changes.</summary>
public static class CrnnServiceCollectionExtensions
{
    /// <summary>Serves the character classifier at <paramref name="modelPath"/> (<c>POST /v1/classify</c>).</summary>
    public static IServiceCollection AddCrnnRecognizer(this IServiceCollection services, string modelPath) =>
        services.AddCrnnRecognizer(o => o.ModelPath = modelPath);

    /// <summary>Serves a character classifier, configured by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddCrnnRecognizer(this IServiceCollection services, Action<CrnnModelFileOptions> configure) =>
        services.AddSlot<CrnnRecognizerSlot>(configure);

    /// <summary>Serves the line (CTC) model at <paramref name="modelPath"/> (<c>POST /v1/read</c>).</summary>
    public static IServiceCollection AddCrnnTextRecognizer(this IServiceCollection services, string modelPath) =>
        services.AddCrnnTextRecognizer(o => o.ModelPath = modelPath);

    /// <summary>Serves a line (CTC) model, configured by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddCrnnTextRecognizer(this IServiceCollection services, Action<CrnnModelFileOptions> configure) =>
        services.AddSlot<CrnnTextRecognizerSlot>(configure);

    // One model file per slot type; the slot loads it when first resolved (MapCrnnEndpoints resolves it at start).
    private static IServiceCollection AddSlot<TSlot>(this IServiceCollection services, Action<CrnnModelFileOptions> configure) where TSlot : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var file = new CrnnModelFileOptions();
        configure(file);
        services.AddCrnnServing();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<TSlot>(sp, file));
        return services;
    }

    /// <summary>
    /// The serving limits (<see cref="CrnnServingOptions"/>, bound from the configuration section
    /// <see cref="CrnnServingOptions.SectionName"/> and checked at start), the concurrency gate, the health check and
    /// the OpenAPI document <c>crnn</c>. Called by the Add methods above; calling it again changes nothing.
    /// </summary>
    public static IServiceCollection AddCrnnServing(this IServiceCollection services, Action<CrnnServingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null) services.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(ServingGate))) return services;
        services.AddOptions<CrnnServingOptions>()
            .BindConfiguration(CrnnServingOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CrnnServingOptions>, ServingOptionsValidator>());
        services.AddSingleton<ServingGate>();
        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<CrnnModelsHealthCheck>("crnn-models");
        services.AddOpenApi(CrnnEndpointRouteBuilderExtensions.OpenApiDocument, o => o.AddOperationTransformer(ImageBodyDocumentation.TransformAsync));
        return services;
    }

    /// <summary>Names the option that is wrong, where the generic Validate above only says that one is.</summary>
    private sealed class ServingOptionsValidator : IValidateOptions<CrnnServingOptions>
    {
        public ValidateOptionsResult Validate(string? name, CrnnServingOptions options) =>
            options.Problem() is { } p ? ValidateOptionsResult.Fail($"{CrnnServingOptions.SectionName}: {p}") : ValidateOptionsResult.Success;
    }
}
