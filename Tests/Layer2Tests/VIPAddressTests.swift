import KernelRoutes
import TestSupport
import Testing

/// ARP-mode VIPs go on a real interface (not lo) through KernelRoutes'
/// LinuxAddressTable: /32 and /128, marked with IFA_PROTO 248, and for IPv6
/// nodad so the address is usable at once instead of tentative for DAD's
/// second, which would delay the takeover (an NA for a tentative address
/// would be answering for an address the kernel does not yet accept).
@Suite(.enabled(if: isRoot, "needs root: network namespaces"))
struct VIPAddressTests {
    struct Seen: Sendable {
        var v0: UInt32 = 0
        var rightAfterAdd: [InterfaceAddress] = []
        var later: [InterfaceAddress] = []
    }

    @Test func noDADMakesTheIPv6VIPUsableAtOnce() throws {
        let seen = try inFreshNetworkNamespace { () throws -> Seen in
            let links = try LinuxLinkTable()
            let addresses = try LinuxAddressTable()
            try links.addVethPair("v0", peer: "v1")
            try links.setUp(named: "v0")
            try links.setUp(named: "v1")  // carrier on v0: DAD runs there
            let v0 = try addresses.interfaceIndex(named: "v0")
            var seen = Seen(v0: v0)
            try addresses.add(.vip(k("10.9.0.100"), interfaceIndex: v0, proto: 248))
            try addresses.add(.vip(k("fd00:9::100"), interfaceIndex: v0, proto: 248))
            try addresses.add(InterfaceAddress(address: k("fd00:9::200"), interfaceIndex: v0, flags: [], proto: 248))
            seen.rightAfterAdd = try addresses.list(interfaceIndex: v0)
            // DAD (one probe, 1 s) then clears the other one's tentative flag.
            seen.later = try poll(for: 4, { try addresses.list(interfaceIndex: v0) }, until: { list in
                list.first { $0.address == k("fd00:9::200") }.map { !$0.flags.contains(.tentative) } == true
            })
            return seen
        }
        func find(_ list: [InterfaceAddress], _ text: String) -> InterfaceAddress? {
            list.first { $0.address == k(text) }
        }
        let v4 = find(seen.rightAfterAdd, "10.9.0.100")
        let noDAD = find(seen.rightAfterAdd, "fd00:9::100")
        let withDAD = find(seen.rightAfterAdd, "fd00:9::200")
        #expect(v4?.prefixLength == 32 && v4?.proto == 248 && v4?.interfaceIndex == seen.v0, "\(seen.rightAfterAdd)")
        #expect(noDAD?.prefixLength == 128 && noDAD?.proto == 248, "\(seen.rightAfterAdd)")
        #expect(noDAD?.flags.contains(.noDAD) == true, "\(seen.rightAfterAdd)")
        #expect(noDAD?.flags.contains(.tentative) == false, "\(seen.rightAfterAdd)")
        #expect(withDAD?.prefixLength == 128 && withDAD?.proto == 248, "\(seen.rightAfterAdd)")
        #expect(withDAD?.flags.contains(.tentative) == true, "\(seen.rightAfterAdd)")
        #expect(find(seen.later, "fd00:9::200")?.flags.contains(.tentative) == false, "\(seen.later)")
    }
}
