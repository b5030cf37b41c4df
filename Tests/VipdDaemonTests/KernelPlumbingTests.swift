import BGPCodec
import Foundation
import KernelRoutes
import RIB
import Testing
import VipdConfig
@testable import vipd

/// The daemon's kernel plumbing against the recording twins: what it asks
/// of the kernel for table mode, VIPs on lo and FIB install, and what it
/// leaves alone.
@Suite final class KernelPlumbingTests {
    let stateDir = "/tmp/vipd-plumbing-test-\(UInt32.random(in: 0...UInt32.max))"

    /// Each test has its own directory; none is left behind.
    deinit { try? FileManager.default.removeItem(atPath: stateDir) }

    func config(_ vips: [VIPConfig], fib: Bool = false) -> VipdConfig {
        var c = VipdConfig()
        c.stateDir = stateDir
        c.asn = 65011
        c.vips = vips
        c.fib.install = fib
        return c
    }

    func vip(_ text: String, _ mode: VIPMode = .bgp, local: Bool = true) -> VIPConfig {
        var v = VIPConfig(address: IPAddress(text)!)
        v.mode = mode
        v.local = local
        return v
    }

    @Test func tableModeRoutesAndLoopbackAddressesFollowTheVIPs() throws {
        let foreign = KernelRoute(destination: KernelPrefix("10.5.0.0/24")!, table: 198, proto: 4, nextHops: [.device(2)])
        let routes = RecordingRouteTable(routes: [foreign]), addrs = RecordingAddressTable()
        let c = config([vip("10.0.1.100", .table), vip("10.0.1.101"), vip("10.0.1.102", local: false), vip("fd00:1::100", .table, local: false)])
        let k = try KernelPlumbing(routes: routes, addresses: addrs, config: c) { _ in }
        k.syncVIPs(c.vips, config: c)
        let ours = try routes.list(table: 198, proto: 248)
        #expect(Set(ours.map(\.destination)) == [.host(KernelAddress("10.0.1.100")!), .host(KernelAddress("fd00:1::100")!)])
        #expect(ours.allSatisfy { $0.nextHops == [.device(1)] && $0.type == .unicast && $0.scope == .universe })
        #expect(try routes.list(table: 198, proto: 4) == [foreign])
        let onLo = try addrs.list(interfaceIndex: 1).map(\.address.description).sorted()
        #expect(onLo == ["10.0.1.100", "10.0.1.101"])
        #expect(try addrs.list(interfaceIndex: 1).allSatisfy { $0.proto == 248 && $0.scope == .host })
        #expect(k.tableOwned == [IPAddress("10.0.1.100")!, IPAddress("fd00:1::100")!])
        // Fewer VIPs: only the differences are touched.
        routes.clearCalls()
        k.syncVIPs([vip("10.0.1.101")], config: c)
        #expect(try routes.list(table: 198, proto: 248).isEmpty)
        #expect(routes.calls.filter { if case .delete = $0 { true } else { false } }.count == 2)
        #expect(!routes.calls.contains { if case .replace = $0 { true } else { false } })
        #expect(try addrs.list(interfaceIndex: 1).map(\.address.description) == ["10.0.1.101"])
        k.cleanupAtExit()
        #expect(try addrs.list(interfaceIndex: 1).isEmpty && (try routes.list(table: 198, proto: 4)) == [foreign])
    }

    @Test func aCrashedRunsLeftoversGoAtStartButOthersStay() throws {
        let left = KernelRoute.tableModeVIP(KernelAddress("10.0.1.100")!, interfaceIndex: 1)
        let foreign = KernelRoute(destination: KernelPrefix("10.0.1.200/32")!, table: 198, proto: 4, nextHops: [.device(1)])
        let routes = RecordingRouteTable(routes: [left, foreign])
        let leftAddress = InterfaceAddress.vip(KernelAddress("10.0.1.100")!, interfaceIndex: 1, scope: .host, proto: 248)
        let operators = InterfaceAddress.vip(KernelAddress("10.0.1.250")!, interfaceIndex: 1, scope: .host)
        let addrs = RecordingAddressTable(addresses: [leftAddress, operators])
        AddressRecord.write(stateDir, [IPAddress("10.0.1.100")!])
        let k = try KernelPlumbing(routes: routes, addresses: addrs, config: config([])) { _ in }
        k.cleanupAtStart()
        #expect(try routes.list(table: 198, proto: nil) == [foreign])
        #expect(try addrs.list(interfaceIndex: 1).map(\.address.description) == ["10.0.1.250"])
        #expect(AddressRecord.read(stateDir).isEmpty)
    }

    @Test func aRecordFromAnotherBootIsNotActedOn() throws {
        try? FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        try "boot other-boot netns 1\n10.0.1.100\n".write(toFile: AddressRecord.path(stateDir, "addresses"), atomically: true, encoding: .utf8)
        #expect(AddressRecord.read(stateDir).isEmpty)
    }

    @Test func fibInstallFollowsTheBestPathsWithECMP() throws {
        let routes = RecordingRouteTable(), addrs = RecordingAddressTable()
        let c = config([], fib: true)
        let k = try KernelPlumbing(routes: routes, addresses: addrs, config: c) { _ in }
        var rib = LocRIB(localAS: 65011, decision: Decision(options: BestPathOptions(multipath: true)))
        let a = rib.addPeer(RIBPeer(address: [10, 0, 0, 1], asn: 65001, routerID: 1, isInternal: false))
        let b = rib.addPeer(RIBPeer(address: [10, 0, 0, 2], asn: 65001, routerID: 2, isInternal: false))
        func update(_ nh: String) -> DecodeResult {
            .message(.update(UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65001])],
                                                                      nextHop: IPv4Address(nh)!), nlri: [IPv4Prefix("10.9.0.0/24")!])))
        }
        k.updateFIB(rib.apply(update("10.255.0.1"), from: a).bestChanged, rib: rib)
        let installed = try routes.list(table: 254, proto: 186)
        #expect(installed.count == 1 && installed.first?.metric == 20 && installed.first?.nextHops == [.via(KernelAddress("10.255.0.1")!)], "\(installed)")
        k.updateFIB(rib.apply(update("10.255.0.5"), from: b).bestChanged, rib: rib)
        #expect(try routes.list(table: 254, proto: 186).first?.nextHops.count == 2)
        _ = rib.originate(.ipv4(IPv4Prefix("10.0.1.100/32")!), attributes: PathAttributes(origin: .igp, asPath: []), nextHop: .opaque([]))
        k.updateFIB([.ipv4(IPv4Prefix("10.0.1.100/32")!)], rib: rib)
        #expect(try routes.list(table: 254, proto: 186).count == 1)  // our own VIP is not installed
        k.updateFIB(rib.clearPeer(a).bestChanged + rib.clearPeer(b).bestChanged, rib: rib)
        #expect(try routes.list(table: 254, proto: 186).isEmpty)
    }
}
