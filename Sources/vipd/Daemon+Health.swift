import Health
import HealthProbe
import Logging
import NIOCore
import VipdConfig
import VipdTelemetry

/// The node health check (`health`): its verdict gates the VIPs that set
/// `health` in every mode. A failing node withdraws its BGP VIPs and drops
/// its ARP VIPs (the leader resigns first, handing over); it returns after
/// `rise` successes, and not before `hold_down` has passed since it fell.
extension Daemon {
    func startHealth() {
        guard let h = config.health, h.type != .none else {
            gate.healthUp = nil
            return
        }
        let target = Self.healthTarget(h)
        do {
            let spec = try Self.probeSpec(h)
            gate.healthUp = false
            metrics.setHealthCheckUp(target: target, up: false)
            let checker = HealthChecker(
                eventLoop: loop, spec: spec, interval: h.interval.duration,
                machine: HealthMachine(rise: h.rise, fall: h.fall, holdDown: h.holdDown.duration),
                onResult: { [unowned self] outcome in
                    if !outcome.success, self.gate.healthUp == true {
                        self.hlog(target, "check failed: \(outcome.detail)")
                    }
                },
                onChange: { [unowned self] up in self.healthChanged(up, target: target) })
            healthChecker = checker
            hlog(target, "health check every \(h.interval), timeout \(h.timeout), rise \(h.rise), fall \(h.fall), hold-down \(h.holdDown); VIPs gated on it wait for \(h.rise) successes")
            checker.start()
        } catch {
            // The config reader already refuses bad targets; this is a
            // last guard, and it keeps the gated VIPs down.
            gate.healthUp = false
            hlog(target, "health check cannot run: \(error)")
        }
    }

    func stopHealth() {
        healthChecker?.stop()
        healthChecker = nil
        if let h = config.health { metrics.forgetHealthCheck(Self.healthTarget(h)) }
    }

    func healthChanged(_ up: Bool, target: String) {
        guard gate.healthUp != up else { return }
        gate.healthUp = up
        metrics.setHealthCheckUp(target: target, up: up)
        hlog(target, up ? "health check passing: gated VIPs come back" : "health check failing: gated VIPs withdrawn")
        // A failing leader leaves the election with a handover; its elected
        // VIPs stay (the gate leaves them to the election) until the
        // successor has them.
        updateCampaign()
        syncVIPs()
    }

    static func healthTarget(_ h: HealthCheck) -> String {
        h.url ?? h.target?.description ?? h.type.rawValue
    }

    static func probeSpec(_ h: HealthCheck) throws -> ProbeSpec {
        let expect = h.expectStatus.map(Int.init)
        switch h.type {
        case .tcp:
            guard let t = h.target else { throw ControlError("a tcp check needs target") }
            return ProbeSpec(kind: .tcp, host: t.host, port: Int(t.port), timeout: h.timeout.duration)
        case .http, .https:
            guard let url = h.url else { throw ControlError("an \(h.type.rawValue) check needs url") }
            return try ProbeSpec.fromURL(url, timeout: h.timeout.duration, expectStatus: expect, caFile: h.caFile,
                                         insecureSkipVerify: h.insecureSkipVerify)
        case .none:
            throw ControlError("type none has no probe")
        }
    }

    func hlog(_ target: String, _ message: String) {
        logger.info("\(message)", metadata: [LogKey.healthTarget: "\(target)"])
    }
}
