@testable import HealthProbe
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Probes against real servers on 127.0.0.1. The probes run on their own
/// event loop, the servers on another, as the daemon's would be apart from
/// the API server. Timings are asserted only as bounds with wide slack.
@Suite(.serialized) final class ProbeTests {
    let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var loop: EventLoop { clientGroup.next() }

    deinit {
        try? clientGroup.syncShutdownGracefully()
        try? serverGroup.syncShutdownGracefully()
    }

    func probe(_ spec: ProbeSpec) async throws -> ProbeOutcome {
        try await Prober(spec: spec).probe(on: loop).get()
    }

    func http(_ port: Int, kind: ProbeSpec.Kind = .http, path: String = "/readyz", timeout: Duration = .seconds(2),
              expect: [Int] = [200], caFile: String? = nil, insecure: Bool = false,
              serverName: String? = nil) -> ProbeSpec {
        ProbeSpec(kind: kind, host: "127.0.0.1", port: port, path: path, serverName: serverName, timeout: timeout,
                  expectStatus: expect, caFile: caFile, insecureSkipVerify: insecure)
    }

    // MARK: TCP

    @Test func tcpConnectToAListenerSucceeds() async throws {
        let listener = try await TestTCPListener(on: serverGroup)
        let outcome = try await probe(ProbeSpec(kind: .tcp, host: "127.0.0.1", port: listener.port, timeout: .seconds(2)))
        await listener.close()
        #expect(outcome.success)
        #expect(outcome.detail == "connected")
        #expect(outcome.latency < .seconds(2))
    }

    @Test func tcpConnectToAClosedPortIsRefused() async throws {
        let port = try await closedPort(on: serverGroup)
        let outcome = try await probe(ProbeSpec(kind: .tcp, host: "127.0.0.1", port: port, timeout: .seconds(2)))
        #expect(!outcome.success)
        #expect(outcome.detail == "connection refused")
    }

    @Test func httpToAClosedPortIsRefused() async throws {
        let outcome = try await probe(http(try await closedPort(on: serverGroup)))
        #expect(!outcome.success)
        #expect(outcome.detail == "connection refused")
    }

    // MARK: HTTP

    @Test func httpStatusDecidesAndTheRequestIsWellFormed() async throws {
        let server = try await TestHTTPServer.start(on: serverGroup)
        let ok = try await probe(http(server.port))
        #expect(ok.success)
        #expect(ok.detail == "200")

        server.set(.status(500))
        let bad = try await probe(http(server.port))
        #expect(!bad.success)
        #expect(bad.detail == "500")

        // expect_status is a set: 500 can count as up, 200 as down.
        #expect(try await probe(http(server.port, expect: [204, 500])).success)
        server.set(.status(200))
        #expect(try await !probe(http(server.port, expect: [204])).success)

        let requests = server.stats.withLock { $0.requests }
        #expect(requests.count == 4)
        let lines = requests[0].split(separator: "\r\n").map(String.init)
        #expect(lines.first == "GET /readyz HTTP/1.1")
        #expect(lines.contains("Host: 127.0.0.1:\(server.port)"))
        #expect(lines.contains { $0.lowercased() == "connection: close" })
        #expect(await server.waitUntilAllClosed())
        await server.close()
    }

    @Test func aServerThatNeverAnswersTimesOutAndTheLoopStaysResponsive() async throws {
        let server = try await TestHTTPServer.start(on: serverGroup)
        server.set(.silent)
        let loop = self.loop
        let timeout = Duration.milliseconds(300)
        let started = ContinuousClock.now
        let future = Prober(spec: http(server.port, timeout: timeout)).probe(on: loop)
        let finished = Flag()
        future.whenComplete { _ in finished.set() }
        // While the probe waits, the loop runs other work, in order, before
        // the probe's timeout.
        let ranDuringProbe = try await loop.scheduleTask(in: .milliseconds(50)) { true }.futureResult.get()
        let stillWaiting = try await loop.submit { !finished.isSet }.get()
        let outcome = try await future.get()
        let elapsed = ContinuousClock.now - started

        #expect(ranDuringProbe)
        #expect(stillWaiting, "the probe ended before its timeout")
        #expect(!outcome.success)
        #expect(outcome.detail == "timeout")
        #expect(outcome.latency >= timeout)
        #expect(elapsed < timeout + .seconds(2), "took \(elapsed)")
        // The probe closed its channel: the server sees the connection go.
        #expect(server.stats.withLock { $0.accepted } == 1)
        #expect(await server.waitUntilAllClosed())
        await server.close()
    }

    @Test func aConnectionClosedBeforeTheResponseFails() async throws {
        // A TCP listener that accepts and closes at once is not an HTTP server.
        let listener = try await ServerBootstrap(group: serverGroup)
            .childChannelInitializer { $0.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        let outcome = try await probe(http(listener.localAddress!.port!))
        #expect(!outcome.success)
        #expect(outcome.detail == "connection closed before a response" || outcome.detail == "connection reset",
                "got \(outcome.detail)")
        try await listener.close()
    }

    // MARK: HTTPS

    @Test func httpsWithTheCAFileSucceeds() async throws {
        let certs = try TestCertificates.get()
        let server = try await TestHTTPServer.start(on: serverGroup, tls: serverTLS(cert: certs.serverCert, key: certs.serverKey))
        let outcome = try await probe(http(server.port, kind: .https, caFile: certs.caFile))
        #expect(outcome.success, "got \(outcome.detail)")
        #expect(outcome.detail == "200")
        #expect(server.stats.withLock { $0.requests.first?.hasPrefix("GET /readyz HTTP/1.1") } == true)
        server.set(.status(500))
        #expect(try await probe(http(server.port, kind: .https, caFile: certs.caFile)).detail == "500")
        #expect(await server.waitUntilAllClosed())
        await server.close()
    }

    @Test func httpsWithoutTheCAFileFailsVerification() async throws {
        let certs = try TestCertificates.get()
        let server = try await TestHTTPServer.start(on: serverGroup, tls: serverTLS(cert: certs.serverCert, key: certs.serverKey))
        let outcome = try await probe(http(server.port, kind: .https))
        #expect(!outcome.success)
        #expect(outcome.detail == "tls: certificate verify failed")
        #expect(server.stats.withLock { $0.requests.isEmpty }, "no request may go to an unverified server")
        await server.close()
    }

    @Test func httpsWithInsecureSkipVerifySucceeds() async throws {
        let certs = try TestCertificates.get()
        let server = try await TestHTTPServer.start(on: serverGroup, tls: serverTLS(cert: certs.serverCert, key: certs.serverKey))
        let outcome = try await probe(http(server.port, kind: .https, insecure: true))
        #expect(outcome.success, "got \(outcome.detail)")
        #expect(outcome.detail == "200")
        await server.close()
    }

    @Test func httpsChecksTheIPSANAgainstTheAddress() async throws {
        // Signed by the trusted CA, but for 127.0.0.2: not this server's name.
        let certs = try TestCertificates.get()
        let server = try await TestHTTPServer.start(on: serverGroup, tls: serverTLS(cert: certs.otherIPCert, key: certs.otherIPKey))
        let outcome = try await probe(http(server.port, kind: .https, caFile: certs.caFile))
        #expect(!outcome.success)
        #expect(outcome.detail == "tls: certificate is not valid for 127.0.0.1", "got \(outcome.detail)")
        #expect(server.stats.withLock { $0.requests.isEmpty })
        await server.close()
    }

    @Test func httpsChecksAGivenServerName() async throws {
        // The certificate names kubernetes.default (and 127.0.0.2): asking
        // for that name passes, asking for another fails. (NIOSSL also
        // accepts an IP SAN equal to the connected address whatever the name;
        // this certificate has none.)
        let certs = try TestCertificates.get()
        let server = try await TestHTTPServer.start(on: serverGroup, tls: serverTLS(cert: certs.otherIPCert, key: certs.otherIPKey))
        let named = try await probe(http(server.port, kind: .https, caFile: certs.caFile, serverName: "kubernetes.default"))
        #expect(named.success, "got \(named.detail)")
        #expect(server.stats.withLock { $0.requests.first?.contains("Host: kubernetes.default:\(server.port)") } == true)
        let wrong = try await probe(http(server.port, kind: .https, caFile: certs.caFile, serverName: "wrong.example"))
        #expect(!wrong.success)
        #expect(wrong.detail == "tls: certificate is not valid for wrong.example", "got \(wrong.detail)")
        await server.close()
    }

    @Test func aMissingCAFileFailsEveryProbeWithTheReason() async throws {
        let certs = try TestCertificates.get()
        let server = try await TestHTTPServer.start(on: serverGroup, tls: serverTLS(cert: certs.serverCert, key: certs.serverKey))
        let outcome = try await probe(http(server.port, kind: .https, caFile: certs.dir + "/missing.crt"))
        #expect(!outcome.success)
        #expect(outcome.detail.hasPrefix("tls: ca_file \(certs.dir)/missing.crt"), "got \(outcome.detail)")
        #expect(server.stats.withLock { $0.accepted } == 0)
        await server.close()
    }
}

/// A flag set from one thread and read from another.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
