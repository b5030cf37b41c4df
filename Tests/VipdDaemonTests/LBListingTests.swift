import BGPCodec
import Foundation
import IPVS
import IPVSNetlink
import Testing
@testable import vipd

/// `lb show --json` as interfaces.md pins it, read back with Foundation's
/// parser: keys, order, health words, and the optional fields.
@Suite struct LBListingTests {
    let web = IPVSServiceKey.address(.tcp, IPVSAddress("192.168.113.200")!, port: 8443)
    let v6 = IPVSServiceKey.address(.udp, IPVSAddress("2001:db8::10")!, port: 53)
    let mark = IPVSServiceKey.fwmark(7, family: .ipv4)

    /// The table as `IPVSBridge.list` gives it, from the recording twin.
    func listed(_ t: IPVSTableState, _ c: IPVSCounters) -> [IPVSBridge.ListedService] {
        t.sortedServices.map { s in
            IPVSBridge.ListedService(service: s.service, stats: nil,
                                     backends: s.sortedDestinations.map { ($0, c.destination($0.key, of: s.service.key)) })
        }
    }

    func table() -> (IPVSTableState, IPVSCounters) {
        let b22 = IPVSDestination(address: IPVSAddress("192.168.113.22")!, port: 8443, forwarding: .droute, weight: 3)
        let b23 = IPVSDestination(address: IPVSAddress("192.168.113.23")!, port: 8443, forwarding: .droute, weight: 0)
        let n6 = IPVSDestination(address: IPVSAddress("2001:db8::22")!, port: 53, forwarding: .masq)
        let tun = IPVSDestination(address: IPVSAddress("10.0.0.9")!, port: 0, forwarding: .tunnel)
        let table = IPVSTableState([
            IPVSServiceState(service: IPVSService(key: web, scheduler: "wlc", persistence: 300), destinations: [b23, b22]),
            IPVSServiceState(service: IPVSService(key: v6, scheduler: "rr"), destinations: [n6]),
            IPVSServiceState(service: IPVSService(key: mark, scheduler: "sh"), destinations: [tun]),
        ])
        var counters = IPVSCounters()
        counters.destinations[web] = [b22.key: IPVSDestinationCounters(
            activeConns: 4, inactiveConns: 5, stats: IPVSStats(conns: UInt64.max, inPackets: 1, outPackets: 2, inBytes: 3, outBytes: 4))]
        return (table, counters)
    }

    func list(stats: Bool) throws -> [[String: Any]] {
        let (t, c) = table()
        let bytes = LBListing.json(listed(t, c), owned: [web, mark], stats: stats,
                                   health: { id, managed in managed ? (id.destination.port == 8443 ? "up" : "unchecked") : "unmanaged" },
                                   overridden: { $0.destination.address == IPVSAddress("192.168.113.22")! })
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("\n"))  // one line: the control protocol's framing
        return try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
    }

    @Test func servicesAndBackends() throws {
        let rows = try list(stats: false)
        #expect(rows.count == 3)
        let w = rows[0]
        #expect(w["vip"] as? String == "192.168.113.200")
        #expect(w["port"] as? Int == 8443)
        #expect(w["fwmark"] is NSNull)
        #expect(w["protocol"] as? String == "tcp")
        #expect(w["scheduler"] as? String == "wlc")
        #expect(w["managed"] as? Bool == true)
        #expect(w["persistence"] as? Int == 300)
        let backends = try #require(w["backends"] as? [[String: Any]])
        #expect(backends.map { $0["address"] as? String } == ["192.168.113.22", "192.168.113.23"])
        #expect(backends.map { $0["weight"] as? Int } == [3, 0])
        #expect(backends[0]["forwarding"] as? String == "direct")
        #expect(backends[0]["health"] as? String == "up")
        #expect(backends[0]["active_conns"] as? Int == 4)
        #expect(backends[0]["inactive_conns"] as? Int == 5)
        #expect(backends[0]["override"] as? Bool == true)
        #expect(backends[1]["override"] == nil)
        #expect(backends[0]["conns"] == nil)

        #expect(rows[1]["managed"] as? Bool == false)
        #expect(rows[1]["persistence"] == nil)
        let b6 = try #require((rows[1]["backends"] as? [[String: Any]])?.first)
        #expect(b6["address"] as? String == "2001:db8::22")
        #expect(b6["forwarding"] as? String == "nat")
        #expect(b6["health"] as? String == "unmanaged")

        #expect(rows[2]["vip"] is NSNull && rows[2]["port"] is NSNull && rows[2]["protocol"] is NSNull)
        #expect(rows[2]["fwmark"] as? Int == 7)
        let bt = try #require((rows[2]["backends"] as? [[String: Any]])?.first)
        #expect(bt["forwarding"] as? String == "tunnel")
        #expect(bt["health"] as? String == "unchecked")
    }

    /// --stats adds the five counters; 64-bit counters keep every digit.
    @Test func statsCounters() throws {
        let (t, c) = table()
        let text = String(decoding: LBListing.json(listed(t, c), owned: [], stats: true, health: { _, _ in "unmanaged" }, overridden: { _ in false }),
                          as: UTF8.self)
        #expect(text.contains(#""conns": 18446744073709551615, "in_packets": 1, "out_packets": 2, "in_bytes": 3, "out_bytes": 4"#))
        let rows = try list(stats: true)
        let b = try #require((rows[0]["backends"] as? [[String: Any]])?.first)
        #expect(b["in_bytes"] as? Int == 3)
        let empty = String(decoding: LBListing.json([], owned: [], stats: false,
                                                    health: { _, _ in "" }, overridden: { _ in false }), as: UTF8.self)
        #expect(empty == "[]")
    }

    /// `IPVSBridge.list` reads the kernel (here its twin, filled in reverse
    /// order) into the model's order, and `read` is the same table.
    @Test func listIsTheModelsOrder() throws {
        let (t, _) = table()
        let kernel = RecordingIPVS()
        for s in t.sortedServices.reversed() {
            try kernel.addService(IPVSBridge.kernel(s.service))
            for d in s.sortedDestinations.reversed() { try kernel.addRealServer(IPVSBridge.kernel(d), to: IPVSBridge.kernel(s.service.key)) }
        }
        let list = try IPVSBridge.list(kernel)
        #expect(list.map(\.service.key) == [web, v6, mark])
        #expect(list.map { $0.backends.map(\.destination) } == t.sortedServices.map(\.sortedDestinations))
        #expect(try IPVSBridge.read(kernel).table == t)
    }
}
