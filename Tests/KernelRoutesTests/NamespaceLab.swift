import KernelRoutes

/// The lab inside a fresh namespace: lo up, and a veth pair v0/v1, both up,
/// with 10.1.1.1/24 and fd00:255::1/64 on v0 (gateways 10.1.1.x and
/// fd00:255::x are then on link).
struct NamespaceLab {
    let routes: LinuxRouteTable
    let addresses: LinuxAddressTable
    let links: LinuxLinkTable
    let lo: UInt32
    let v0: UInt32

    init() throws {
        links = try LinuxLinkTable()
        routes = try LinuxRouteTable()
        addresses = try LinuxAddressTable()
        try links.setUp(named: "lo")
        try links.addVethPair("v0", peer: "v1")
        try links.setUp(named: "v0")
        try links.setUp(named: "v1")
        lo = try addresses.interfaceIndex(named: "lo")
        v0 = try addresses.interfaceIndex(named: "v0")
        try addresses.add(InterfaceAddress(address: a("10.1.1.1"), prefixLength: 24, interfaceIndex: v0))
        try addresses.add(InterfaceAddress(address: a("fd00:255::1"), prefixLength: 64, interfaceIndex: v0,
                                           flags: [.noDAD]))
    }
}
