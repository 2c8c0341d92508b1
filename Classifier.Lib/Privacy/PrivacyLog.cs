using Microsoft.Extensions.Logging;

namespace Classifier.Privacy;

/// <summary>What the image stores say about images they cannot open.</summary>
internal static partial class PrivacyLog
{
    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning,
        Message = "The stored image {ImageHash} is treated as missing: {Problem}. It is stored again when it is next uploaded.")]
    internal static partial void Unreadable(ILogger logger, string imageHash, string problem);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning,
        Message = "The stored image {ImageHash} was left as it is by re-encryption: {Problem}.")]
    internal static partial void NotResealed(ILogger logger, string imageHash, string problem);
}
