using Microsoft.Extensions.DependencyInjection;

namespace Classifier.DependencyInjection;

/// <summary>Returned by <c>AddImageClassifier</c>, for further configuration of the classifier's services.</summary>
public interface IImageClassifierBuilder
{
    /// <summary>The service collection the classifier was added to.</summary>
    IServiceCollection Services { get; }
}
