import ArgumentParser
import CMalloc
import Foundation
import NIOCore
import Logging
import NIOPosix
import ServiceLifecycle
import VipdConfig
import VipdTelemetry

/// vipd: highly available virtual IPs, advertised with our own BGP speaker.
@main
struct Vipd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vipd", abstract: "Highly available virtual IPs over BGP.")

    @Option(name: .customLong("config"), help: "Run with this YAML config file.") var config: String?
    @Option(name: .customLong("check-config"), help: "Validate a config file, print each error with its line, exit 0 or 1.") var checkConfig: String?
    // kube-vip's etcd election flags, accepted as they are (interfaces.md);
    // the file's keys override them.
    @Option(name: .customLong("leaderElectionType"), help: "kube-vip's election type; vipd has etcd.") var leaderElectionType: String?
    @Option(name: .customLong("etcdEndpoints"), help: "kube-vip's etcd endpoints, comma-separated.") var etcdEndpoints: String?
    @Option(name: .customLong("etcdCACert"), help: "kube-vip's etcd CA file.") var etcdCACert: String?
    @Option(name: .customLong("etcdCert"), help: "kube-vip's etcd client certificate.") var etcdCert: String?
    @Option(name: .customLong("etcdKey"), help: "kube-vip's etcd client key.") var etcdKey: String?

    /// ArgumentParser's own main, after one malloc setting: every thread
    /// shares glibc's main heap. vipd's work is on one event loop, so arenas
    /// per thread buy nothing, and a thread's arena grows one mprotect at a
    /// time: loading a 17,000-line config on a pool thread made some 1,100
    /// of those calls, which cost the most under emulation. (Before any
    /// other thread has allocated: this runs first, on the main thread.)
    ///
    /// The way a service manager starts vipd, `--config FILE` or
    /// `--check-config FILE` alone, goes straight to `serve`: ArgumentParser
    /// reads a command by reflecting over its options and looking up their
    /// conformances, which was 0.1 s of every start under emulation
    /// (docs/decisions.md). Anything else (the kube-vip flags,
    /// `--config=FILE`, help, mistakes) is ArgumentParser's.
    static func main() async {
        _ = mallopt(M_ARENA_MAX, 1)
        if let plain = PlainStart(arguments: Array(CommandLine.arguments.dropFirst())) {
            do {
                try await serve(config: plain.config, checkConfig: plain.checkConfig)
            } catch {
                exit(withError: error)
            }
            return
        }
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// The kube-vip flags of this run, for every load (start and reloads).
    nonisolated(unsafe) static var kubeVipFlags = KubeVipFlags()

    func validate() throws {
        if (config == nil) == (checkConfig == nil) { throw ValidationError("give exactly one of --config FILE or --check-config FILE") }
    }

    struct LoadError: Error { var message: String }

    /// kube-vip's variables that are set (the only ones the config reads),
    /// without building the whole environment as Foundation's ProcessInfo
    /// does.
    static func kubeVipEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        for name in KubeVip.variables {
            if let v = getenv(name) { env[name] = String(cString: v) }
        }
        return env
    }

    /// The config file with kube-vip's environment under it and the host's
    /// defaults filled in; or every error, one a line, prefixed by the path.
    static func load(_ path: String) -> Result<VipdConfig, LoadError> {
        guard let text = FileIO.readText(path) else { return .failure(LoadError(message: "\(path): cannot read the file")) }
        do {
            let c = try VipdConfig.load(yaml: text, environment: kubeVipEnvironment(), flags: kubeVipFlags)
            return .success(try c.resolvingHostDefaults(HostLookup.facts()))
        } catch {
            return .failure(LoadError(message: error.errors.map { "\(path): \($0)" }.joined(separator: "\n")))
        }
    }

    func run() async throws {
        Self.kubeVipFlags = KubeVipFlags(leaderElectionType: leaderElectionType,
                                         etcdEndpoints: etcdEndpoints?.split(separator: ",").map(String.init) ?? [],
                                         etcdCACert: etcdCACert, etcdCert: etcdCert, etcdKey: etcdKey)
        try await Self.serve(config: config, checkConfig: checkConfig)
    }

    /// Checks the config file (`checkConfig`), or runs the daemon with it
    /// until it is stopped.
    static func serve(config: String?, checkConfig: String?) async throws {
        if let path = checkConfig {
            switch load(path) {
            case .success: print("\(path): ok")
            case .failure(let e):
                FileHandle.standardError.write(Data((e.message + "\n").utf8))
                throw ExitCode.failure
            }
            return
        }
        guard let path = config else { throw ValidationError("give exactly one of --config FILE or --check-config FILE") }
        let cfg: VipdConfig
        let loadStart = DispatchTime.now().uptimeNanoseconds
        switch load(path) {
        case .success(let c): cfg = c
        case .failure(let e):
            FileHandle.standardError.write(Data((e.message + "\n").utf8))
            throw ExitCode.failure
        }
        LogSetup.bootstrap(level: .info)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let daemon = Daemon(loop: group.next(), config: cfg, configPath: path)
        let loadMs = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e6
        daemon.log("config \(path) loaded in \((loadMs * 10).rounded() / 10) ms: \(cfg.peers.count) peers, \(cfg.vips.count) VIPs, \(cfg.services.count) services")
        try daemon.start()
        let control = try ControlServer.start(daemon: daemon, path: cfg.control.socket)
        daemon.log("control socket \(cfg.control.socket)")
        let telemetry = try daemon.startTelemetry(group: group)

        // swift-service-lifecycle runs the daemon until SIGTERM or SIGINT
        // (a graceful shutdown: the ordered stop in VipdService) or a
        // control stop, and reloads on SIGHUP meanwhile.
        let service = VipdService(daemon: daemon, control: control, telemetry: telemetry)
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: ReloadService(daemon: daemon, path: path)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "vipd.lifecycle")))
        try await services.run()
        unlink(cfg.control.socket)
        try? await group.shutdownGracefully()
    }
}
