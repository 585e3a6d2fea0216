using System.Diagnostics;
using System.Threading.Channels;

namespace TradingKit.Samples.Paper.Tests;

/// <summary>The real paper sample running as a child process, with its output readable line by line while it runs.</summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _output = [];
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private SampleProcess(Process process)
    {
        _process = process;
        _stdout = PumpAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts a sample built beside the tests (the paper sample unless <paramref name="assembly"/> names another).</summary>
    public static SampleProcess Start(IEnumerable<string> args, string assembly = "TradingKit.Samples.Paper.dll", IReadOnlyDictionary<string, string?>? environment = null)
    {
        var sample = Path.Combine(AppContext.BaseDirectory, assembly);
        Assert.True(File.Exists(sample), sample);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(sample);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        return new SampleProcess(Process.Start(start)!);
    }

    /// <summary>SIGTERM, as a service manager stops a service: the host's graceful shutdown.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        await kill.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Waits until the sample prints a line matching <paramref name="match"/>; fails if it ends first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var line in _lines.Reader.ReadAllAsync(cancellationToken))
        {
            if (match(line))
            {
                return line;
            }
        }

        Assert.Fail($"the sample ended without printing the awaited line; output:\n{Output}\nerrors:\n{await _stderr}");
        return "";
    }

    /// <summary>SIGKILL on Linux: no finally block, no flush, no summary; what is on disk is what survived.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(cancellationToken);
        await _stdout;
    }

    public async Task<(int Exit, string Output, string Error)> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        await _stdout;
        return (_process.ExitCode, Output, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.Add(line);
            }

            await _lines.Writer.WriteAsync(line);
        }

        _lines.Writer.TryComplete();
    }
}
