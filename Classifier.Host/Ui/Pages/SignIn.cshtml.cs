using Classifier.Feedback;
using Classifier.Host.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Classifier.Host.Ui.Pages;

/// <summary>
/// Sign-in with an admin's or a labeler's key, posted in the form's body (never in a URL): the answer sets the
/// service's login cookie (<see cref="LoginCookie"/>), which the Hangfire dashboard accepts too for the admin key.
/// </summary>
internal sealed class SignInModel(IOptions<ServiceOptions> options) : ConsolePage(options)
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public IActionResult OnPost(string? key)
    {
        var role = string.IsNullOrEmpty(key) ? null : Callers.RoleOfKey(key, ServiceOptions);
        if (role is null)
        {
            Refusal = "That key is neither the admin key nor a labeler's key.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        LoginCookie.Append(HttpContext, key!);
        Notice = role == ContributorRole.Admin ? "Signed in as admin." : "Signed in as labeler.";
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith(ConsoleHosting.Root, StringComparison.Ordinal) ? ReturnUrl : ConsoleHosting.Root);
    }

    public IActionResult OnPostSignOut()
    {
        LoginCookie.Delete(HttpContext);
        Notice = "Signed out.";
        return LocalRedirect(ConsoleHosting.Root);
    }
}
