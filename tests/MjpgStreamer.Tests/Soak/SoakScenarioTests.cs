using MjpgStreamer.Soak;
using MjpgStreamer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MjpgStreamer.Tests.Soak;

/// <summary>
/// The soak's scenarios a-h against the real executable, each shortened to at most 30 s (soak.sh runs them for an
/// hour by default; docs/reliability.md has what each checks and the figures).
/// </summary>
[Collection(SoakRunsAlone.Name)]
public sealed class SoakScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public Task Malformed_requests_and_fuzzing_are_answered_or_closed_and_the_stream_keeps_its_rate() =>
        SoakRun.AssertPassesAsync(ct => MalformedScenario.RunAsync(SoakRun.Options(output), ct), output);

    [Fact]
    public Task Slowloris_and_idle_connections_are_closed_and_the_stream_keeps_its_rate() =>
        SoakRun.AssertPassesAsync(ct => SlowClientsScenario.RunAsync(SoakRun.Options(output), ct), output);

    [Fact]
    public Task A_hundred_stream_clients_with_snapshots_all_get_frames_without_errors() =>
        SoakRun.AssertPassesAsync(ct => FanoutScenario.RunAsync(SoakRun.Options(output), ct), output);

    [Fact]
    public Task The_server_recovers_from_every_unplug_of_the_camera_and_the_client_gets_frames_after_each_replug() =>
        SoakRun.AssertPassesAsync(ct => UnplugScenario.RunAsync(SoakRun.Options(output) with { FakecamLibrary = FakeCamera.LibraryPath }, ct), output);

    [Fact]
    public Task Input_exec_restarts_leave_the_pipe_descriptors_flat() =>
        SoakRun.AssertPassesAsync(ct => ExecRestartScenario.RunAsync(SoakRun.Options(output), ct), output);

    [Fact]
    public Task Pause_file_toggles_keep_the_clients_and_leave_no_descriptors_or_threads_behind() =>
        SoakRun.AssertPassesAsync(ct => PauseToggleScenario.RunAsync(SoakRun.Options(output), ct), output);

    [Fact]
    public Task Sigterm_with_200_clients_exits_0_within_2_s() =>
        SoakRun.AssertPassesAsync(ct => ShutdownScenario.RunAsync(SoakRun.Options(output), ct), output);

    [Fact]
    public Task Only_the_right_credentials_pass_on_every_route_and_method() =>
        SoakRun.AssertPassesAsync(ct => AuthMatrixScenario.RunAsync(SoakRun.Options(output), ct), output);
}
