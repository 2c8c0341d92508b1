using Classifier.Training;

namespace Classifier.Host.Cli;

/// <summary>
/// Shows training progress on stderr (stdout carries only the JSON result): a redrawn bar on a terminal,
/// a line per stage and per tenth otherwise, so logs stay readable.
/// </summary>
internal sealed class StderrProgressBar : IProgress<TrainingProgress>
{
    private const int Width = 30;
    private readonly Lock _gate = new();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private TrainingStage? _stage;
    private int _lastTenth = -1;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public void Report(TrainingProgress value)
    {
        lock (_gate)
        {
            if (_stage != value.Stage)
            {
                if (_stage is not null && _interactive)
                    Console.Error.WriteLine();
                _stage = value.Stage;
                _lastTenth = -1;
            }
            int total = Math.Max(1, value.Total);
            double fraction = Math.Clamp((double)value.Completed / total, 0, 1);
            if (_interactive)
            {
                int filled = (int)(fraction * Width);
                Console.Error.Write($"\r{value.Stage,-17} [{new string('#', filled)}{new string('.', Width - filled)}] {value.Completed}/{value.Total}");
            }
            else
            {
                int tenth = (int)(fraction * 10);
                if (tenth != _lastTenth)
                {
                    _lastTenth = tenth;
                    Console.Error.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F2}s {value.Stage}: {value.Completed}/{value.Total} ({fraction:P0})");
                }
            }
        }
    }

    /// <summary>Ends the bar's line.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_interactive && _stage is not null)
                Console.Error.WriteLine();
        }
    }
}
