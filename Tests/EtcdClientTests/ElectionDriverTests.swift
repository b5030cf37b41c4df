import BGPSession
import Election
import Foundation
import NIOCore
import NIOPosix
import XCTest
@testable import EtcdClient

/// What the drivers did, with times on the same clock as the machine's.
final class Recorder: @unchecked Sendable {
    struct Change { var node: String; var owns: Bool; var at: Instant }
    private let lock = NSLock()
    private var _changes: [Change] = []
    private var _status: [String: ElectionStatus] = [:]
    private var _lastAck: [String: Instant] = [:]
    private var _ackGaps: [String: Duration] = [:]

    var changes: [Change] { lock.withLock { _changes } }
    func status(_ n: String) -> ElectionStatus? { lock.withLock { _status[n] } }
    func lastAck(_ n: String) -> Instant? { lock.withLock { _lastAck[n] } }
    func longestAckGap(_ n: String) -> Duration { lock.withLock { _ackGaps[n] ?? .zero } }

    func ownership(_ node: String, _ owns: Bool) {
        let now = Instant(nanoseconds: Int64(NIODeadline.now().uptimeNanoseconds))
        lock.withLock { _changes.append(Change(node: node, owns: owns, at: now)) }
    }

    func record(_ node: String, _ s: ElectionStatus) {
        lock.withLock {
            _status[node] = s
            guard let ack = s.lastAckedKeepAliveSend else { return }
            if let prev = _lastAck[node], ack > prev { _ackGaps[node] = max(_ackGaps[node] ?? .zero, ack - prev) }
            _lastAck[node] = ack
        }
    }

    func owners() -> Set<String> {
        var owns: [String: Bool] = [:]
        for c in changes { owns[c.node] = c.owns }
        return Set(owns.filter(\.value).keys)
    }

    /// The longest time two nodes owned the VIP at once, over the whole run.
    func longestOverlap() -> Duration {
        var owners: [String: Instant] = [:]
        var longest = Duration.zero
        for c in changes {
            if c.owns { owners[c.node] = c.at; continue }
            guard let since = owners.removeValue(forKey: c.node) else { continue }
            for (_, other) in owners { longest = max(longest, c.at - max(since, other)) }
        }
        return longest
    }
}

func instantNow() -> Instant { Instant(nanoseconds: Int64(NIODeadline.now().uptimeNanoseconds)) }

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func waitFor(_ timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}

final class ElectionDriverTests: XCTestCase {
    var cluster: EtcdCluster?
    var group: MultiThreadedEventLoopGroup?
    var drivers: [String: ElectionDriver] = [:]
    var poller: RepeatedTask?
    let recorder = Recorder()

    override func tearDown() {
        poller?.cancel()
        for d in drivers.values { _ = try? d.stop().wait() }
        drivers = [:]
        try? group?.syncShutdownGracefully()
        cluster?.shutdown()
        super.tearDown()
    }

    func startCluster(tls: EtcdCluster.TLSFiles? = nil, dir: URL? = nil) throws -> EtcdCluster {
        let c = try EtcdCluster(tls: tls, dir: dir)
        cluster = c
        let t0 = Date()
        XCTAssertTrue(c.waitHealthy(), "etcd did not become healthy")
        print("etcd cluster healthy after \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
        return c
    }

    /// node1 and node2 on one loop; each announces its ownership at once,
    /// as the daemon does after its first gratuitous ARP.
    func startDrivers(_ c: EtcdCluster, ttl: Int, tls: EtcdTLS? = nil) {
        let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        group = g
        let loop = g.next()
        for node in ["node1", "node2"] {
            let settings = ElectionSettings(name: "vipd-test", nodeName: node, leaseTTL: ttl)
            let recorder = self.recorder
            var driver: ElectionDriver!
            driver = ElectionDriver(eventLoop: loop, settings: settings, endpoints: EtcdEndpoints(urls: c.clientURLs, tls: tls),
                                    onOwnership: { owns in
                                        recorder.ownership(node, owns)
                                        if owns { driver.ownershipAnnounced() }
                                    }, onStatus: { recorder.record(node, $0) })
            drivers[node] = driver
        }
        let all = drivers
        let rec = recorder
        poller = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(10)) { _ in
            for (n, d) in all { rec.record(n, d.status) }
        }
        for d in drivers.values { d.start() }
    }

    func settledLeader(within timeout: TimeInterval) -> String? {
        var leader: String?
        _ = waitFor(timeout) {
            let owners = recorder.owners()
            guard owners.count == 1, let l = owners.first,
                  recorder.status("node1")?.leader == l, recorder.status("node2")?.leader == l,
                  recorder.status(l)?.role == .leader else { return false }
            leader = l
            return true
        }
        return leader
    }

    func testOneLeaderAndBothAgree() throws {
        let c = try startCluster()
        startDrivers(c, ttl: 2)
        let t0 = Date()
        let leader = try XCTUnwrap(settledLeader(within: 10))
        print("leader \(leader) settled \(String(format: "%.3f", Date().timeIntervalSince(t0))) s after start")
        let other = leader == "node1" ? "node2" : "node1"
        Thread.sleep(forTimeInterval: 1.5)   // several keep-alive rounds
        XCTAssertEqual(recorder.owners(), [leader])
        XCTAssertEqual(recorder.status(other)?.role, .follower)
        XCTAssertEqual(recorder.changes.count, 1, "nobody else ever took the VIP")
        // The keys as etcd has them: two candidates and the owner record.
        let keys = c.etcdctl(["get", "--prefix", "vipd-test", "--keys-only"]).split(separator: "\n").map(String.init)
        XCTAssertEqual(keys.filter { $0.hasPrefix("vipd-test/") }.count, 2)
        XCTAssertEqual(c.etcdctl(["get", "vipd-test.owner", "--print-value-only"]).trimmingCharacters(in: .whitespacesAndNewlines), leader)
    }

    func testResignHandsOverAfterTheSuccessorAnnounced() throws {
        let c = try startCluster()
        startDrivers(c, ttl: 2)
        let leader = try XCTUnwrap(settledLeader(within: 10))
        let other = leader == "node1" ? "node2" : "node1"
        Thread.sleep(forTimeInterval: 0.3)
        let asked = instantNow()
        drivers[leader]!.resign()
        XCTAssertTrue(waitFor(5) { recorder.owners() == [other] }, "\(other) did not take over")
        let changes = recorder.changes
        let took = try XCTUnwrap(changes.first { $0.node == other && $0.owns })
        let dropped = try XCTUnwrap(changes.last { $0.node == leader && !$0.owns })
        XCTAssertLessThanOrEqual(took.at, dropped.at, "the old leader kept the VIP until the successor had it")
        let overlap = dropped.at - took.at
        print("resign: successor took \(took.at - asked) after the request; old leader dropped \(overlap) after that")
        XCTAssertLessThanOrEqual(overlap, .milliseconds(150))
        let d = drivers[leader]!
        let reason = try d.eventLoop.submit { d.lastRelease }.wait()
        XCTAssertEqual(reason, .handedOver(to: other))
        // It campaigns again, behind the new leader.
        XCTAssertTrue(waitFor(3) { recorder.status(leader)?.role == .follower && recorder.status(leader)?.leader == other })
    }

    func testCutOffFromEtcdReleasesBeforeTheLeaseCanLapse() throws {
        let c = try startCluster()
        let ttl = 2
        startDrivers(c, ttl: ttl)
        let leader = try XCTUnwrap(settledLeader(within: 10))
        Thread.sleep(forTimeInterval: 1)
        c.signalAll(SIGSTOP)
        let frozen = instantNow()
        defer { c.signalAll(SIGCONT) }
        XCTAssertTrue(waitFor(4) { recorder.owners().isEmpty }, "the leader kept the VIP")
        let dropped = try XCTUnwrap(recorder.changes.last { $0.node == leader && !$0.owns })
        let lastAck = try XCTUnwrap(recorder.lastAck(leader))
        let lapse = lastAck + .seconds(ttl)
        print("partition: last acked keep-alive sent \(frozen - lastAck) before the freeze; VIP dropped \(dropped.at - lastAck) after it, \(lapse - dropped.at) before the lease could lapse")
        XCTAssertLessThan(dropped.at, lapse)
        XCTAssertGreaterThanOrEqual(dropped.at, lapse - .milliseconds(200) - .milliseconds(50), "not fenced long before its deadline")
        XCTAssertEqual(recorder.changes.filter(\.owns).count, 1, "nobody took it meanwhile")
        XCTAssertEqual(recorder.status(leader)?.role, .fenced)
        c.signalAll(SIGCONT)
        let back = try XCTUnwrap(settledLeader(within: 15), "a leader again once etcd is back")
        print("after SIGCONT, \(back) leads")
        XCTAssertEqual(recorder.longestOverlap(), .zero)
    }

    func testRaftLeaderCrashDoesNotMoveTheVIP() throws {
        let c = try startCluster()
        startDrivers(c, ttl: 2)
        let leader = try XCTUnwrap(settledLeader(within: 10))
        Thread.sleep(forTimeInterval: 1)
        let raftLeader = try XCTUnwrap(c.raftLeader(), "no raft leader found")
        let before = recorder.changes.count
        c.signal(SIGKILL, member: raftLeader)
        let killed = instantNow()
        Thread.sleep(forTimeInterval: 5)
        XCTAssertEqual(recorder.changes.count, before, "the VIP moved or was released: \(recorder.changes.suffix(3))")
        XCTAssertEqual(recorder.owners(), [leader])
        XCTAssertEqual(recorder.status(leader)?.role, .leader)
        let lastAck = try XCTUnwrap(recorder.lastAck(leader))
        XCTAssertGreaterThan(lastAck, killed, "keep-alives acknowledged again after the crash")
        print("raft leader m\(raftLeader) killed: longest gap between acked keep-alive sends \(recorder.longestAckGap(leader)) (fence budget 1.8 s)")
    }
}

extension Instant {
    static func - (a: Instant, d: Duration) -> Instant { a + (.zero - d) }
}
