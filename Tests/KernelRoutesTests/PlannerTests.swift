import KernelRoutes
import Testing

private func vip(_ text: String, dev: UInt32 = 1) -> KernelRoute {
    .tableModeVIP(a(text), interfaceIndex: dev)
}

@Suite struct RoutePlannerTests {
    @Test func emptyKernelGetsEveryRoute() throws {
        let ops = try RoutePlanner.plan(desired: [vip("10.0.1.101"), vip("10.0.1.100"), vip("fd00:1::100")],
                                        current: [], table: 198, proto: 248)
        #expect(ops == [.replace(vip("10.0.1.100")), .replace(vip("10.0.1.101")), .replace(vip("fd00:1::100"))])
    }

    @Test func aKernelThatMatchesNeedsNothing() throws {
        // As the kernel reports them: the IPv6 route with metric 1024.
        let current = [vip("10.0.1.100"),
                       KernelRoute(destination: p("fd00:1::100/128"), table: 198, proto: 248, metric: 1024,
                                   nextHops: [.device(1)])]
        let ops = try RoutePlanner.plan(desired: [vip("fd00:1::100"), vip("10.0.1.100")], current: current,
                                        table: 198, proto: 248)
        #expect(ops.isEmpty)
    }

    @Test func onlyTheDifferencesAreTouched() throws {
        let current = [vip("10.0.1.100"), vip("10.0.1.101", dev: 2), vip("10.0.1.102")]
        let desired = [vip("10.0.1.100"), vip("10.0.1.101"), vip("10.0.1.103")]
        let ops = try RoutePlanner.plan(desired: desired, current: current, table: 198, proto: 248)
        #expect(ops == [.replace(vip("10.0.1.101")), .replace(vip("10.0.1.103")), .delete(vip("10.0.1.102"))])
    }

    @Test func routesOfOtherProtocolsAndTablesAreNotOurs() throws {
        let bird = KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 12, metric: 32,
                               nextHops: [.device(1)])
        let main = KernelRoute.tableModeVIP(a("10.0.1.200"), interfaceIndex: 1, table: 254)
        let ops = try RoutePlanner.plan(desired: [], current: [bird, main, vip("10.0.1.9")], table: 198, proto: 248)
        #expect(ops == [.delete(vip("10.0.1.9"))])
    }

    @Test func ecmpChangesAreOneReplace() throws {
        let old = KernelRoute(destination: p("10.9.0.0/24"), table: 254, proto: 186, metric: 20,
                              nextHops: [.via(a("10.1.1.2"), device: 2), .via(a("10.1.1.3"), device: 2)])
        let new = KernelRoute(destination: p("10.9.0.0/24"), table: 254, proto: 186, metric: 20,
                              nextHops: [.via(a("10.1.1.2")), .via(a("10.1.1.4"))])
        let ops = try RoutePlanner.plan(desired: [new], current: [old], table: 254, proto: 186)
        #expect(ops == [.replace(new)])
    }

    @Test func aWrongTableOrProtocolIsRefused() {
        #expect(throws: RoutePlanError.foreignRoute(vip("10.0.1.100"), table: 254, proto: 248)) {
            try RoutePlanner.plan(desired: [vip("10.0.1.100")], current: [], table: 254, proto: 248)
        }
        let other = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 1, proto: 12)
        #expect(throws: RoutePlanError.self) {
            try RoutePlanner.plan(desired: [other], current: [], table: 198, proto: 248)
        }
    }

    @Test func twoRoutesForOneKeyAreRefused() {
        #expect(throws: RoutePlanError.duplicateKey(vip("10.0.1.100"), vip("10.0.1.100", dev: 2))) {
            try RoutePlanner.plan(desired: [vip("10.0.1.100"), vip("10.0.1.100", dev: 2)], current: [],
                                  table: 198, proto: 248)
        }
        // The same destination with two metrics is two routes.
        let metric5 = KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248, metric: 5,
                                  nextHops: [.device(2)])
        #expect((try? RoutePlanner.plan(desired: [vip("10.0.1.100"), metric5], current: [],
                                        table: 198, proto: 248))?.count == 2)
    }

    @Test func extraRoutesOnOneKeyGoAway() throws {
        let unicast = vip("10.0.1.100")
        let local = KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248, type: .local,
                                nextHops: [.device(1)])
        let ops = try RoutePlanner.plan(desired: [unicast], current: [local, unicast], table: 198, proto: 248)
        #expect(ops == [.delete(local)])
    }
}

@Suite struct KernelRouteSyncTests {
    @Test func secondSyncTouchesNothing() throws {
        let kernel = RecordingRouteTable()
        let sync = KernelRouteSync(table: 198, proto: 248, routes: kernel)
        let first = try sync.sync([vip("10.0.1.100"), vip("fd00:1::100")])
        #expect(first.succeeded && first.applied.count == 2)
        kernel.clearCalls()
        let second = try sync.sync([vip("10.0.1.100"), vip("fd00:1::100")])
        #expect(second.applied.isEmpty && second.succeeded)
        #expect(kernel.changes.isEmpty)
        #expect(kernel.calls == [.list(table: 198, proto: 248)])
    }

    @Test func vipAddAndRemoveTouchOnlyThatRoute() throws {
        let kernel = RecordingRouteTable()
        let sync = KernelRouteSync(table: 198, proto: 248, routes: kernel)
        try sync.sync([vip("10.0.1.100")])
        kernel.clearCalls()
        try sync.sync([vip("10.0.1.100"), vip("10.0.1.101")])
        #expect(kernel.changes == [.replace(vip("10.0.1.101"))])
        kernel.clearCalls()
        try sync.sync([vip("10.0.1.101")])
        #expect(kernel.changes == [.delete(vip("10.0.1.100"))])
        #expect(Array(kernel.routes.values) == [vip("10.0.1.101")])
    }

    @Test func aRouteRemovedBehindOurBackIsPutBack() throws {
        let kernel = RecordingRouteTable()
        let sync = KernelRouteSync(table: 198, proto: 248, routes: kernel)
        try sync.sync([vip("10.0.1.100")])
        try kernel.delete(vip("10.0.1.100"))
        kernel.clearCalls()
        try sync.sync([vip("10.0.1.100")])
        #expect(kernel.changes == [.replace(vip("10.0.1.100"))])
    }

    @Test func cleanupRemovesOnlyOurProtocolInOurTable() throws {
        let bird = KernelRoute(destination: p("10.0.2.0/24"), table: 198, proto: 12, metric: 32,
                               nextHops: [.device(2)])
        let main = KernelRoute.tableModeVIP(a("10.0.1.200"), interfaceIndex: 1, table: 254)
        // What a crashed earlier run left:
        let leftovers = [vip("10.0.1.100"), vip("fd00:1::100"), vip("10.0.1.7", dev: 3)]
        let kernel = RecordingRouteTable(routes: [bird, main] + leftovers)
        let report = try KernelRouteSync(table: 198, proto: 248, routes: kernel).cleanup()
        #expect(report.succeeded && report.applied.count == 3)
        #expect(Set(kernel.routes.values) == [bird, main])
    }

    @Test func oneRefusedRouteDoesNotHoldBackTheRest() throws {
        let kernel = RecordingRouteTable()
        kernel.failure = { call in
            call == .replace(vip("10.0.1.100"))
                ? KernelError(operation: "\(call)", code: KernelError.nlePermission, message: "Operation not permitted")
                : nil
        }
        let report = try KernelRouteSync(table: 198, proto: 248, routes: kernel)
            .sync([vip("10.0.1.100"), vip("10.0.1.101")])
        #expect(!report.succeeded)
        #expect(report.failed.map(\.operation) == [.replace(vip("10.0.1.100"))])
        #expect(report.applied == [.replace(vip("10.0.1.101"))])
        #expect(Array(kernel.routes.values) == [vip("10.0.1.101")])
    }

    @Test func aDeleteOfARouteAlreadyGoneCountsAsDone() throws {
        let kernel = RecordingRouteTable(routes: [vip("10.0.1.100")])
        // The route vanishes between the listing and the delete.
        kernel.failure = { call in
            if case .delete = call {
                return KernelError(operation: "\(call)", code: KernelError.nleObjectNotFound, message: "Object not found")
            }
            return nil
        }
        let report = try KernelRouteSync(table: 198, proto: 248, routes: kernel).cleanup()
        #expect(report.succeeded && report.applied == [.delete(vip("10.0.1.100"))])
    }

    @Test func anUnreadableTableChangesNothing() {
        let kernel = RecordingRouteTable(routes: [vip("10.0.1.100")])
        kernel.failure = { call in
            if case .list = call {
                return KernelError(operation: "\(call)", code: KernelError.nlePermission, message: "Operation not permitted")
            }
            return nil
        }
        #expect(throws: KernelError.self) {
            try KernelRouteSync(table: 198, proto: 248, routes: kernel).sync([])
        }
        #expect(kernel.changes.isEmpty)
    }

    @Test func anInvalidWishChangesNothing() {
        let kernel = RecordingRouteTable(routes: [vip("10.0.1.100")])
        #expect(throws: RoutePlanError.self) {
            try KernelRouteSync(table: 198, proto: 248, routes: kernel)
                .sync([vip("10.0.1.101"), vip("10.0.1.101", dev: 2)])
        }
        #expect(kernel.changes.isEmpty)
    }
}

@Suite struct RecordingTwinTests {
    @Test func routeTableBehavesLikeTheKernel() throws {
        let kernel = RecordingRouteTable()
        // A unicast route needs a next hop.
        #expect(throws: KernelError.self) {
            try kernel.replace(KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248, nextHops: []))
        }
        try kernel.replace(vip("10.0.1.100"))
        try kernel.replace(vip("10.0.1.100", dev: 2))  // overwrites: same key
        #expect(try kernel.list(table: 198, proto: 248) == [vip("10.0.1.100", dev: 2)])
        #expect(try kernel.list(table: 198, proto: 12).isEmpty)
        // Deleting needs the protocol and next hops to match, when given.
        let wrongProto = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 2, proto: 12)
        let error = #expect(throws: KernelError.self) { try kernel.delete(wrongProto) }
        #expect(error?.isNotFound == true)
        #expect(throws: KernelError.self) { try kernel.delete(vip("10.0.1.100", dev: 1)) }
        try kernel.delete(vip("10.0.1.100", dev: 2))
        #expect(kernel.routes.isEmpty)
    }

    @Test func addressTableBehavesLikeTheKernel() throws {
        let kernel = RecordingAddressTable()
        let added = try kernel.addVIP(a("10.0.1.100"), toInterfaceNamed: "lo", proto: 250)
        try kernel.addVIP(a("fd00:1::100"), toInterfaceNamed: "lo")
        try kernel.addVIP(a("10.0.1.100"), toInterfaceNamed: "lo", scope: .host)  // replace in place
        #expect(added.interfaceIndex == 1)
        let listed = try kernel.list(interfaceIndex: 1)
        #expect(listed.count == 2)
        #expect(listed.first?.scope == .host && listed.first?.proto == 0)
        #expect(listed.last?.flags.contains(.noDAD) == true)
        #expect(try kernel.removeVIP(a("10.0.1.100"), fromInterfaceNamed: "lo"))
        #expect(try !kernel.removeVIP(a("10.0.1.100"), fromInterfaceNamed: "lo"))
        let error = #expect(throws: KernelError.self) { try kernel.interfaceIndex(named: "eth9") }
        #expect(error?.isNotFound == true)
        #expect(kernel.changes.count == 5)
    }
}
