import Dispatch
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing
@testable import VipdTelemetry

/// What the test's readiness closure answers; set from the test.
final class ReadinessState: Sendable {
    let value = Mutex(Readiness.ready)
    func set(_ r: Readiness) { value.withLock { $0 = r } }
    func get() -> Readiness { value.withLock { $0 } }
}

/// Starts a server on 127.0.0.1:0 (or `address`), runs `body`, and always
/// closes the server and its event loop group.
func withServer(
    address: String = "127.0.0.1:0",
    metrics: VipdMetrics = VipdMetrics(),
    options: TelemetryServer.Options = .init(),
    readiness: (@Sendable (any EventLoop) -> EventLoopFuture<Readiness>)? = nil,
    _ body: (TelemetryServer, any EventLoopGroup) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop = group.next()
    let answer = readiness ?? { $0.makeSucceededFuture(.ready) }
    do {
        let server = try await TelemetryServer.start(address: address, group: group, registry: metrics.registry,
                                                     options: options, readiness: { answer(loop) }).get()
        do {
            try await body(server, group)
        } catch {
            try? await server.close().get()
            throw error
        }
        try await server.close().get()
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
    try await group.shutdownGracefully()
}

@Suite struct TelemetryServerTests {
    @Test func metricsAnswersTheLiveRegistryText() async throws {
        let metrics = VipdMetrics()
        metrics.setSessionState(peer: "10.0.0.1", state: "Established")
        try await withServer(metrics: metrics) { server, group in
            let r = try await RawHTTPClient.get("/metrics", from: server.localAddress, group: group)
            #expect(r.status == 200)
            #expect(r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let e = try Exposition(r.body)
            #expect(e.value(MetricName.sessionUp, ["peer": "10.0.0.1"]) == 1)
            #expect(e.value(MetricName.sessionState, ["peer": "10.0.0.1", "state": "Established"]) == 1)

            metrics.recordTransition(peer: "10.0.0.1", from: "Established", to: "Idle")
            let again = try await RawHTTPClient.get("/metrics?x=1", from: server.localAddress, group: group)
            #expect(again.status == 200)
            #expect(try Exposition(again.body).value(MetricName.sessionUp, ["peer": "10.0.0.1"]) == 0)
        }
    }

    @Test func healthzAnswersOK() async throws {
        try await withServer { server, group in
            let r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 200)
            #expect(r.body == "ok\n")
        }
    }

    @Test func readyzFollowsTheDaemonsAnswer() async throws {
        let state = ReadinessState()
        try await withServer(readiness: { loop in loop.makeSucceededFuture(state.get()) }) { server, group in
            var r = try await RawHTTPClient.get("/readyz", from: server.localAddress, group: group)
            #expect(r.status == 200)
            #expect(r.body == "ready\n")

            state.set(Readiness.evaluate(sessionStates: ["10.0.0.1": "Active", "10.0.0.2": "Established"],
                                         electionName: "cp", electionRole: nil))
            r = try await RawHTTPClient.get("/readyz", from: server.localAddress, group: group)
            #expect(r.status == 503)
            #expect(r.body == "bgp peer 10.0.0.1 is Active, not Established\nelection cp has no role yet\n")

            state.set(.notReady([]))
            r = try await RawHTTPClient.get("/readyz", from: server.localAddress, group: group)
            #expect(r.status == 503)
            #expect(r.body == "not ready\n")

            state.set(Readiness.evaluate(sessionStates: ["10.0.0.1": "Established"], electionName: "cp",
                                         electionRole: "follower"))
            r = try await RawHTTPClient.get("/readyz", from: server.localAddress, group: group)
            #expect(r.status == 200)
        }
    }

    @Test func readyzAnswers503WhenTheDaemonFailsOrIsSlow() async throws {
        struct Broken: Error {}
        let pending = Mutex<EventLoopPromise<Readiness>?>(nil)
        let mode = Mutex("fail")
        var options = TelemetryServer.Options()
        options.readinessTimeout = .milliseconds(200)
        try await withServer(options: options, readiness: { loop in
            if mode.withLock({ $0 }) == "fail" { return loop.makeFailedFuture(Broken()) }
            let promise = loop.makePromise(of: Readiness.self)
            pending.withLock { $0 = promise }
            return promise.futureResult
        }) { server, group in
            var r = try await RawHTTPClient.get("/readyz", from: server.localAddress, group: group)
            #expect(r.status == 503)
            #expect(r.body.hasPrefix("readiness check failed"))

            mode.withLock { $0 = "hang" }
            r = try await RawHTTPClient.get("/readyz", from: server.localAddress, group: group)
            #expect(r.status == 503)
            #expect(r.body == "readiness check timed out\n")
            let promise = try #require(pending.withLock { $0 })
            promise.succeed(.ready)  // late: must not produce a second response or a crash
            r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 200)
        }
    }

    @Test func healthzAsksTheDaemonLoop() async throws {
        let daemon = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let daemonLoop = daemon.next()
        var options = TelemetryServer.Options()
        options.livenessLoop = daemonLoop
        options.livenessTimeout = .seconds(1)  // generous: a loaded CI machine must still answer the first probe
        let gate = DispatchSemaphore(value: 0)
        try await withServer(options: options) { server, group in
            var r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 200)
            // Wedge the daemon's loop: /healthz must notice.
            daemonLoop.execute { _ = gate.wait(timeout: .now() + 10) }
            r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 503)
            #expect(r.body == "event loop not answering\n")
            gate.signal()
            r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 200)
        }
        try await daemon.shutdownGracefully()
    }

    @Test func unknownPathsAndMethods() async throws {
        try await withServer { server, group in
            let r = try await RawHTTPClient.get("/nothing", from: server.localAddress, group: group)
            #expect(r.status == 404)
            for method in ["POST", "HEAD", "PUT", "DELETE"] {
                let text = try await RawHTTPClient.exchange(
                    "\(method) /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
                    with: server.localAddress, group: group)
                let responses = Response.parseAll(text)
                #expect(responses.first?.status == 405, "\(method)")
                #expect(responses.first?.headers["allow"] == "GET", "\(method)")
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { server, group in
            let text = try await RawHTTPClient.exchange(
                "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                with: server.localAddress, group: group)
            #expect(Response.parseAll(text).map(\.status) == [200, 404, 200])
        }
    }

    @Test func garbageIsRefusedAndTheServerCarriesOn() async throws {
        var options = TelemetryServer.Options()
        options.idleTimeout = .seconds(1)
        var payloads: [[UInt8]] = [
            [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03],  // a TLS ClientHello
            Array("\r\n\r\n\r\n".utf8),
            Array("GET /metrics HTTP/9.9\r\n\r\n".utf8),
            Array("GET /metrics HTTP/1.1\r\nHost\r\n\r\n".utf8),
            Array("GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n".utf8),
            Array("GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8),
            [0x00, 0xff, 0x00, 0xff, 0x0a, 0x0a],
        ]
        var rng = SplitMix64(seed: 0x7e1e)
        for _ in 0..<20 {
            payloads.append((0..<Int(rng.next() % 300 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
        try await withServer(options: options) { server, group in
            for payload in payloads {
                let answer = try await RawHTTPClient.exchange(payload, with: server.localAddress, group: group)
                let text = String(decoding: answer, as: UTF8.self)
                #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 400"), "\(payload): \(text)")
            }
            let r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 200)
        }
    }

    @Test func anOversizedRequestGets413AndAClose() async throws {
        var options = TelemetryServer.Options()
        options.maxRequestBytes = 1024
        try await withServer(options: options) { server, group in
            let big = "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Pad: " + String(repeating: "a", count: 1500) + "\r\n\r\n"
            let text = try await RawHTTPClient.exchange(big, with: server.localAddress, group: group)
            #expect(text.hasPrefix("HTTP/1.1 413"))
            // Just under the limit is still served.
            let fits = "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Pad: "
                + String(repeating: "a", count: 900) + "\r\n\r\n"
            let ok = try await RawHTTPClient.exchange(fits, with: server.localAddress, group: group)
            #expect(Response.parseAll(ok).first?.status == 200)
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        var options = TelemetryServer.Options()
        options.idleTimeout = .milliseconds(300)
        try await withServer(options: options) { server, group in
            let start = ContinuousClock.now
            let nothing = try await RawHTTPClient.exchange([], with: server.localAddress, group: group,
                                                          timeout: .seconds(5))
            #expect(nothing.isEmpty)
            #expect(ContinuousClock.now - start >= .milliseconds(250))
        }
    }

    @Test func portZeroGivesTheBoundAddress() async throws {
        try await withServer { server, _ in
            #expect(server.boundAddress.hasPrefix("127.0.0.1:"))
            #expect(server.localAddress.port != 0)
            #expect(server.boundAddress == "127.0.0.1:\(server.localAddress.port!)")
        }
        try await withServer(address: "[::1]:0") { server, group in
            #expect(server.boundAddress == "[::1]:\(server.localAddress.port!)")
            let r = try await RawHTTPClient.get("/healthz", from: server.localAddress, group: group)
            #expect(r.status == 200)
        }
    }

    @Test func aBadAddressIsRefused() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        await #expect(throws: TelemetryServerError.self) {
            _ = try await TelemetryServer.start(address: "localhost:2112", group: group,
                                                registry: VipdMetrics().registry,
                                                readiness: { group.next().makeSucceededFuture(.ready) }).get()
        }
        try await group.shutdownGracefully()
    }
}
