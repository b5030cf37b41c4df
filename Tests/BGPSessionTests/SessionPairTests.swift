import BGPCodec
import BGPSession
import Testing

@Suite struct SessionPairTests {
    func pair(chunk: Int = 1) -> Pair {
        var p = Pair(config(65011, "10.0.0.11", peer: 65001), config(65001, "10.0.0.1", peer: 65011, passive: true))
        p.chunk = chunk
        return p
    }

    @Test(arguments: [1, 7, 4096])
    func reachEstablishedBackToBack(chunk: Int) throws {
        var p = pair(chunk: chunk)
        p.startBoth()
        #expect(p.a.state == .established)
        #expect(p.b.state == .established)
        let n = try #require(p.a.negotiated)
        #expect(n.peerAS == 65001 && n.holdTime == 90 && n.keepaliveTime == 30)
        #expect(n.families == [.ipv4Unicast, .ipv6Unicast])
        #expect(n.fourOctetAS && n.routeRefresh && n.enhancedRouteRefresh)
        #expect(p.logA.contains { if case (_, .established) = $0 { true } else { false } })
        // The RFC's path: Idle → Connect → OpenSent → OpenConfirm → Established.
        let states = p.logA.compactMap { if case .stateChanged(_, let to) = $0.1 { to } else { nil } }
        #expect(states == [.connect, .openSent, .openConfirm, .established], "\(states)")
    }

    @Test func keepalivesKeepTheSessionUp() {
        var p = pair()
        p.startBoth()
        p.run(seconds: 600)
        #expect(p.a.state == .established && p.b.state == .established)
        let kas = p.sent(byA: true).filter { $0 == .keepalive }.count
        // One every 22.5-30 s (jitter 0.75-1.0) over 600 s, plus the first.
        #expect((20...28).contains(kas), "\(kas) keepalives")
    }

    @Test func holdTimerExpiresWhenThePeerGoesSilent() {
        var p = pair()
        p.startBoth()
        // B stops answering: drop its side (no more events to it).
        let t0 = p.now
        var a = p.a
        var actions: [SessionAction] = []
        var now = t0
        while now < t0 + .seconds(100) {
            now = a.nextDeadline ?? now + .seconds(1)
            actions += a.advance(to: now)
            if a.state == .idle { break }
        }
        #expect(a.state == .idle)
        #expect(now - t0 == .seconds(90))
        #expect(actions.contains(.down(.sent(NotificationMessage(code: 4, subcode: 0)))))
        #expect(actions.contains(.disconnect))
        // Automatic restart is armed after the IdleHold time.
        #expect(a.deadline(.idleHold) == now + .seconds(1))
    }

    @Test func manualStopSendsAdministrativeShutdownWithItsText() {
        var p = pair()
        p.startBoth()
        p.apply(p.a.handle(.manualStop(.administrativeShutdown, message: "maintenance"), at: p.now), fromA: true)
        p.flush()
        #expect(p.a.state == .idle && p.a.deadline(.idleHold) == nil)
        #expect(p.b.lastDownReason == .received(.cease(.administrativeShutdown, message: "maintenance")))
        #expect(p.b.state == .idle)
        // B restarts on its own after IdleHold, and A does not, so B waits in Active.
        p.run(seconds: 5)
        #expect(p.b.state == .active && p.a.state == .idle)
    }

    @Test func updatesFlowAndMalformedOnesReset() throws {
        var p = pair()
        p.startBoth()
        let u = UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65011])], nextHop: a4("10.0.0.11")),
                              nlri: [IPv4Prefix("10.0.1.100/32")!])
        let bytes = try MessageCodec.encode(.update(u), context: p.a.negotiated!.sendContext)
        p.apply(p.a.handle(.sendUpdates([bytes]), at: p.now), fromA: true)
        p.flush()
        #expect(p.logB.contains { $0.1 == .update(.message(.update(u))) })
        // An UPDATE whose withdrawn length overruns: 3/1, session reset.
        let bad: [UInt8] = [UInt8](repeating: 0xFF, count: 16) + [0, 23, 2, 0, 9, 0, 0]
        p.apply(p.a.handle(.sendUpdates([bad]), at: p.now), fromA: true)
        p.flush()
        #expect(p.b.lastDownReason == .sent(NotificationMessage(code: 3, subcode: 1)))
        #expect(p.a.lastDownReason == .received(NotificationMessage(code: 3, subcode: 1)))
    }

    @Test func idleHoldBacksOffForAFlappingPeer() {
        // A peer that accepts TCP and closes at once, again and again.
        var m = SessionMachine(config: config(65011, "10.0.0.11", peer: 65001))
        var now = Instant.zero
        _ = m.handle(.manualStart(passive: false), at: now)
        var delays: [Duration] = []
        for _ in 0..<9 {
            _ = m.handle(.tcpConnected(inbound: false), at: now)
            _ = m.handle(.tcpConnectionFails, at: now)
            #expect(m.state == .active)
            // In Active after OpenSent; the retry timer reconnects.
            now = m.deadline(.connectRetry)!
            _ = m.advance(to: now)
            _ = m.handle(.tcpConnectionFails, at: now)  // refused
            #expect(m.state == .idle)
            let hold = m.deadline(.idleHold)!
            delays.append(hold - now)
            now = hold
            _ = m.advance(to: now)
            #expect(m.state == .connect)
        }
        #expect(delays.prefix(6) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32)])
        #expect(delays.last == .seconds(120))
    }

    @Test func sendHoldTimerDropsAPeerThatStopsReading() {
        var p = pair()
        p.startBoth()
        let t0 = p.now
        p.apply(p.a.handle(.sendBlocked(true), at: t0), fromA: true)
        #expect(p.a.deadline(.sendHold) == t0 + .seconds(480))
        // Progress cancels it; blocking again re-arms it.
        p.run(until: t0 + .seconds(10))
        p.apply(p.a.handle(.sendBlocked(false), at: p.now), fromA: true)
        #expect(p.a.deadline(.sendHold) == nil)
        p.run(until: t0 + .seconds(20))
        p.apply(p.a.handle(.sendBlocked(true), at: p.now), fromA: true)
        // B keeps sending keepalives, so only the send side can fail.
        p.run(until: t0 + .seconds(499))
        #expect(p.a.state == .established)
        p.run(until: t0 + .milliseconds(500_500))
        #expect(p.a.state != .established)
        #expect(p.a.lastDownReason == .sent(NotificationMessage(code: 8, subcode: 0)))
    }

    @Test func delayOpenWaitsForThePeersOpen() {
        var ca = config(65011, "10.0.0.11", peer: 65001)
        ca.delayOpenTime = .seconds(5)
        var p = Pair(ca, config(65001, "10.0.0.1", peer: 65011, passive: true))
        p.startBoth()
        // B (no DelayOpen) sent its OPEN at once; A answered it without waiting.
        #expect(p.a.state == .established && p.b.state == .established)

        // Both delaying: nobody speaks until A's DelayOpen fires.
        var cb = config(65001, "10.0.0.1", peer: 65011, passive: true)
        cb.delayOpenTime = .seconds(7)
        var q = Pair(ca, cb)
        q.startBoth()
        #expect(q.a.state == .connect && q.b.state == .active)
        q.run(seconds: 5)
        #expect(q.a.state == .established && q.b.state == .established)
    }

    @Test func unexpectedMessagesAreFSMErrors() throws {
        // An UPDATE in OpenConfirm: 5/2 (RFC 6608).
        var m = SessionMachine(config: config(65011, "10.0.0.11", peer: 65001))
        _ = m.handle(.manualStart(passive: false), at: .zero)
        _ = m.handle(.tcpConnected(inbound: false), at: .zero)
        let peerOpen = config(65001, "10.0.0.1", peer: 65011).localOpen
        _ = m.handle(.received(try MessageCodec.encode(.open(peerOpen))), at: .zero)
        #expect(m.state == .openConfirm)
        let acts = m.handle(.received(try MessageCodec.encode(.update(.endOfRIB(.ipv4Unicast)))), at: .zero)
        #expect(m.state == .idle)
        #expect(acts.contains(.down(.sent(NotificationMessage(code: 5, subcode: 2)))))
    }
}
