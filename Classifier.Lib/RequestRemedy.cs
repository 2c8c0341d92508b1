namespace Classifier;

/// <summary>What the caller can do about a refused request; a host turns it into the matching call of its own API.</summary>
public enum RequestRemedy
{
    /// <summary>Nothing beyond what the message says.</summary>
    None,

    /// <summary>Pick a version that exists (<c>IModelLifecycle.List</c>).</summary>
    ListVersions,

    /// <summary>End the A/B test first (<c>IExperimentService.EndAbTestAsync</c>).</summary>
    EndAbTest,

    /// <summary>End the shadow first (<c>IExperimentService.EndShadowAsync</c>).</summary>
    EndShadow,

    /// <summary>Abort the canary first (<c>IExperimentService.AbortCanaryAsync</c>).</summary>
    AbortCanary,

    /// <summary>Start a canary (<c>IExperimentService.StartCanaryAsync</c>).</summary>
    StartCanary,

    /// <summary>Use the id a prediction returned, or correct with the image itself.</summary>
    PredictFirst,

    /// <summary>Call as a labeler or an admin (over HTTP, with a key).</summary>
    UseLabelerKey,
}
