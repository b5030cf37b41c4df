import BGPCodec
import VipdConfig
#if canImport(Glibc)
import Glibc
#endif

/// The host facts the config's defaults need (the pure config module reads
/// nothing from the system): host name, default-route interface, and its
/// first IPv4 address.
enum HostLookup {
    static func facts() -> HostFacts {
        HostFacts(hostName: hostName(), defaultRouteInterface: defaultInterface(),
                  defaultRouteIPv4: defaultInterface().flatMap(firstIPv4),
                  localAddresses: Set(addresses().compactMap { a in a.v4.map { .v4($0) } ?? a.v6.map { .v6($0) } }))
    }

    static func hostName() -> String? {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return nil }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// /proc/net/route: the interface of the 00000000 destination.
    static func defaultInterface() -> String? {
        guard let text = readFile("/proc/net/route") else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.count > 2 && f[1] == "00000000" { return String(f[0]) }
        }
        return nil
    }

    static func firstIPv4(_ interface: String) -> IPv4Address? {
        addresses().first { $0.interface == interface && $0.v4 != nil }?.v4
    }

    struct InterfaceAddress {
        var interface: String
        var v4: IPv4Address?
        var v6: IPv6Address?
    }

    static func addresses() -> [InterfaceAddress] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return [] }
        defer { freeifaddrs(head) }
        var out: [InterfaceAddress] = []
        var p = head
        while let ifa = p {
            defer { p = ifa.pointee.ifa_next }
            guard let sa = ifa.pointee.ifa_addr else { continue }
            let name = String(cString: ifa.pointee.ifa_name)
            if sa.pointee.sa_family == sa_family_t(AF_INET) {
                let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                out.append(InterfaceAddress(interface: name, v4: IPv4Address(UInt32(bigEndian: a)), v6: nil))
            } else if sa.pointee.sa_family == sa_family_t(AF_INET6) {
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                    withUnsafeBytes(of: s.pointee.sin6_addr) { Array($0) }
                }
                var h: UInt64 = 0, l: UInt64 = 0
                for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
                for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
                out.append(InterfaceAddress(interface: name, v4: nil, v6: IPv6Address(high: h, low: l)))
            }
        }
        return out
    }

    /// The link-local address on the interface that holds `global`, for an
    /// IPv6 next hop (RFC 2545 §3).
    static func linkLocal(besides global: IPv6Address) -> IPv6Address? {
        let all = addresses()
        guard let iface = all.first(where: { $0.v6 == global })?.interface else { return nil }
        return all.first { $0.interface == iface && $0.v6?.isLinkLocal == true }?.v6
    }

    static func readFile(_ path: String) -> String? {
        FileIO.readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
