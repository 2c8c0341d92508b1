using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace Classifier.Tests.Host;

internal static class ProblemAssert
{
    /// <summary>Asserts the status and that the body is a ProblemDetails whose detail mentions <paramref name="detailContains"/>.</summary>
    internal static async Task<ProblemDetails> IsProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.NotNull(problem);
        Assert.Equal((int)status, problem.Status);
        Assert.Contains(detailContains, problem.Detail ?? "", StringComparison.OrdinalIgnoreCase);
        return problem;
    }
}
