import Foundation
import KernelRoutes
import Layer2Frames
@testable import Layer2Link
import TestSupport
import Testing

/// `NetlinkLinkMonitor` against the kernel in a fresh namespace: every
/// change is a notification the kernel pushed (the monitor never polls),
/// and `stop` ends the reader thread promptly.
@Suite(.enabled(if: isRoot, "needs root: network namespaces"))
struct LinkMonitorTests {
    /// The handler's events, collected across threads.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [LinkEvent] = []
        func append(_ e: LinkEvent) { lock.withLock { list.append(e) } }
        var all: [LinkEvent] { lock.withLock { list } }
    }

    struct Seen: Sendable {
        var initial: [LinkInfo] = []
        var afterAdd: [LinkEvent] = []
        var afterUp0: [LinkEvent] = []
        var afterUp1: [LinkEvent] = []
        var afterDown0: [LinkEvent] = []
        var afterDelete: [LinkEvent] = []
        var listedWhileUp: [LinkInfo] = []
        var stopSeconds = 0.0
        var afterStop: [LinkEvent] = []
    }

    @Test func notificationsForUpDownAndDelete() throws {
        let seen = try inFreshNetworkNamespace { () throws -> Seen in
            var seen = Seen()
            let links = try LinuxLinkTable()
            let monitor = try NetlinkLinkMonitor()
            let events = Events()
            seen.initial = try monitor.links()
            try monitor.start { events.append($0) }
            var mark = 0
            /// The events since the last step, once `done` holds (2 s at most).
            func step(_ done: ([LinkEvent]) -> Bool) -> [LinkEvent] {
                let new = poll({ Array(events.all[mark...]) }, until: done)
                mark += new.count
                return new
            }
            func has(_ name: String, up: Bool, carrier: Bool) -> ([LinkEvent]) -> Bool {
                { $0.contains { if case .changed(let l) = $0 { l.name == name && l.adminUp == up && l.carrier == carrier } else { false } } }
            }
            try links.addVethPair("m0", peer: "m1")
            seen.afterAdd = step { e in has("m0", up: false, carrier: false)(e) && has("m1", up: false, carrier: false)(e) }
            try links.setUp(named: "m0")
            seen.afterUp0 = step(has("m0", up: true, carrier: false))
            try links.setUp(named: "m1")
            seen.afterUp1 = step { e in has("m0", up: true, carrier: true)(e) && has("m1", up: true, carrier: true)(e) }
            seen.listedWhileUp = try monitor.links()
            try ip("link", "set", "m0", "down")
            seen.afterDown0 = step { e in has("m0", up: false, carrier: false)(e) && has("m1", up: true, carrier: false)(e) }
            try links.delete(named: "m0")
            seen.afterDelete = step { e in
                e.contains(where: { if case .removed(_, "m0") = $0 { true } else { false } })
                    && e.contains(where: { if case .removed(_, "m1") = $0 { true } else { false } })
            }
            let started = Date()
            monitor.stop()
            seen.stopSeconds = Date().timeIntervalSince(started)
            try links.addVethPair("n0", peer: "n1")
            Thread.sleep(forTimeInterval: 0.3)
            seen.afterStop = Array(events.all[mark...])
            return seen
        }
        #expect(seen.initial.map(\.name) == ["lo"], "\(seen.initial)")
        #expect(seen.initial.first?.mac == nil)
        func changes(_ events: [LinkEvent], _ name: String) -> [LinkInfo] {
            events.compactMap { if case .changed(let l) = $0, l.name == name { l } else { nil } }
        }
        #expect(changes(seen.afterAdd, "m0").last.map { !$0.adminUp && !$0.carrier && $0.mac != nil } == true,
                "\(seen.afterAdd)")
        #expect(changes(seen.afterUp0, "m0").last.map { $0.adminUp && !$0.carrier && !$0.isUsable } == true,
                "\(seen.afterUp0)")
        #expect(changes(seen.afterUp1, "m0").last?.isUsable == true, "\(seen.afterUp1)")
        #expect(changes(seen.afterUp1, "m1").last?.isUsable == true, "\(seen.afterUp1)")
        #expect(changes(seen.afterDown0, "m0").last.map { !$0.adminUp && !$0.carrier } == true, "\(seen.afterDown0)")
        #expect(changes(seen.afterDown0, "m1").last.map { $0.adminUp && !$0.carrier } == true, "\(seen.afterDown0)")
        let removed = seen.afterDelete.compactMap { if case .removed(let i, let n) = $0 { "\(n)@\(i)" } else { nil } }
        let m0 = seen.listedWhileUp.first { $0.name == "m0" }
        let m1 = seen.listedWhileUp.first { $0.name == "m1" }
        #expect(Set(removed) == ["m0@\(m0?.index ?? 0)", "m1@\(m1?.index ?? 0)"], "\(seen.afterDelete)")
        #expect(m0?.isUsable == true && m1?.isUsable == true && m0?.mac != nil && m0?.mac != m1?.mac,
                "\(seen.listedWhileUp)")
        // Repeats are not reported: each step holds the changes, not noise.
        #expect(changes(seen.afterUp0, "m0").count == 1, "\(seen.afterUp0)")
        #expect(seen.stopSeconds < 1, "stop took \(seen.stopSeconds) s")
        #expect(seen.afterStop.isEmpty, "\(seen.afterStop)")
    }

    struct OverflowSeen: Sendable {
        var resynchronisations = 0
        var reported: Set<String> = []
        var usable: Set<String> = []
        var removed: Set<String> = []
    }

    /// Notifications lost to a full queue (ENOBUFS) are made up for by a
    /// fresh dump: every link still ends up reported, removals included.
    /// The queue is made tiny and the handler holds the reader thread while
    /// 16 veth pairs come and go, so the overflow is certain.
    @Test func lostNotificationsAreRecoveredByADump() throws {
        let seen = try inFreshNetworkNamespace { () throws -> OverflowSeen in
            let links = try LinuxLinkTable()
            let monitor = try NetlinkLinkMonitor(receiveBufferBytes: 1)
            let events = Events()
            let gate = DispatchSemaphore(value: 0)
            try monitor.start { event in
                if events.all.isEmpty { _ = gate.wait(timeout: .now() + 10) }
                events.append(event)
            }
            try links.addVethPair("gone0", peer: "gone1")
            for i in 0..<16 {
                try links.addVethPair("p\(i)", peer: "q\(i)")
                try links.setUp(named: "p\(i)")
                try links.setUp(named: "q\(i)")
            }
            try links.delete(named: "gone0")
            gate.signal()
            let names = Set((0..<16).flatMap { ["p\($0)", "q\($0)"] })
            func usable(_ all: [LinkEvent]) -> Set<String> {
                var state: [String: Bool] = [:]
                for case .changed(let l) in all { state[l.name] = l.isUsable }
                return Set(state.filter(\.value).keys)
            }
            _ = poll(for: 5, { events.all }, until: { names.isSubset(of: usable($0)) })
            monitor.stop()
            var seen = OverflowSeen(resynchronisations: monitor.resynchronisations)
            for case .changed(let l) in events.all { seen.reported.insert(l.name) }
            seen.usable = usable(events.all)
            for case .removed(_, let name) in events.all { seen.removed.insert(name) }
            return seen
        }
        let names = Set((0..<16).flatMap { ["p\($0)", "q\($0)"] })
        #expect(seen.resynchronisations >= 1, "no overflow happened, so the test proved nothing")
        #expect(names.isSubset(of: seen.usable), "not reported usable: \(names.subtracting(seen.usable).sorted())")
        // gone0/gone1 may have been reported or not before the overflow,
        // but if they were, their removal must be reported too.
        for name in ["gone0", "gone1"] where seen.reported.contains(name) {
            #expect(seen.removed.contains(name), "\(name) reported but never removed")
        }
    }
}
