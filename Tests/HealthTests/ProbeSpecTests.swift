@testable import HealthProbe
import Testing

@Suite struct ProbeSpecTests {
    func parse(_ url: String) throws -> ProbeSpec {
        try ProbeSpec.fromURL(url, timeout: .milliseconds(500), expectStatus: [200], caFile: nil, insecureSkipVerify: false)
    }

    @Test func theAPIServerURL() throws {
        let s = try parse("https://127.0.0.1:6443/readyz")
        #expect(s.kind == .https)
        #expect(s.host == "127.0.0.1")
        #expect(s.port == 6443)
        #expect(s.path == "/readyz")
        #expect(s.serverName == nil)
        #expect(s.hostHeader == "127.0.0.1:6443")
    }

    @Test func defaultsAndForms() throws {
        let a = try parse("http://example.com")
        #expect(a.kind == .http && a.port == 80 && a.path == "/" && a.hostHeader == "example.com")
        let b = try parse("HTTPS://[::1]/livez?verbose")
        #expect(b.kind == .https && b.host == "::1" && b.port == 443 && b.path == "/livez?verbose")
        #expect(b.hostHeader == "[::1]")
        let c = try parse("https://[fd00::1]:8443")
        #expect(c.host == "fd00::1" && c.port == 8443 && c.hostHeader == "[fd00::1]:8443")
        let d = try parse("tcp://10.0.0.1:2379")
        #expect(d.kind == .tcp && d.port == 2379)
        let e = try parse("http://host?x=1")
        #expect(e.path == "/?x=1")
    }

    @Test(arguments: [
        "127.0.0.1:6443", "ftp://h/", "http://", "http://:80/", "http://h:0/", "http://h:65536/",
        "http://h:x/", "http://u@h/", "http://h/#frag", "https://[::1/", "https://[::1]x/", "tcp://h",
    ])
    func refused(_ url: String) {
        #expect(throws: ProbeSpecError.self) { try parse(url) }
    }

    @Test func serverNameGoesInTheHostHeader() {
        let s = ProbeSpec(kind: .https, host: "10.0.0.1", port: 6443, path: "readyz", serverName: "kubernetes",
                          timeout: .seconds(1))
        #expect(s.path == "/readyz")
        #expect(s.hostHeader == "kubernetes:6443")
    }
}
