using Classifier.Feedback;
using Classifier.Host.Errors;
using Classifier.Host.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui;

/// <summary>What every console page knows: who the browser is (key header or login cookie), and how to show a refusal.</summary>
internal abstract class ConsolePage(IOptions<ServiceOptions> options) : PageModel
{
    private Contributor? _caller;

    /// <summary>The caller, from its <c>X-Api-Key</c> header or its login cookie.</summary>
    public Contributor Caller => _caller ??= Callers.IdentifySignedIn(HttpContext, options.Value);

    /// <summary>May promote, roll back, approve classes and open the dashboard.</summary>
    public bool IsAdmin => Caller.Role == ContributorRole.Admin;

    /// <summary>May see the labeling queue and the images callers sent.</summary>
    public bool IsTrusted => Caller.IsTrusted;

    /// <summary>Whether the browser holds a login cookie (rather than a header or loopback's default).</summary>
    public bool SignedInByCookie => Request.Cookies.ContainsKey(LoginCookie.Name) && IsTrusted;

    /// <summary>A line that says what an action did.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>Why the last action was refused, shown at the top of the page.</summary>
    public string? Refusal { get; protected set; }

    /// <summary>The service options, for pages that need the configured keys' presence.</summary>
    protected ServiceOptions ServiceOptions => options.Value;

    /// <summary>Shows <paramref name="exception"/> as the library's or the host's refusal, with its HTTP status; rethrows what is not a refusal.</summary>
    protected IActionResult Refuse(Exception exception)
    {
        var problem = ProblemMapping.For(exception);
        if (problem is null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        Refusal = problem.Detail ?? problem.Title;
        Response.StatusCode = problem.Status ?? StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>Refuses a caller that is not an admin, saying how to become one.</summary>
    protected IActionResult RefuseUnlessAdmin()
    {
        Refusal = "Only an admin may do this: sign in with the admin key.";
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }
}
