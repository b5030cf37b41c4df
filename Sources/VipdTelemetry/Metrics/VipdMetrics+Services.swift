import Prometheus

/// VIPs, election, layer 2, health checks and IPVS.
extension VipdMetrics {
    // MARK: VIPs

    /// Whether this node owns (ARP/NDP) or announces (BGP, table) the VIP.
    /// A VIP has one `vipd_vip_owned` series: a new mode replaces the old one.
    public func setVIPOwned(vip: String, mode: String, owned: Bool) {
        if let entry = vips[vip] {
            if entry.mode == mode {
                entry.gauge.set(owned ? 1.0 : 0.0)
                return
            }
            registry.unregisterGauge(entry.gauge)
        }
        let gauge = makeGauge(MetricName.vipOwned, MetricHelp.vipOwned, [("vip", vip), ("mode", mode)])
        gauge.set(owned ? 1.0 : 0.0)
        vips[vip] = (mode, gauge)
    }

    /// Removes the VIP's series (removed from the config or by `vip del`).
    public func forgetVIP(_ vip: String) {
        guard let entry = vips.removeValue(forKey: vip) else { return }
        registry.unregisterGauge(entry.gauge)
    }

    // MARK: Election

    /// 1 while this node is the leader of the named election.
    public func setElectionLeader(name: String, leader: Bool) {
        set(&electionLeaders, name, to: leader ? 1.0 : 0.0) {
            makeGauge(MetricName.electionLeader, MetricHelp.electionLeader, [("name", name)])
        }
    }

    /// Counts one change of this node's leadership in the named election.
    public func countElectionTransition(name: String) {
        bump(&electionTransitions, name, by: 1) {
            makeCounter(MetricName.electionTransitions, MetricHelp.electionTransitions, [("name", name)])
        }
    }

    /// Removes the election's series (the election left the config).
    public func forgetElection(_ name: String) {
        if let gauge = electionLeaders.removeValue(forKey: name) { registry.unregisterGauge(gauge) }
        if let counter = electionTransitions.removeValue(forKey: name) { registry.unregisterCounter(counter) }
    }

    /// One failover: from the previous leader lost to this node owning its VIPs.
    public func recordFailover(_ duration: Duration) {
        failover.record(duration)
    }

    // MARK: Layer 2

    /// Counts gratuitous ARP packets sent on an interface.
    public func countGARPSent(interface: String, count: Int = 1) {
        bump(&garpSent, interface, by: count) {
            makeCounter(MetricName.garpSent, MetricHelp.garpSent, [("interface", interface)])
        }
    }

    /// Counts unsolicited neighbour advertisements sent on an interface.
    public func countNASent(interface: String, count: Int = 1) {
        bump(&naSent, interface, by: count) {
            makeCounter(MetricName.naSent, MetricHelp.naSent, [("interface", interface)])
        }
    }

    /// Removes the interface's GARP and NA counters.
    public func forgetInterface(_ interface: String) {
        if let c = garpSent.removeValue(forKey: interface) { registry.unregisterCounter(c) }
        if let c = naSent.removeValue(forKey: interface) { registry.unregisterCounter(c) }
    }

    // MARK: Health and IPVS

    /// 1 while the health check's target is up.
    public func setHealthCheckUp(target: String, up: Bool) {
        set(&healthChecks, target, to: up ? 1.0 : 0.0) {
            makeGauge(MetricName.healthCheckUp, MetricHelp.healthCheckUp, [("target", target)])
        }
    }

    /// Removes the health check's series.
    public func forgetHealthCheck(_ target: String) {
        if let g = healthChecks.removeValue(forKey: target) { registry.unregisterGauge(g) }
    }

    /// 1 while the IPVS backend is healthy and in service. `service` is the
    /// virtual service as `VIP:PORT` (or `fwmark:N`), `backend` as `ADDR:PORT`.
    public func setIPVSBackendUp(service: String, backend: String, up: Bool) {
        set(&ipvsBackends, IPVSBackendKey(service: service, backend: backend), to: up ? 1.0 : 0.0) {
            makeGauge(MetricName.ipvsBackendUp, MetricHelp.ipvsBackendUp, [("service", service), ("backend", backend)])
        }
    }

    /// Removes one backend's series.
    public func forgetIPVSBackend(service: String, backend: String) {
        if let g = ipvsBackends.removeValue(forKey: IPVSBackendKey(service: service, backend: backend)) {
            registry.unregisterGauge(g)
        }
    }

    /// Removes the series of every backend of the service.
    public func forgetIPVSService(_ service: String) {
        for key in ipvsBackends.keys where key.service == service {
            if let g = ipvsBackends.removeValue(forKey: key) { registry.unregisterGauge(g) }
        }
    }
}
