import BGPCodec
import BGPCodecJSON
import Health
import HealthProbe
import IPVS
import IPVSNetlink
import Logging
import NIOCore
import VipdConfig
import VipdTelemetry

/// IPVS in the daemon: the config's `services` reconciled into the kernel's
/// table (only the difference is touched), backends gated by their health
/// checks (weight 0 or removed, back with their weight on recovery), runtime
/// weight overrides, and `lb show`.
extension Daemon {
    /// Opens IPVS and programs the table. The backends' checks start with
    /// it, or (`checks: false`, the daemon's start) later, once the rest of
    /// the start is done: their first probes then do not compete with it,
    /// and a backend counts as up until its check decides.
    func startIPVS(checks: Bool = true) {
        guard !config.services.isEmpty || IPVSPlumbing.hasRecord(config.stateDir) else { return }
        do {
            ipvs = IPVSPlumbing(kernel: try NetlinkIPVS(), stateDir: config.stateDir) { [unowned self] in self.log($0) }
        } catch {
            log("IPVS unavailable, services not programmed: \(error)")
            return
        }
        if checks { startBackendChecks() }
        reconcileIPVS(reason: "start")
    }

    func stopIPVS() {
        for (_, c) in backendCheckers { c.stop() }
        backendCheckers = [:]
        ipvs?.cleanupAtExit(keep: config.ipvs.keepOnExit)
    }

    func indexServices() {
        serviceIndex = Dictionary(config.services.enumerated().map { (IPVSDesired.key($0.element), $0.offset) },
                                  uniquingKeysWith: { first, _ in first })
    }

    var desiredIPVS: IPVSTableState {
        IPVSDesired.table(config.services, up: backendUp, overrides: weightOverrides)
    }

    /// Reconciles and logs. The first (and any that changed something)
    /// ends in the `ipvs table programmed` line of interfaces.md.
    func reconcileIPVS(reason: String) {
        indexServices()
        guard let ipvs else { return }
        let desired = desiredIPVS
        let o = ipvs.reconcile(desired)
        ipvs.syncNAT(desired.restricted(to: ipvs.owned))
        for c in o.conflicts { logger.warning("IPVS service exists and is not vipd's, left alone: \(c)", metadata: [LogKey.ipvsService: "\(c.key)"]) }
        for f in o.failures { logger.error("IPVS: \(f)") }
        guard reason == "start" || !o.intents.isEmpty else { return }
        logger.info("ipvs table programmed", metadata: [
            LogKey.ipvsServices: "\(o.services)", LogKey.ipvsBackends: "\(o.backends)",
            "ipvs.changes": "\(o.intents.count)", "ipvs.reason": "\(reason)",
            "ipvs.read_ms": "\(Self.ms(o.readMs))", "ipvs.plan_ms": "\(Self.ms(o.planMs))", "ipvs.apply_ms": "\(Self.ms(o.applyMs))",
        ])
    }

    /// Milliseconds to a tenth.
    private static func ms(_ v: Double) -> String { "\((v * 10).rounded() / 10)" }

    // MARK: backend health

    /// One checker per backend of each service with a check (`type: none`
    /// has none; a fwmark backend has no port to probe). A backend counts
    /// as up until its check decides: down after `fall` failures, up after
    /// `rise` successes.
    func startBackendChecks() {
        var wanted: [BackendID: (ServiceConfig, ServiceConfig.Backend)] = [:]
        for s in config.services where s.health.type != .none {
            for b in s.backends where IPVSDesired.port(b, of: s) != 0 {
                wanted[IPVSDesired.backendID(b, of: s)] = (s, b)
            }
        }
        for (id, c) in backendCheckers where wanted[id] == nil || backendSpecs[id] != wanted[id].map(Self.backendSpec) {
            c.stop()
            backendCheckers[id] = nil
            backendSpecs[id] = nil
            backendUp[id] = nil
            metrics.forgetIPVSBackend(service: id.serviceLabel, backend: id.destination.description)
        }
        for (id, (s, b)) in wanted where backendCheckers[id] == nil {
            let spec = Self.backendSpec(s, b)
            let h = s.health
            var streak = 0
            let checker = HealthChecker(
                eventLoop: loop, spec: spec, interval: h.interval.duration,
                machine: HealthMachine(rise: h.rise, fall: h.fall, holdDown: h.holdDown.duration),
                onResult: { [unowned self] outcome in
                    // Before the first verdict: `fall` failures in a row say down.
                    guard self.backendUp[id] == nil else { return }
                    streak = outcome.success ? 0 : streak + 1
                    if streak >= h.fall { self.backendChanged(id, up: false, detail: outcome.detail) }
                },
                onChange: { [unowned self] up in self.backendChanged(id, up: up, detail: up ? "passing" : "failing") })
            backendCheckers[id] = checker
            backendSpecs[id] = spec
            checker.start()
        }
    }

    static func backendSpec(_ s: ServiceConfig, _ b: ServiceConfig.Backend) -> ProbeSpec {
        let h = s.health
        let kind: ProbeSpec.Kind = h.type == .http ? .http : h.type == .https ? .https : .tcp
        return ProbeSpec(kind: kind, host: b.address.description, port: Int(IPVSDesired.port(b, of: s)), path: h.path ?? "/",
                         timeout: h.timeout.duration, expectStatus: h.expectStatus.map(Int.init), caFile: h.caFile,
                         insecureSkipVerify: h.insecureSkipVerify)
    }

    func backendChanged(_ id: BackendID, up: Bool, detail: String) {
        guard backendUp[id] != up else { return }
        let first = backendUp[id] == nil
        backendUp[id] = up
        metrics.setIPVSBackendUp(service: id.serviceLabel, backend: id.destination.description, up: up)
        if first && up { return }
        logger.info("backend \(up ? "up" : "down") (\(detail))",
                    metadata: [LogKey.ipvsService: "\(id.service)", LogKey.ipvsBackend: "\(id.destination)"])
        reconcileIPVS(reason: "health")
    }
}
