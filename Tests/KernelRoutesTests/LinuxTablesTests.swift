import KernelRoutes
import TestSupport
import Testing

/// The real libnl implementations against the real kernel, each test in a
/// fresh network namespace of its own (never the host's tables).
@Suite(.enabled(if: isRoot, "needs root: unshare(CLONE_NEWNET)"))
struct LinuxTablesTests {
    struct TableModeSeen: Sendable {
        var lo: UInt32 = 0, v0: UInt32 = 0
        var afterAdd: [KernelRoute] = []
        var afterSecondReplace: [KernelRoute] = []
        var afterMove: [KernelRoute] = []
        var wholeTable: [KernelRoute] = []
        var afterDelete: [KernelRoute] = []
        var secondDelete: KernelError?
        var mainTable: [KernelRoute] = []
    }

    @Test func tableModeRoutesRoundTrip() throws {
        let seen = try inFreshNetworkNamespace { () throws -> TableModeSeen in
            let lab = try NamespaceLab()
            var seen = TableModeSeen(lo: lab.lo, v0: lab.v0)
            let r4 = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: lab.lo)
            let r6 = KernelRoute.tableModeVIP(a("fd00:1::100"), interfaceIndex: lab.lo)
            try lab.routes.replace(r4)
            try lab.routes.replace(r6)
            seen.afterAdd = try lab.routes.list(table: 198, proto: 248)
            try lab.routes.replace(r4)
            seen.afterSecondReplace = try lab.routes.list(table: 198, proto: 248)
            try lab.routes.replace(.tableModeVIP(a("10.0.1.100"), interfaceIndex: lab.v0))
            seen.afterMove = try lab.routes.list(table: 198, proto: 248)
            // Someone else's route in the same table, and ours in another table.
            try lab.routes.replace(KernelRoute(destination: p("10.0.2.0/24"), table: 198, proto: 12, metric: 32,
                                               nextHops: [.via(a("10.1.1.2"), device: lab.v0)]))
            try lab.routes.replace(.tableModeVIP(a("10.0.1.200"), interfaceIndex: lab.lo, table: 254))
            seen.wholeTable = try lab.routes.list(table: 198, proto: nil)
            seen.mainTable = try lab.routes.list(table: 254, proto: 248)
            try lab.routes.delete(.tableModeVIP(a("10.0.1.100"), interfaceIndex: lab.v0))
            try lab.routes.delete(r6)
            seen.afterDelete = try lab.routes.list(table: 198, proto: 248)
            do { try lab.routes.delete(r6) } catch let error as KernelError { seen.secondDelete = error }
            return seen
        }
        let r4 = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: seen.lo)
        let r6 = KernelRoute.tableModeVIP(a("fd00:1::100"), interfaceIndex: seen.lo)
        // Read back exactly: IPv4 as written, IPv6 with the kernel's metric 1024.
        #expect(seen.afterAdd == [r4, r6.normalizedForKernel])
        #expect(seen.afterAdd.first?.description == "10.0.1.100 dev if\(seen.lo) table 198 proto 248")
        #expect(seen.afterAdd.last?.metric == 1024)
        #expect(seen.afterSecondReplace == seen.afterAdd)
        #expect(seen.afterMove == [.tableModeVIP(a("10.0.1.100"), interfaceIndex: seen.v0), r6.normalizedForKernel])
        #expect(seen.wholeTable.count == 3)
        #expect(seen.wholeTable.contains { $0.proto == 12 && $0.metric == 32 && $0.destination == p("10.0.2.0/24") })
        #expect(seen.mainTable == [.tableModeVIP(a("10.0.1.200"), interfaceIndex: seen.lo, table: 254)])
        #expect(seen.afterDelete.isEmpty)
        #expect(seen.secondDelete?.isNotFound == true, "\(String(describing: seen.secondDelete))")
    }

    struct ECMPSeen: Sendable {
        var v0: UInt32 = 0
        var routes: [KernelRoute] = []
        var afterChange: [KernelRoute] = []
    }

    @Test func ecmpRoutesKeepEveryNextHop() throws {
        let seen = try inFreshNetworkNamespace { () throws -> ECMPSeen in
            let lab = try NamespaceLab()
            var seen = ECMPSeen(v0: lab.v0)
            try lab.routes.replace(KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248, nextHops: [
                .via(a("10.1.1.2"), device: lab.v0), .via(a("10.1.1.3"), device: lab.v0)]))
            try lab.routes.replace(KernelRoute(destination: p("fd00:9::/64"), table: 198, proto: 248, nextHops: [
                .via(a("fd00:255::2"), device: lab.v0), .via(a("fd00:255::3"), device: lab.v0)]))
            seen.routes = try lab.routes.list(table: 198, proto: 248)
            // Gateways alone: the kernel picks the interface.
            try lab.routes.replace(KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248, nextHops: [
                .via(a("10.1.1.2")), .via(a("10.1.1.4")), .via(a("10.1.1.5"))]))
            seen.afterChange = try lab.routes.list(table: 198, proto: 248)
            return seen
        }
        let v4 = KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248,
                             nextHops: [.via(a("10.1.1.2"), device: seen.v0), .via(a("10.1.1.3"), device: seen.v0)])
        let v6 = KernelRoute(destination: p("fd00:9::/64"), table: 198, proto: 248, metric: 1024,
                             nextHops: [.via(a("fd00:255::2"), device: seen.v0), .via(a("fd00:255::3"), device: seen.v0)])
        #expect(seen.routes == [v4, v6])
        let changed = KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248,
                                  nextHops: [.via(a("10.1.1.2")), .via(a("10.1.1.4")), .via(a("10.1.1.5"))])
        #expect(seen.afterChange.count == 2)
        #expect(seen.afterChange.first.map(changed.isSatisfied(by:)) == true, "\(seen.afterChange)")
        #expect(seen.afterChange.first?.nextHops.allSatisfy { $0.interfaceIndex == seen.v0 } == true)
    }

    struct SyncSeen: Sendable {
        var lo: UInt32 = 0
        var first = RouteSyncReportSummary(), second = RouteSyncReportSummary()
        var third = RouteSyncReportSummary(), cleanup = RouteSyncReportSummary()
        var left: [KernelRoute] = []
    }

    @Test func syncAgainstTheKernelTouchesOnlyDifferences() throws {
        let seen = try inFreshNetworkNamespace { () throws -> SyncSeen in
            let lab = try NamespaceLab()
            var seen = SyncSeen(lo: lab.lo)
            let foreign = KernelRoute(destination: p("10.0.2.0/24"), table: 198, proto: 12, metric: 32,
                                      nextHops: [.via(a("10.1.1.2"), device: lab.v0)])
            try lab.routes.replace(foreign)
            let sync = KernelRouteSync(table: 198, proto: 248, routes: lab.routes)
            let wanted: [KernelRoute] = [
                .tableModeVIP(a("10.0.1.100"), interfaceIndex: lab.lo),
                .tableModeVIP(a("fd00:1::100"), interfaceIndex: lab.lo),
                KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248,
                            nextHops: [.via(a("10.1.1.2")), .via(a("10.1.1.3"))]),
            ]
            seen.first = .init(try sync.sync(wanted))
            seen.second = .init(try sync.sync(wanted))
            seen.third = .init(try sync.sync([wanted[0]]))
            seen.cleanup = .init(try sync.cleanup())
            seen.left = try lab.routes.list(table: 198, proto: nil)
            return seen
        }
        #expect(seen.first.applied == 3 && seen.first.failed.isEmpty)
        // Read back from the kernel, the routes equal what was asked: nothing to do.
        #expect(seen.second.applied == 0 && seen.second.failed.isEmpty)
        #expect(seen.third.deletes == 2 && seen.third.replaces == 0 && seen.third.failed.isEmpty)
        #expect(seen.cleanup.deletes == 1 && seen.cleanup.failed.isEmpty)
        #expect(seen.left.count == 1 && seen.left.first?.proto == 12)
    }

    struct AddressSeen: Sendable {
        var lo: UInt32 = 0
        var listed: [InterfaceAddress] = []
        var afterReplace: [InterfaceAddress] = []
        var afterRemove: [InterfaceAddress] = []
        var secondRemove: KernelError?
        var unknownInterface: KernelError?
    }

    @Test func vipAddressesOnLoopback() throws {
        let seen = try inFreshNetworkNamespace { () throws -> AddressSeen in
            let lab = try NamespaceLab()
            var seen = AddressSeen(lo: lab.lo)
            // Scope host on lo, as kube-vip does; removal below names no scope.
            try lab.addresses.addVIP(a("10.0.1.100"), toInterfaceNamed: "lo", scope: .host, proto: 250)
            try lab.addresses.addVIP(a("fd00:1::100"), toInterfaceNamed: "lo", proto: 250)
            seen.listed = try lab.addresses.list(interfaceIndex: lab.lo)
            try lab.addresses.addVIP(a("10.0.1.100"), toInterfaceNamed: "lo", scope: .host, proto: 250)
            seen.afterReplace = try lab.addresses.list(interfaceIndex: lab.lo)
            _ = try lab.addresses.removeVIP(a("10.0.1.100"), fromInterfaceNamed: "lo")
            try lab.addresses.remove(.vip(a("fd00:1::100"), interfaceIndex: lab.lo))
            seen.afterRemove = try lab.addresses.list(interfaceIndex: lab.lo)
            do { try lab.addresses.remove(.vip(a("fd00:1::100"), interfaceIndex: lab.lo)) } catch let e as KernelError {
                seen.secondRemove = e
            }
            do { _ = try lab.addresses.interfaceIndex(named: "nope0") } catch let e as KernelError {
                seen.unknownInterface = e
            }
            return seen
        }
        #expect(seen.lo == 1)
        let v4 = seen.listed.first { $0.address == a("10.0.1.100") }
        let v6 = seen.listed.first { $0.address == a("fd00:1::100") }
        #expect(v4?.prefixLength == 32 && v4?.proto == 250 && v4?.interfaceIndex == seen.lo, "\(seen.listed)")
        #expect(v4?.scope == .host, "\(seen.listed)")
        #expect(v6?.prefixLength == 128 && v6?.proto == 250, "\(seen.listed)")
        #expect(v6?.flags.contains(.noDAD) == true && v6?.flags.contains(.tentative) == false, "\(seen.listed)")
        #expect(seen.listed.contains { $0.address == a("127.0.0.1") })
        #expect(seen.afterReplace.count == seen.listed.count)
        #expect(!seen.afterRemove.contains { $0.proto == 250 }, "\(seen.afterRemove)")
        #expect(seen.afterRemove.count == seen.listed.count - 2)
        #expect(seen.secondRemove?.isNotFound == true, "\(String(describing: seen.secondRemove))")
        #expect(seen.unknownInterface?.isNotFound == true, "\(String(describing: seen.unknownInterface))")
    }

    @Test func theHostIsUntouched() throws {
        // A route written in the namespace is not in the host's table 198.
        let marker = KernelRoute.tableModeVIP(a("192.0.2.198"), interfaceIndex: 1, table: 198, proto: 248)
        let insideCount = try inFreshNetworkNamespace { () throws -> Int in
            let routes = try LinuxRouteTable()
            try LinuxLinkTable().setUp(named: "lo")
            try routes.replace(marker)
            return try routes.list(table: 198, proto: 248).filter { $0.destination == marker.destination }.count
        }
        #expect(insideCount == 1)
        let host = try LinuxRouteTable().list(table: 198, proto: 248)
        #expect(!host.contains { $0.destination == marker.destination })
    }
}

/// A report's counts, Sendable to leave the namespace thread.
struct RouteSyncReportSummary: Sendable {
    var applied = 0, replaces = 0, deletes = 0
    var failed: [String] = []
    init() {}
    init(_ report: RouteSyncReport) {
        applied = report.applied.count
        replaces = report.applied.filter { if case .replace = $0 { return true } else { return false } }.count
        deletes = report.applied.filter { if case .delete = $0 { return true } else { return false } }.count
        failed = report.failed.map { "\($0.operation): \($0.error)" }
    }
}
