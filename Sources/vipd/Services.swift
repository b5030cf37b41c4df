import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import VipdTelemetry

/// The daemon as a swift-service-lifecycle service. It runs until the
/// group's graceful shutdown (SIGTERM, SIGINT) or a control stop
/// (`vipctl stop --graceful-restart`), then stops in order:
/// 1. the drain, when `drain.on_sigterm` (GRACEFUL_SHUTDOWN for `drain.wait`);
/// 2. the election's handover (the successor takes the ARP VIPs first);
/// 3. health check and layer 2 (ARP VIPs removed);
/// 4. BGP withdrawal, Cease/Administrative Shutdown with a message;
/// 5. kernel clean-up (table-mode routes, FIB, VIPs on lo);
/// 6. the control socket and the metrics server.
/// A graceful-restart stop skips 1-5: VIPs and routes stay for the restart.
struct VipdService: Service, CustomStringConvertible {
    let daemon: Daemon
    let control: Channel
    let telemetry: TelemetryServer

    /// The name the service group logs (its own default is a reflection
    /// of every field, some 17 ms of a start under emulation).
    var description: String { "vipd" }

    func run() async throws {
        let exit = daemon.loop.makePromise(of: Bool.self)
        // A control stop fulfils it with true; a second fulfilment is ignored.
        daemon.onExit = { exit.succeed(true) }
        let keepState = try await withGracefulShutdownHandler {
            try await exit.futureResult.get()
        } onGracefulShutdown: {
            exit.succeed(false)
        }
        if !keepState {
            daemon.log("stopping: withdrawing and cleaning up")
            // A step that fails (a socket already gone, say) is logged and
            // the stop goes on: SIGTERM ends vipd with status 0.
            do { try await daemon.shutdown().get() } catch { daemon.log("stop: \(error)") }
        }
        try? await control.close().get()
        try? await telemetry.close().get()
    }
}

/// SIGHUP reloads the config file for as long as the daemon runs; a file
/// with errors is refused and the running config stays.
struct ReloadService: Service, CustomStringConvertible {
    let daemon: Daemon
    let path: String

    var description: String { "vipd-reload" }

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            switch Vipd.load(path) {
            case .success(let c): daemon.reload(c)
            case .failure(let e): daemon.log("reload refused, keeping the running config:\n" + e.message)
            }
        }
    }
}
