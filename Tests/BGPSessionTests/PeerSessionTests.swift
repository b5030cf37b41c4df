import BGPCodec
import BGPSession
import Testing

@Suite struct PeerSessionTests {
    @Test(arguments: [1, 19, 4096])
    func simultaneousOpensKeepOneConnection(chunk: Int) {
        // Both sides dial at once: two connections, one survives (§6.8).
        var n = PeerNetwork(config(65011, "10.0.0.11", peer: 65001), config(65001, "10.0.0.1", peer: 65011))
        n.chunk = chunk
        n.apply(n.a.start(at: .zero), fromA: true)
        n.apply(n.b.start(at: .zero), fromA: false)
        n.settle()
        #expect(n.a.state == .established && n.b.state == .established)
        #expect(n.links.count == 1)
        // A has the higher identifier, so the connection A opened stays.
        let kept = n.links[0]
        #expect(n.log.contains { $0.fromA && $0.action == .connect(kept.a) })
        // The other connection was closed with Cease/7.
        let ceases = n.log.filter {
            if case .send(_, let bytes) = $0.action, bytes.count >= 21, bytes[18] == 3 { return bytes[19] == 6 && bytes[20] == 7 }
            return false
        }
        #expect(!ceases.isEmpty)
        // Neither side reported the loser as its session going down.
        #expect(!n.log.contains { if case .down = $0.action { true } else { false } })
        // And it stays up.
        n.run(until: .seconds(300))
        #expect(n.a.state == .established && n.b.state == .established && n.links.count == 1)
    }

    @Test func passivePeerAcceptsIntoItsListeningMachine() {
        var n = PeerNetwork(config(65011, "10.0.0.11", peer: 65001), config(65001, "10.0.0.1", peer: 65011, passive: true))
        n.apply(n.b.start(at: .zero), fromA: false)
        #expect(n.b.state == .active)
        n.apply(n.a.start(at: .zero), fromA: true)
        n.settle()
        #expect(n.a.state == .established && n.b.state == .established)
        #expect(n.b.connectionIDs == [ConnectionID(1)])
    }

    @Test func aStoppedPeerRefusesConnections() {
        var n = PeerNetwork(config(65011, "10.0.0.11", peer: 65001), config(65001, "10.0.0.1", peer: 65011, passive: true))
        n.apply(n.a.start(at: .zero), fromA: true)
        n.settle()
        #expect(n.a.state == .idle && n.links.isEmpty)
        // A retries after its IdleHold time; B, once started, takes it.
        n.apply(n.b.start(at: n.now), fromA: false)
        n.run(until: .seconds(5))
        #expect(n.a.state == .established && n.b.state == .established)
    }

    @Test func aPeerInIdleHoldStillTakesAnIncomingConnection() {
        // B dials, A only listens; A's own dials failed, so it sits in
        // IdleHold, and B's connection must still be accepted.
        var ca = config(65011, "10.0.0.11", peer: 65001)
        ca.idleHoldTime = .seconds(60)
        var n = PeerNetwork(ca, config(65001, "10.0.0.1", peer: 65011, passive: true))
        n.apply(n.a.start(at: .zero), fromA: true)
        n.settle()
        #expect(n.a.state == .idle)
        var cb = config(65001, "10.0.0.1", peer: 65011)
        cb.passive = false
        n.b = PeerSession(config: cb)
        n.apply(n.b.start(at: n.now), fromA: false)
        n.settle()
        #expect(n.a.state == .established && n.b.state == .established)
    }

    @Test func lossOfTheSessionRestartsIt() {
        var n = PeerNetwork(config(65011, "10.0.0.11", peer: 65001), config(65001, "10.0.0.1", peer: 65011, passive: true))
        n.apply(n.b.start(at: .zero), fromA: false)
        n.apply(n.a.start(at: .zero), fromA: true)
        n.settle()
        let link = n.links[0]
        // The TCP connection breaks under both.
        n.links.removeAll()
        n.apply(n.a.closed(link.a, at: n.now), fromA: true)
        n.apply(n.b.closed(link.b, at: n.now), fromA: false)
        #expect(n.a.state == .idle && n.a.lastDownReason == .connectionFailed)
        #expect(n.log.contains { $0.fromA && $0.action == .down(.connectionFailed) })
        n.run(until: n.now + .seconds(3))
        #expect(n.a.state == .established && n.b.state == .established)
    }
}
