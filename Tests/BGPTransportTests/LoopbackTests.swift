import BGPCodec
import BGPSession
import BGPTransport
import NIOCore
import NIOPosix
import Testing

/// Two speakers over real TCP on loopback, on one event loop. These wait for
/// network events with a bounded timeout; they never sleep.
@Suite(.serialized) struct LoopbackTests {
    final class Recorder: @unchecked Sendable {
        let loop: EventLoop
        var events: [SpeakerEvent] = []
        var waiters: [(match: (SpeakerEvent) -> Bool, promise: EventLoopPromise<Void>)] = []
        init(loop: EventLoop) { self.loop = loop }

        func record(_ e: SpeakerEvent) {
            loop.execute {
                self.events.append(e)
                self.waiters.removeAll { w in
                    if w.match(e) { w.promise.succeed(()); return true }
                    return false
                }
            }
        }

        /// Waits (bounded) for an event that matches.
        func wait(_ seconds: Int64, _ match: @escaping (SpeakerEvent) -> Bool) -> Bool {
            let p = loop.makePromise(of: Void.self)
            loop.execute {
                if self.events.contains(where: match) { p.succeed(()) } else { self.waiters.append((match, p)) }
            }
            loop.scheduleTask(in: .seconds(seconds)) { p.fail(ChannelError.connectTimeout(.seconds(seconds))) }
            return (try? p.futureResult.wait()) != nil
        }
    }

    func session(_ asn: UInt32, _ id: String, peer: UInt32, passive: Bool) -> SessionConfig {
        var c = SessionConfig(localAS: asn, routerID: IPv4Address(id)!, peerAS: peer)
        c.passive = passive
        c.families = [.ipv4Unicast]
        c.connectRetryTime = .seconds(1)
        return c
    }

    func established(_ e: SpeakerEvent) -> Bool { if case .established = e { true } else { false } }

    func pair(keyA: String?, keyB: String?) throws -> (MultiThreadedEventLoopGroup, BGPSpeaker, BGPSpeaker, Recorder, Recorder) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let ra = Recorder(loop: loop), rb = Recorder(loop: loop)
        // A listens on a free port; B dials it.
        let a = BGPSpeaker(eventLoop: loop, peers: [
            PeerEndpoint(address: try SocketAddress(ipAddress: "127.0.0.1", port: 179), password: keyA,
                         session: session(65011, "10.0.0.11", peer: 65001, passive: true)),
        ], onEvent: { ra.record($0) })
        let bound = try a.listen(on: SocketAddress(ipAddress: "127.0.0.1", port: 0)).wait()
        let b = BGPSpeaker(eventLoop: loop, peers: [
            PeerEndpoint(address: try SocketAddress(ipAddress: "127.0.0.1", port: bound.port!), password: keyB,
                         session: session(65001, "10.0.0.1", peer: 65011, passive: false)),
        ], onEvent: { rb.record($0) })
        try a.start().wait()
        try b.start().wait()
        return (group, a, b, ra, rb)
    }

    @Test func sessionsComeUpAndCarryUpdates() throws {
        let (group, a, b, ra, rb) = try pair(keyA: nil, keyB: nil)
        defer { try? group.syncShutdownGracefully() }
        #expect(ra.wait(5, established) && rb.wait(5, established))
        #expect(try a.state(of: "127.0.0.1").wait() == .established)
        let u = UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65001])], nextHop: IPv4Address("127.0.0.1")!),
                              nlri: [IPv4Prefix("10.0.1.100/32")!])
        b.send(updates: [try MessageCodec.encode(.update(u))], to: "127.0.0.1")
        #expect(ra.wait(5) { if case .update(_, .message(.update(let got))) = $0 { got == u } else { false } })
        // A shutdown reaches the other side as Cease/2 with its text.
        try b.shutdown(message: "maintenance").wait()
        #expect(ra.wait(5) { if case .down(_, .received(let n)) = $0 { n.shutdownMessage == "maintenance" } else { false } })
        try a.shutdown().wait()
    }

    @Test func redialsAPeerThatWasNotListeningYet() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let ra = Recorder(loop: loop), rb = Recorder(loop: loop)
        // Find a free port, then leave it closed for a while.
        let probe = try ServerBootstrap(group: loop).bind(host: "127.0.0.1", port: 0).wait()
        let port = probe.localAddress!.port!
        try probe.close().wait()
        let b = BGPSpeaker(eventLoop: loop, peers: [
            PeerEndpoint(address: try SocketAddress(ipAddress: "127.0.0.1", port: port),
                         session: session(65001, "10.0.0.1", peer: 65011, passive: false)),
        ], onEvent: { rb.record($0) })
        try b.start().wait()
        // B's first attempts are refused; A starts listening 1.5 s later.
        #expect(!rb.wait(1, established))
        let a = BGPSpeaker(eventLoop: loop, peers: [
            PeerEndpoint(address: try SocketAddress(ipAddress: "127.0.0.1", port: 179),
                         session: session(65011, "10.0.0.11", peer: 65001, passive: true)),
        ], onEvent: { ra.record($0) })
        _ = try a.listen(on: SocketAddress(ipAddress: "127.0.0.1", port: port)).wait()
        try a.start().wait()
        #expect(rb.wait(10, established))
        try b.shutdown().wait()
        try a.shutdown().wait()
    }

    @Test func matchingMD5KeysConnect() throws {
        let (group, a, b, ra, rb) = try pair(keyA: "s3cret", keyB: "s3cret")
        defer { try? group.syncShutdownGracefully() }
        #expect(ra.wait(5, established) && rb.wait(5, established))
        try b.shutdown().wait()
        try a.shutdown().wait()
    }

    @Test func aWrongMD5KeyNeverConnects() throws {
        let (group, a, b, ra, _) = try pair(keyA: "s3cret", keyB: "wrong")
        defer { try? group.syncShutdownGracefully() }
        #expect(!ra.wait(3, established))
        #expect(try a.state(of: "127.0.0.1").wait() != .established)
        try b.shutdown().wait()
        try a.shutdown().wait()
    }
}
