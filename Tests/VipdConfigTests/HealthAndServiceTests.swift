import BGPCodec
import Testing
@testable import VipdConfig

@Suite struct HealthAndServiceTests {
    @Test func nodeChecks() throws {
        let tcp = try #require(parse("health: {type: tcp, target: \"[::1]:6443\"}\n")?.health)
        #expect(tcp.target == HealthTarget(host: "::1", port: 6443) && tcp.url == nil && tcp.path == nil)
        #expect(tcp.interval == 1 && tcp.timeout == Seconds(milliseconds: 500) && tcp.rise == 2 && tcp.fall == 2 && tcp.holdDown == 0)
        let named = try #require(parse("health: {type: tcp, target: \"localhost:6443\"}\n")?.health)
        #expect(named.target?.description == "localhost:6443")
        let https = try #require(parse("health: {type: https, url: \"https://127.0.0.1:6443/readyz\", insecure_skip_verify: true, expect_status: [200, 204]}\n")?.health)
        #expect(https.insecureSkipVerify && https.expectStatus == [200, 204] && https.caFile == nil)
        #expect(parse("health: {type: none}\n")?.health == HealthCheck(type: .none))
    }

    @Test(arguments: [
        ("{type: https}", "health.url", "required for an https check"),
        ("{type: tcp}", "health.target", "required for a tcp check (host:port)"),
        ("{url: \"http://x/\"}", "health.type", "required (tcp, http, https or none)"),
        ("{type: http, url: \"https://x/\"}", "health.url", "'https://x/' is not an http:// URL (a http check's url must use its scheme)"),
        ("{type: http, url: \"http://x/\", path: /readyz}", "health.path", "the node check takes url (http, https) or target (tcp), not path"),
        ("{type: tcp, target: \"1.2.3.4:1\", url: \"http://x/\"}", "health.url", "url is for http and https checks; a tcp check takes target"),
        ("{type: http, url: \"http://x/\", ca_file: /ca.pem}", "health.ca_file", "ca_file applies to https checks only"),
        ("{type: tcp, target: \"1.2.3.4:1\", expect_status: [200]}", "health.expect_status", "expect_status applies to http and https checks only"),
        ("{type: none, interval: 1}", "health.interval", "a check of type none takes no other key"),
        ("{type: https, url: \"https://x/\", ca_file: /ca.pem, insecure_skip_verify: true}", "health.insecure_skip_verify",
         "insecure_skip_verify: true and ca_file exclude each other: either check the certificate against the CA or not at all"),
        ("{type: tcp, target: \"1.2.3.4:1\", interval: 1, timeout: 2}", "health.timeout",
         "2 is longer than interval 1: a check would still be running when the next starts"),
        ("{type: tcp, target: \"1.2.3.4:1\", rise: 0}", "health.rise", "0 is out of range (1-100)"),
        ("{type: http, url: \"http://x/\", expect_status: [99]}", "health.expect_status[0]", "99 is out of range (100-599)"),
        ("{type: tcp, target: \"1.2.3.4\"}", "health.target", "'1.2.3.4' is not host:port"),
        ("{type: udp}", "health.type", "'udp' is not one of tcp, http, https, none"),
    ])
    func refusedNodeChecks(check: String, path: String, reason: String) throws {
        let e = try #require(onlyError("health: \(check)\n"))
        #expect(e.line == 1 && e.path == path && e.reason == reason)
    }

    @Test func serviceDefaults() throws {
        let s = try #require(parse("services:\n  - vip: 10.9.0.100\n    port: 80\n    backends: [{address: 10.9.1.11}]\n")?.services.first)
        #expect(s.serviceProtocol == .tcp && s.scheduler == .wlc && s.forwarding == .direct && s.persistence == 0)
        #expect(s.onFailure == .quiesce && s.health == HealthCheck(type: .tcp))
        #expect(s.backends == [ServiceConfig.Backend(address: ip("10.9.1.11"), port: 80, weight: 1, forwarding: nil)])
    }

    @Test func backendHealthChecksTakeAPath() throws {
        let s = try #require(parse("services:\n  - {vip: 10.9.0.100, port: 80, health: {type: http}}\n  - {vip: 10.9.0.100, port: 81, health: {type: https, path: /healthz}}\n")?.services)
        #expect(s[0].health.path == "/" && s[1].health.path == "/healthz")
        let e = try #require(onlyError("services:\n  - {vip: 10.9.0.100, port: 80, health: {type: http, url: \"http://x/\"}}\n"))
        #expect(e.path == "services[0].health.url"
            && e.reason == "a backend check probes the backend's own address and port; it takes path (http, https), not url")
    }

    @Test func fwmarkServices() throws {
        let s = try #require(parse("services:\n  - fwmark: 7\n    health: {type: none}\n    backends: [{address: \"fd00::1\"}, {address: \"fd00::2\", port: 8080}]\n")?.services.first)
        #expect(s.frontend == .fwmark(7) && s.backends.map(\.port) == [nil, 8080])
        let e = errors("services:\n  - fwmark: 7\n    port: 80\n    backends:\n      - {address: 10.0.0.1}\n")
        #expect(e.map(\.description) == [
            "line 3: services[0].port: a fwmark service has no port: the mark selects the packets",
            "line 5: services[0].backends[0].port: required for a tcp health check on a fwmark service (or health: {type: none})",
        ])
    }

    @Test func refusedServices() {
        let e = errors("""
            services:
              - vip: 10.9.0.100
                port: 80
                scheduler: fastest
                backends:
                  - {address: "fd00::1", port: 80}
                  - {address: 10.9.1.1, port: 80, weight: 70000}
                  - {address: 10.9.1.2, port: 80, forwarding: dsr}
                  - {address: 10.9.1.3, port: 80}
                  - {address: 10.9.1.3, port: 80}
              - {vip: 10.9.0.100, port: 80}
              - {vip: 10.9.0.100, port: 80, protocol: udp}
              - {port: 80}
            """)
        #expect(e.map(\.description) == [
            "line 4: services[0].scheduler: 'fastest' is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, mh, fo, ovf, twos",
            "line 6: services[0].backends[0].address: fd00::1 is not of the service's family (services[0].vip)",
            "line 7: services[0].backends[1].weight: 70000 is out of range (0-65535)",
            "line 8: services[0].backends[2].forwarding: 'dsr' is not one of direct, nat, tunnel, local",
            "line 10: services[0].backends[4].address: backend 10.9.1.3:80 is already services[0].backends[3]",
            "line 11: services[1]: service 10.9.0.100:80 tcp is already services[0]",
            "line 13: services[3].vip: required (or fwmark)",
        ])
    }

    /// Past 16 backends the repeats are found by hashing, not by comparing
    /// in turn: the same errors either way, on both sides of the switch.
    @Test func aBackendListedTwiceInALongList() {
        let backends = (1...20).map { "      - {address: 10.9.1.\($0), port: 80}" } + [
            "      - {address: 10.9.1.3, port: 80}", "      - {address: 10.9.1.19, port: 80}",
        ]
        let e = errors((["services:", "  - vip: 10.9.0.100", "    port: 80", "    backends:"] + backends).joined(separator: "\n"))
        #expect(e.map(\.description) == [
            "line 25: services[0].backends[20].address: backend 10.9.1.3:80 is already services[0].backends[2]",
            "line 26: services[0].backends[21].address: backend 10.9.1.19:80 is already services[0].backends[18]",
        ])
    }
}

@Suite struct LocalForwardingTests {
    let yaml = """
    services:
      - vip: 10.9.0.100
        port: 80
        forwarding: local
        backends: [{address: 10.9.0.5}, {address: 10.9.0.6, forwarding: direct}]
    """

    @Test func aLocalBackendMustBeAnAddressOfThisHost() throws {
        let c = try VipdConfig.load(yaml: yaml)
        // Not local: refused with the backend named.
        do {
            _ = try c.resolvingHostDefaults(HostFacts(localAddresses: [IPAddress("10.9.0.1")!]))
            Issue.record("a non-local local backend was accepted")
        } catch {
            #expect(error.errors.map(\.path) == ["services[0].backends[0]"])
            #expect(error.errors.first?.reason.contains("10.9.0.5 is not one of its addresses") == true)
        }
        // Local (the direct one is not checked); unknown addresses: no check.
        _ = try c.resolvingHostDefaults(HostFacts(localAddresses: [IPAddress("10.9.0.5")!]))
        _ = try c.resolvingHostDefaults(HostFacts())
    }
}
