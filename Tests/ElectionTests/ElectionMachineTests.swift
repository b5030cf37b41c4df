import XCTest
import BGPSession
@testable import Election

final class ElectionMachineTests: XCTestCase {
    func isKeepAlive(_ r: EtcdRequest) -> Bool { if case .keepAlive = r { true } else { false } }
    func isDelete(_ r: EtcdRequest) -> Bool { if case .delete = r { true } else { false } }
    func isRevoke(_ r: EtcdRequest) -> Bool { if case .revoke = r { true } else { false } }
    func isGrant(_ r: EtcdRequest) -> Bool { if case .grant = r { true } else { false } }
    func isCreate(_ r: EtcdRequest) -> Bool { if case .createKey = r { true } else { false } }

    func testWinsWithNoRivals() {
        var h = Harness()
        h.start()
        XCTAssertEqual(h.sent.map(\.request), [.grant(ttl: 5)])
        XCTAssertEqual(h.machine.role, .candidate)
        h.feed(.response(h.sent[0].id, .granted(lease: 0x2a, ttl: 5)))
        XCTAssertEqual(h.sent.last?.request, .createKey(key: "vip/2a", value: "node1", lease: 0x2a))
        h.feed(.response(h.sent.last!.id, .txn(succeeded: true, revision: 7)))
        XCTAssertEqual(h.sent.last?.request, .range(from: "vip.owner", to: "vip0"))
        XCTAssertFalse(h.owns)
        h.feed(.response(h.sent.last!.id, .range([kv("vip/2a", "node1", rev: 7, lease: 0x2a)], revision: 9)))
        XCTAssertTrue(h.owns)
        XCTAssertEqual(h.machine.role, .leader)
        XCTAssertEqual(h.machine.leader, "node1")
        XCTAssertEqual(h.watches.values.first, EtcdWatchRequest(from: "vip.owner", to: "vip0", startRevision: 10))
        // The daemon announced: the owner key goes on our lease.
        h.feed(.ownershipAnnounced)
        XCTAssertEqual(h.sent.last?.request, .put(key: "vip.owner", value: "node1", lease: 0x2a))
    }

    func testFollowerLeadsWhenTheKeyAheadIsDeleted() {
        var h = Harness()
        h.bringUp(others: [kv("vip/99", "node2", rev: 3)])
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.machine.role, .follower)
        XCTAssertEqual(h.machine.leader, "node2")
        // A later candidate does not change anything.
        h.feed(.watchEvents(h.watchID!, [.put(kv("vip/77", "node3", rev: 20))]))
        XCTAssertFalse(h.owns)
        h.feed(.watchEvents(h.watchID!, [.delete(key: "vip/99", modRevision: 21)]))
        XCTAssertTrue(h.owns)
        XCTAssertEqual(h.machine.role, .leader)
        XCTAssertEqual(h.machine.leader, "node1")
        // An event from a watch the machine already left changes nothing.
        h.feed(.watchEvents(WatchID(9999), [.delete(key: "vip/10", modRevision: 22)]))
        XCTAssertTrue(h.owns)
    }

    func testKeepAliveCadenceIsAThirdOfTheTTL() {
        var h = Harness(ttl: 6)
        h.bringUp()
        h.run(until: .ms(20_000)) { $0.ackKeepAlives() }
        let times = h.sent.filter { isKeepAlive($0.request) }.map(\.at)
        XCTAssertEqual(times.count, 10)
        for (a, b) in zip(times, times.dropFirst()) { XCTAssertEqual(b - a, .seconds(2)) }
        XCTAssertTrue(h.owns)
        XCTAssertTrue(h.releases.isEmpty)
    }

    func testNoAcksReleasesAtTheFenceDeadlineExactly() {
        var h = Harness(ttl: 5)
        h.bringUp()   // granted: lastAckedSend = 0 (the grant's send time)
        XCTAssertEqual(h.machine.settings.fenceMargin, .milliseconds(500))
        let deadline = Instant.ms(4_500)
        h.run(until: deadline - .nanoseconds(1))
        XCTAssertTrue(h.owns, "released early")
        h.run(until: deadline)
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.releases.count, 1)
        XCTAssertEqual(h.releases[0].at, deadline)
        XCTAssertEqual(h.releases[0].reason, .fenceDeadline)
        XCTAssertEqual(h.machine.role, .fenced)
        // It starts over: the old lease revoked (best effort), a new grant.
        XCTAssertTrue(h.sent.contains { $0.at == deadline && $0.request == .revoke(lease: 0x10) })
        XCTAssertTrue(h.sent.contains { $0.at == deadline && $0.request == .grant(ttl: 5) })
    }

    func testASlowAckCountsFromItsSendTime() {
        var h = Harness(ttl: 3)   // keep-alive every 1 s, margin 300 ms
        h.bringUp()
        h.run(until: .ms(1_000))
        let ka = h.last(isKeepAlive)!
        XCTAssertEqual(ka.at, .ms(1_000))
        h.run(until: .ms(2_500))
        h.feed(.response(ka.id, .keptAlive(ttl: 3)))   // arrives 1.5 s late
        XCTAssertEqual(h.machine.lastAckedSend, .ms(1_000))
        XCTAssertEqual(h.machine.leaseRemaining(now: h.now), .milliseconds(1_500))
        h.run(until: .ms(10_000))
        XCTAssertEqual(h.releases.first?.at, .ms(3_700), "1 s + 3 s − 300 ms, not from the arrival")
    }

    func testAnAckArrivingAfterTheDeadlineDoesNotExtendIt() {
        var h = Harness(ttl: 3)
        h.bringUp()
        h.run(until: .ms(1_000))
        let ka = h.last(isKeepAlive)!
        h.now = .ms(2_800)   // the timer for 2.7 s is late
        h.feed(.response(ka.id, .keptAlive(ttl: 3)))
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.releases.first?.reason, .fenceDeadline)
    }

    func testAckWithTTLZeroReleasesAtOnce() {
        var h = Harness()
        h.bringUp()
        h.run(until: .ms(1_700))
        let ka = h.last(isKeepAlive)!
        h.now = .ms(1_710)
        h.feed(.response(ka.id, .keptAlive(ttl: 0)))
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.releases.first?.at, .ms(1_710))
        XCTAssertEqual(h.releases.first?.reason, .leaseLost)
        XCTAssertEqual(h.machine.role, .fenced)
        XCTAssertEqual(h.last(isGrant)?.at, .ms(1_710))
        // Starting over puts a new key behind the old one until it goes.
        let g = h.last(isGrant)!
        h.feed(.response(g.id, .granted(lease: 0x20, ttl: 5)))
        h.feed(.response(h.last(isCreate)!.id, .txn(succeeded: true, revision: 30)))
        h.feed(.response(h.sent.last!.id, .range([kv("vip/10", "node1", rev: 10, lease: 0x10),
                                                  kv("vip/20", "node1", rev: 30, lease: 0x20)], revision: 30)))
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.machine.role, .follower)
        h.feed(.watchEvents(h.watchID!, [.delete(key: "vip/10", modRevision: 31)]))
        XCTAssertTrue(h.owns)
    }

    /// An etcd member's raft failover: ~2 s of failures and time-outs, then
    /// answers again. With TTL 5 the leader keeps the VIP throughout.
    func testEtcdFailoverShorterThanTheBudgetKeepsTheVIP() {
        var h = Harness(ttl: 5)
        h.bringUp()
        h.run(until: .ms(10_000)) { $0.ackKeepAlives() }
        let outageStart = h.now
        h.run(until: outageStart + .milliseconds(2_300)) { h in
            for s in h.sent where s.at == h.now && self.isKeepAlive(s.request) {
                h.feed(.failed(s.id))
            }
        }
        let during = h.sent.filter { $0.at > outageStart && isKeepAlive($0.request) }.map(\.at)
        XCTAssertEqual(during.count, 3)
        for (a, b) in zip(during, during.dropFirst()) {
            XCTAssertEqual(b - a, .milliseconds(250), "a failed keep-alive is retried after TTL/20, not the cadence")
        }
        h.run(until: .ms(30_000)) { $0.ackKeepAlives() }
        XCTAssertTrue(h.owns)
        XCTAssertTrue(h.releases.isEmpty)
        XCTAssertEqual(h.machine.role, .leader)
    }

    func testResignKeepsTheVIPUntilTheSuccessorAnnounces() {
        var h = Harness()
        h.bringUp(others: [kv("vip/99", "node2", rev: 12)])
        XCTAssertTrue(h.owns)
        h.feed(.resign)
        let d = h.last(isDelete)!
        XCTAssertEqual(d.request, .delete(key: "vip/10"))
        XCTAssertTrue(h.owns)
        h.now = .ms(5)
        h.feed(.response(d.id, .deleted(count: 1, revision: 40)))
        XCTAssertTrue(h.owns, "kept until the successor has announced")
        XCTAssertEqual(h.machine.leader, "node2")
        h.now = .ms(35)
        h.feed(.watchEvents(h.watchID!, [.delete(key: "vip/10", modRevision: 40), .put(kv("vip.owner", "node2", rev: 41))]))
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.releases.first?.reason, .handedOver(to: "node2"))
        XCTAssertEqual(h.releases.first?.at, .ms(35))
        // Back in the queue: the key is created again.
        XCTAssertEqual(h.sent.last?.request, .createKey(key: "vip/10", value: "node1", lease: 0x10))
    }

    func testResignIsCappedAt100msAfterTheSuccessorLeads() {
        var h = Harness()
        h.bringUp(others: [kv("vip/99", "node2", rev: 12)])
        h.feed(.ownershipAnnounced)   // our own owner record
        h.feed(.watchEvents(h.watchID!, [.put(kv("vip.owner", "node1", rev: 13))]))
        h.feed(.resign)
        h.now = .ms(10)
        h.feed(.response(h.last(isDelete)!.id, .deleted(count: 1, revision: 40)))
        XCTAssertEqual(h.timer, .ms(110))
        h.run(until: .ms(109))
        XCTAssertTrue(h.owns)
        h.run(until: .ms(500))
        XCTAssertEqual(h.releases.first?.at, .ms(110))
        XCTAssertEqual(h.releases.first?.reason, .handoverCapReached)
    }

    func testResignWithoutSuccessorDropsAtOnce() {
        var h = Harness()
        h.bringUp()
        h.feed(.resign)
        XCTAssertFalse(h.owns)
        XCTAssertEqual(h.releases.first?.reason, .noSuccessor)
        XCTAssertNotNil(h.last(isDelete))
    }

    func testResignWithQuorumLostStillReleasesByTheFence() {
        var h = Harness()
        h.bringUp(others: [kv("vip/99", "node2", rev: 12)])
        h.run(until: .ms(4_000)) { $0.ackKeepAlives() }   // last acked send: 3.333 s
        h.feed(.stop)
        h.run(until: .ms(20_000)) { h in
            for s in h.sent where s.at == h.now { h.feed(.failed(s.id)) }
        }
        let lastAck = Instant(nanoseconds: 3_333_333_332)
        XCTAssertEqual(h.releases.first?.reason, .fenceDeadline)
        XCTAssertEqual(h.releases.first?.at, lastAck + .seconds(5) - .milliseconds(500))
        XCTAssertTrue(h.stopped)
    }

    func testStopAsLeaderHandsOverThenRevokes() {
        var h = Harness()
        h.bringUp(others: [kv("vip/99", "node2", rev: 12)])
        h.feed(.stop)
        h.feed(.response(h.last(isDelete)!.id, .deleted(count: 1, revision: 40)))
        XCTAssertTrue(h.owns)
        h.feed(.watchEvents(h.watchID!, [.put(kv("vip.owner", "node2", rev: 41))]))
        XCTAssertFalse(h.owns)
        let r = h.last(isRevoke)!
        XCTAssertEqual(r.request, .revoke(lease: 0x10))
        XCTAssertFalse(h.stopped)
        h.feed(.response(r.id, .revoked))
        XCTAssertTrue(h.stopped)
        XCTAssertTrue(h.watches.isEmpty)
    }

    func testStopAsFollowerRevokes() {
        var h = Harness()
        h.bringUp(others: [kv("vip/99", "node2", rev: 3)])
        h.feed(.stop)
        XCTAssertEqual(h.sent.last?.request, .revoke(lease: 0x10))
        h.feed(.failed(h.sent.last!.id))
        XCTAssertTrue(h.stopped)
        XCTAssertTrue(h.releases.isEmpty)
    }

    func testWatchEndReadsTheRangeAgainAndKeepsTheVIP() {
        var h = Harness()
        h.bringUp()
        let w = h.watchID!
        h.feed(.watchEnded(w))
        XCTAssertTrue(h.owns)
        XCTAssertEqual(h.sent.last?.request, .range(from: "vip.owner", to: "vip0"))
        h.feed(.response(h.sent.last!.id, .range([kv("vip/10", "node1", rev: 10, lease: 0x10)], revision: 50)))
        XCTAssertEqual(h.watches[h.watchID!]?.startRevision, 51)
        XCTAssertTrue(h.owns)
    }
}
