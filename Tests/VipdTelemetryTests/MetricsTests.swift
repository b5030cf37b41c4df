import Testing
@testable import VipdTelemetry

@Suite struct MetricsTests {
    let a = "10.0.0.1"
    let b = "fd00::2"

    func scrape(_ m: VipdMetrics) throws -> Exposition {
        try Exposition(m.exposition())
    }

    /// The peer's session_state series: state name to value.
    func states(_ e: Exposition, _ peer: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for s in e.named(MetricName.sessionState, ["peer": peer]) { out[s.labels["state"]!] = s.value }
        return out
    }

    @Test func aNewPeerIsIdleAndDownWithZeroCounters() throws {
        let m = VipdMetrics()
        m.registerPeer(a)
        let e = try scrape(m)
        #expect(states(e, a) == ["Idle": 1, "Connect": 0, "Active": 0, "OpenSent": 0, "OpenConfirm": 0, "Established": 0])
        #expect(e.value(MetricName.sessionUp, ["peer": a]) == 0)
        for type in ["open", "update", "notification", "keepalive", "route_refresh"] {
            #expect(e.value(MetricName.messagesReceived, ["peer": a, "type": type]) == 0)
            #expect(e.value(MetricName.messagesSent, ["peer": a, "type": type]) == 0)
        }
        #expect(e.types[MetricName.sessionState] == "gauge")
        #expect(e.types[MetricName.messagesReceived] == "counter")
    }

    @Test func exactlyOneStateIsOneAfterEveryTransition() throws {
        let m = VipdMetrics()
        let path = ["Idle", "Connect", "OpenSent", "OpenConfirm", "Established", "Idle", "Active", "OpenSent",
                    "OpenConfirm", "Established"]
        m.setSessionState(peer: a, state: path[0])
        m.setSessionState(peer: b, state: "Active")
        for (from, to) in zip(path, path.dropFirst()) {
            m.recordTransition(peer: a, from: from, to: to)
            let e = try scrape(m)
            let s = states(e, a)
            #expect(s.count == 6)
            #expect(s.filter { $0.value == 1 }.map(\.key) == [to])
            #expect(s.values.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(e.value(MetricName.sessionUp, ["peer": a]) == (to == "Established" ? 1 : 0))
            // The other peer is untouched.
            #expect(states(e, b).filter { $0.value == 1 }.map(\.key) == ["Active"])
        }
        let e = try scrape(m)
        #expect(e.value(MetricName.fsmTransitions, ["peer": a, "from": "OpenConfirm", "to": "Established"]) == 2)
        #expect(e.value(MetricName.fsmTransitions, ["peer": a, "from": "Established", "to": "Idle"]) == 1)
        #expect(e.value(MetricName.fsmTransitions, ["peer": a, "from": "Idle", "to": "Connect"]) == 1)
        #expect(e.named(MetricName.fsmTransitions, ["peer": a]).map(\.value).reduce(0, +) == Double(path.count - 1))
        #expect(e.named(MetricName.fsmTransitions, ["peer": b]).isEmpty)
    }

    @Test func anUnknownStateNameLeavesTheStateAlone() throws {
        let m = VipdMetrics()
        m.setSessionState(peer: a, state: "Established")
        m.setSessionState(peer: a, state: "established")
        let e = try scrape(m)
        #expect(states(e, a).filter { $0.value == 1 }.map(\.key) == ["Established"])
        #expect(e.named(MetricName.sessionState, ["peer": a]).count == 6)
    }

    @Test func messageCountersCountPerPeerAndType() throws {
        let m = VipdMetrics()
        for _ in 0..<3 { m.countMessageReceived(peer: a, type: "update") }
        m.countMessageReceived(peer: a, type: "update", count: 1000)
        m.countMessageSent(peer: a, type: "keepalive")
        m.countMessageSent(peer: b, type: "open", count: 2)
        m.countMessageSent(peer: b, type: "open", count: 0)
        let e = try scrape(m)
        #expect(e.value(MetricName.messagesReceived, ["peer": a, "type": "update"]) == 1003)
        #expect(e.value(MetricName.messagesReceived, ["peer": a, "type": "keepalive"]) == 0)
        #expect(e.value(MetricName.messagesSent, ["peer": a, "type": "keepalive"]) == 1)
        #expect(e.value(MetricName.messagesSent, ["peer": a, "type": "update"]) == 0)
        #expect(e.value(MetricName.messagesSent, ["peer": b, "type": "open"]) == 2)
        #expect(e.value(MetricName.messagesReceived, ["peer": b, "type": "update"]) == 0)
    }

    @Test func onlyTheLastErrorIsShown() throws {
        let m = VipdMetrics()
        m.setLastError(peer: a, code: 6, subcode: 2)
        m.setLastError(peer: a, code: 4, subcode: 0)
        m.setLastError(peer: b, code: 3, subcode: 1)
        var e = try scrape(m)
        #expect(e.named(MetricName.lastErrorInfo, ["peer": a]).map(\.labels) == [["peer": a, "code": "4", "subcode": "0"]])
        #expect(e.value(MetricName.lastErrorInfo, ["peer": a, "code": "4", "subcode": "0"]) == 1)
        #expect(e.value(MetricName.lastErrorInfo, ["peer": b, "code": "3", "subcode": "1"]) == 1)
        m.clearLastError(peer: a)
        e = try scrape(m)
        #expect(e.named(MetricName.lastErrorInfo, ["peer": a]).isEmpty)
        #expect(e.named(MetricName.lastErrorInfo, ["peer": b]).count == 1)
    }

    @Test func prefixGaugesFollowTheLastCount() throws {
        let m = VipdMetrics()
        m.setPrefixesReceived(peer: a, family: "ipv4-unicast", count: 10)
        m.setPrefixesAccepted(peer: a, family: "ipv4-unicast", count: 7)
        m.setPrefixesAdvertised(peer: a, family: "ipv6-unicast", count: 1)
        m.setPrefixesReceived(peer: a, family: "ipv4-unicast", count: 12)
        let e = try scrape(m)
        #expect(e.value(MetricName.prefixesReceived, ["peer": a, "family": "ipv4-unicast"]) == 12)
        #expect(e.value(MetricName.prefixesAccepted, ["peer": a, "family": "ipv4-unicast"]) == 7)
        #expect(e.value(MetricName.prefixesAdvertised, ["peer": a, "family": "ipv6-unicast"]) == 1)
        #expect(e.named(MetricName.prefixesAdvertised, ["family": "ipv4-unicast"]).isEmpty)
    }

    @Test func aForgottenPeerHasNoSeriesLeftAndStartsAfresh() throws {
        let m = VipdMetrics()
        for peer in [a, b] {
            m.recordTransition(peer: peer, from: "OpenConfirm", to: "Established")
            m.countMessageReceived(peer: peer, type: "update", count: 5)
            m.setLastError(peer: peer, code: 6, subcode: 4)
            m.setPrefixesReceived(peer: peer, family: "ipv4-unicast", count: 3)
            m.setPrefixesAccepted(peer: peer, family: "ipv4-unicast", count: 3)
            m.setPrefixesAdvertised(peer: peer, family: "ipv4-unicast", count: 1)
        }
        let before = try scrape(m)
        #expect(before.samples.filter { $0.labels["peer"] == a }.count > 20)
        m.forgetPeer(a)
        let e = try scrape(m)
        #expect(e.samples.filter { $0.labels["peer"] == a } == [])
        #expect(e.samples.filter { $0.labels["peer"] == b }.count == before.samples.filter { $0.labels["peer"] == b }.count)
        #expect(m.peerNames == [b])
        m.forgetPeer(b)
        let empty = try scrape(m)
        #expect(empty.samples.allSatisfy { !$0.name.hasPrefix("vipd_bgp_") })
        #expect(!empty.types.keys.contains(MetricName.sessionUp))
        // Named again, the peer starts from zero.
        m.countMessageReceived(peer: a, type: "update")
        let again = try scrape(m)
        #expect(again.value(MetricName.messagesReceived, ["peer": a, "type": "update"]) == 1)
        #expect(again.named(MetricName.lastErrorInfo).isEmpty)
    }

    @Test func aVIPHasOneSeriesForItsCurrentMode() throws {
        let m = VipdMetrics()
        m.setVIPOwned(vip: "10.0.1.100", mode: "arp", owned: true)
        m.setVIPOwned(vip: "fd00:1::100", mode: "bgp", owned: false)
        m.setVIPOwned(vip: "10.0.1.100", mode: "bgp", owned: true)
        var e = try scrape(m)
        #expect(e.named(MetricName.vipOwned, ["vip": "10.0.1.100"]).map(\.labels) == [["vip": "10.0.1.100", "mode": "bgp"]])
        #expect(e.value(MetricName.vipOwned, ["vip": "10.0.1.100", "mode": "bgp"]) == 1)
        #expect(e.value(MetricName.vipOwned, ["vip": "fd00:1::100", "mode": "bgp"]) == 0)
        m.setVIPOwned(vip: "10.0.1.100", mode: "bgp", owned: false)
        m.forgetVIP("fd00:1::100")
        e = try scrape(m)
        #expect(e.value(MetricName.vipOwned, ["vip": "10.0.1.100", "mode": "bgp"]) == 0)
        #expect(e.named(MetricName.vipOwned, ["vip": "fd00:1::100"]).isEmpty)
    }

    @Test func electionAndFailover() throws {
        let m = VipdMetrics()
        m.setElectionLeader(name: "cp", leader: true)
        m.countElectionTransition(name: "cp")
        m.setElectionLeader(name: "cp", leader: false)
        m.countElectionTransition(name: "cp")
        m.recordFailover(.milliseconds(1200))
        m.recordFailover(.milliseconds(2600))
        var e = try scrape(m)
        #expect(e.value(MetricName.electionLeader, ["name": "cp"]) == 0)
        #expect(e.value(MetricName.electionTransitions, ["name": "cp"]) == 2)
        #expect(e.types[MetricName.failoverSeconds] == "histogram")
        let bucket = { (le: String) in e.value(MetricName.failoverSeconds + "_bucket", ["le": le]) }
        #expect(bucket("1.0") == 0)
        #expect(bucket("1.5") == 1)
        #expect(bucket("2.5") == 1)
        #expect(bucket("3.0") == 2)
        #expect(bucket("+Inf") == 2)
        #expect(e.value(MetricName.failoverSeconds + "_count") == 2)
        #expect(abs((e.value(MetricName.failoverSeconds + "_sum") ?? 0) - 3.8) < 1e-9)
        m.forgetElection("cp")
        e = try scrape(m)
        #expect(e.named(MetricName.electionLeader).isEmpty && e.named(MetricName.electionTransitions).isEmpty)
    }

    @Test func layer2HealthAndIPVS() throws {
        let m = VipdMetrics()
        m.countGARPSent(interface: "eth0", count: 3)
        m.countGARPSent(interface: "eth0")
        m.countNASent(interface: "eth1", count: 2)
        m.setHealthCheckUp(target: "https://127.0.0.1:6443/readyz", up: true)
        m.setIPVSBackendUp(service: "10.9.0.100:80", backend: "10.9.1.11:80", up: true)
        m.setIPVSBackendUp(service: "10.9.0.100:80", backend: "10.9.1.12:80", up: false)
        m.setIPVSBackendUp(service: "10.9.0.101:443", backend: "10.9.1.11:443", up: true)
        var e = try scrape(m)
        #expect(e.value(MetricName.garpSent, ["interface": "eth0"]) == 4)
        #expect(e.value(MetricName.naSent, ["interface": "eth1"]) == 2)
        #expect(e.value(MetricName.healthCheckUp, ["target": "https://127.0.0.1:6443/readyz"]) == 1)
        #expect(e.value(MetricName.ipvsBackendUp, ["service": "10.9.0.100:80", "backend": "10.9.1.12:80"]) == 0)
        m.forgetIPVSService("10.9.0.100:80")
        m.forgetInterface("eth0")
        m.setHealthCheckUp(target: "https://127.0.0.1:6443/readyz", up: false)
        e = try scrape(m)
        #expect(e.named(MetricName.ipvsBackendUp).map(\.labels) == [["service": "10.9.0.101:443", "backend": "10.9.1.11:443"]])
        #expect(e.named(MetricName.garpSent).isEmpty)
        #expect(e.value(MetricName.naSent, ["interface": "eth1"]) == 2)
        #expect(e.value(MetricName.healthCheckUp, ["target": "https://127.0.0.1:6443/readyz"]) == 0)
        m.forgetIPVSBackend(service: "10.9.0.101:443", backend: "10.9.1.11:443")
        m.forgetHealthCheck("https://127.0.0.1:6443/readyz")
        e = try scrape(m)
        #expect(e.named(MetricName.ipvsBackendUp).isEmpty && e.named(MetricName.healthCheckUp).isEmpty)
    }

    /// interfaces.md's names, each with exactly its labels, and nothing else.
    @Test func everyNameOfTheContractWithItsLabels() throws {
        let expected: [String: Set<String>] = [
            "vipd_bgp_session_up": ["peer"],
            "vipd_bgp_session_state": ["peer", "state"],
            "vipd_bgp_fsm_transitions_total": ["peer", "from", "to"],
            "vipd_bgp_last_error_info": ["peer", "code", "subcode"],
            "vipd_bgp_messages_received_total": ["peer", "type"],
            "vipd_bgp_messages_sent_total": ["peer", "type"],
            "vipd_bgp_prefixes_received": ["peer", "family"],
            "vipd_bgp_prefixes_accepted": ["peer", "family"],
            "vipd_bgp_prefixes_advertised": ["peer", "family"],
            "vipd_vip_owned": ["vip", "mode"],
            "vipd_election_leader": ["name"],
            "vipd_election_transitions_total": ["name"],
            "vipd_failover_seconds_bucket": ["le"],
            "vipd_failover_seconds_sum": [],
            "vipd_failover_seconds_count": [],
            "vipd_garp_sent_total": ["interface"],
            "vipd_na_sent_total": ["interface"],
            "vipd_health_check_up": ["target"],
            "vipd_ipvs_backend_up": ["service", "backend"],
        ]
        let m = VipdMetrics()
        m.recordTransition(peer: a, from: "Idle", to: "Connect")
        m.setLastError(peer: a, code: 6, subcode: 2)
        m.setPrefixesReceived(peer: a, family: "ipv4-unicast", count: 1)
        m.setPrefixesAccepted(peer: a, family: "ipv4-unicast", count: 1)
        m.setPrefixesAdvertised(peer: a, family: "ipv4-unicast", count: 1)
        m.setVIPOwned(vip: "10.0.1.100", mode: "bgp", owned: true)
        m.setElectionLeader(name: "cp", leader: true)
        m.countElectionTransition(name: "cp")
        m.recordFailover(.seconds(2))
        m.countGARPSent(interface: "eth0")
        m.countNASent(interface: "eth0")
        m.setHealthCheckUp(target: "10.0.0.9:6443", up: true)
        m.setIPVSBackendUp(service: "10.9.0.100:80", backend: "10.9.1.11:80", up: true)
        let e = try scrape(m)
        #expect(Set(e.samples.map(\.name)) == Set(expected.keys))
        for s in e.samples {
            #expect(Set(s.labels.keys) == expected[s.name], "\(s)")
        }
        #expect(Set(e.types.keys) == Set(expected.keys.map { name in
            name.hasPrefix(MetricName.failoverSeconds) ? MetricName.failoverSeconds : name
        }))
    }

    @Test func labelValuesAreEscaped() throws {
        let m = VipdMetrics()
        m.setHealthCheckUp(target: "odd \"target\"\\x", up: true)
        let e = try scrape(m)
        #expect(e.value(MetricName.healthCheckUp, ["target": "odd \"target\"\\x"]) == 1)
    }

    @Test func swiftMetricsReportsLandInTheSameRegistry() throws {
        let m = VipdMetrics()
        let factory = m.makeMetricsFactory()
        factory.makeCounter(label: "lib_events_total", dimensions: [("kind", "x")]).increment(by: 2)
        m.registerPeer(a)
        let e = try scrape(m)
        #expect(e.value("lib_events_total", ["kind": "x"]) == 2)
        #expect(e.value(MetricName.sessionUp, ["peer": a]) == 0)
    }
}
