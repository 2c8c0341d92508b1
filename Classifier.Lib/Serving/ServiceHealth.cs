using System.Collections.Concurrent;

namespace Classifier.Serving;

/// <summary>
/// What the service found wrong with its own files (a damaged registry pointer, manifest or database): it stays up and
/// says so, rather than stopping at start. A host shows <see cref="Problems"/> in its readiness answer.
/// </summary>
public interface IServiceHealth
{
    /// <summary>The problems in force, each once per component.</summary>
    IReadOnlyList<ServiceProblem> Problems { get; }
}

/// <summary>A problem the service found with one of its parts.</summary>
/// <param name="Component">Which part: <c>registry</c>, <c>feedback</c>, ...</param>
/// <param name="Message">What is wrong and what an operator does about it; names files relative to their folder, never a full path.</param>
/// <param name="KeepsUnready">True when the service must not take traffic until it is fixed (the prediction log is unreadable);
/// false when it serves meanwhile (a registry problem while a valid version serves).</param>
public sealed record ServiceProblem(string Component, string Message, bool KeepsUnready);

/// <summary>The service's problems, reported and cleared by the parts that find them.</summary>
internal sealed class ServiceHealth : IServiceHealth
{
    private readonly ConcurrentDictionary<string, ServiceProblem> _problems = new(StringComparer.Ordinal);

    public IReadOnlyList<ServiceProblem> Problems => [.. _problems.Values.OrderBy(p => p.Component, StringComparer.Ordinal)];

    /// <summary>Records <paramref name="problem"/>; returns true when it is new or its message changed (log it then, not every round).</summary>
    internal bool Report(ServiceProblem problem)
    {
        var previous = _problems.TryGetValue(problem.Component, out var p) ? p : null;
        _problems[problem.Component] = problem;
        return previous != problem;
    }

    internal void Clear(string component) => _problems.TryRemove(component, out _);
}
