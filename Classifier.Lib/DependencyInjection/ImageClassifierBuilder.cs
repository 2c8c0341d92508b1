using Microsoft.Extensions.DependencyInjection;

namespace Classifier.DependencyInjection;

internal sealed class ImageClassifierBuilder(IServiceCollection services) : IImageClassifierBuilder
{
    public IServiceCollection Services { get; } = services;
}
