import BGPCodec

/// Traffic counters of a service or a real server (the kernel's stats64).
public struct IPVSStats: Hashable, Sendable {
    public var conns: UInt64
    public var inPackets: UInt64
    public var outPackets: UInt64
    public var inBytes: UInt64
    public var outBytes: UInt64

    public init(conns: UInt64 = 0, inPackets: UInt64 = 0, outPackets: UInt64 = 0, inBytes: UInt64 = 0,
                outBytes: UInt64 = 0) {
        self.conns = conns
        self.inPackets = inPackets
        self.outPackets = outPackets
        self.inBytes = inBytes
        self.outBytes = outBytes
    }
}

/// What the kernel counts for one real server.
public struct IPVSDestinationCounters: Hashable, Sendable {
    public var activeConns: UInt32
    public var inactiveConns: UInt32
    public var stats: IPVSStats

    public init(activeConns: UInt32 = 0, inactiveConns: UInt32 = 0, stats: IPVSStats = IPVSStats()) {
        self.activeConns = activeConns
        self.inactiveConns = inactiveConns
        self.stats = stats
    }
}

/// The counters of a whole table; what is missing counts as zero.
public struct IPVSCounters: Hashable, Sendable {
    public var services: [IPVSServiceKey: IPVSStats]
    public var destinations: [IPVSServiceKey: [IPVSDestinationKey: IPVSDestinationCounters]]

    public init(services: [IPVSServiceKey: IPVSStats] = [:],
                destinations: [IPVSServiceKey: [IPVSDestinationKey: IPVSDestinationCounters]] = [:]) {
        self.services = services
        self.destinations = destinations
    }

    public func destination(_ d: IPVSDestinationKey, of s: IPVSServiceKey) -> IPVSDestinationCounters {
        destinations[s]?[d] ?? IPVSDestinationCounters()
    }
}

/// ipvsadm 1.31's text layouts, numeric (`-n`), so that `vipctl lb show`
/// reads like `ipvsadm -Ln` and vipd's table can be compared with
/// `ipvsadm -Sn` line for line.
///
/// The order is ipvsadm's: its comparison subtracts 32-bit values and takes
/// the sign of the wrapped difference (so 192.168.0.1 sorts before
/// 10.0.0.1), reproduced here, with a top-down merge sort like glibc's
/// qsort. Sorts could differ only where the wrapped comparison is not a
/// consistent order (10.x, 100.x and 192.x together form a cycle); then
/// compare sets of lines, not their order.
public enum IPVSAdmText {
    /// `ipvsadm -Ln`: the version line, the two title lines, a line per
    /// service and per real server (with ipvsadm's trailing padding).
    public static func list(_ table: IPVSTableState, counters: IPVSCounters = IPVSCounters(),
                            version: String = "1.2.1", size: Int = 4096) -> String {
        var out = "IP Virtual Server version \(version) (size=\(size))\n"
        out += "Prot LocalAddress:Port Scheduler Flags\n"
        out += "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        // A table of 10,000 real servers is listed as bytes: a String per
        // column was most of `vipctl lb show`'s time in vipd.
        var bytes = Array(out.utf8)
        bytes.reserveCapacity(bytes.count + table.services.count * 60 + table.services.values.reduce(0) { $0 + $1.destinations.count } * 72)
        for entry in ipvsadmOrder(table) {
            let s = entry.service
            var line = listName(s.key) + " " + s.scheduler
            if s.persistence > 0 {
                line += " persistent \(s.persistence)"
                if let mask = maskText(s) { line += " mask \(mask)" }
            }
            bytes += line.utf8
            bytes.append(UInt8(ascii: "\n"))
            for d in ipvsadmOrder(entry.destinations.values) {
                let c = counters.destination(d.key, of: s.key)
                bytes += "  -> ".utf8
                let start = bytes.count
                writeAddressPort(d.address, d.port, into: &bytes)
                padBytes(&bytes, from: start, to: 28)
                bytes.append(UInt8(ascii: " "))
                let forward = bytes.count
                bytes += forwardName(d.forwarding).utf8
                padBytes(&bytes, from: forward, to: 7)
                number(Int64(d.weight), 6, into: &bytes)
                number(Int64(c.activeConns), 10, into: &bytes)
                number(Int64(c.inactiveConns), 10, into: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Spaces after the text from `start` up to `width` bytes, as `pad`.
    private static func padBytes(_ bytes: inout [UInt8], from start: Int, to width: Int) {
        let n = bytes.count - start
        if n < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: width - n)) }
    }

    /// A space, then `n` padded to `width`, as `" " + pad(String(n), width)`.
    private static func number(_ n: Int64, _ width: Int, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: " "))
        let at = bytes.count
        bytes += String(n).utf8 // a small string: no allocation
        padBytes(&bytes, from: at, to: width)
    }

    /// `addressPort`, written as bytes: an IPv4 address and a port each
    /// fit a small string, which is not allocated; "a.b.c.d:port" may not.
    private static func writeAddressPort(_ a: IPVSAddress, _ port: UInt16, into bytes: inout [UInt8]) {
        guard case .v4(let x) = a else {
            bytes += addressPort(a, port).utf8
            return
        }
        bytes += x.description.utf8
        bytes.append(UInt8(ascii: ":"))
        bytes += String(port).utf8
    }

    /// `ipvsadm -Ln --stats` (with `exact`, `--exact`: no K/M/G/T scaling).
    public static func listStats(_ table: IPVSTableState, counters: IPVSCounters = IPVSCounters(),
                                 version: String = "1.2.1", size: Int = 4096, exact: Bool = false) -> String {
        var out = "IP Virtual Server version \(version) (size=\(size))\n"
        out += pad("Prot LocalAddress:Port", 33)
        for title in ["Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"] { out += " " + padLeft(title, 8) }
        out += "\n  -> RemoteAddress:Port\n"
        func numbers(_ st: IPVSStats) -> String {
            [st.conns, st.inPackets, st.outPackets, st.inBytes, st.outBytes].map { largeNumber($0, exact: exact) }
                .joined()
        }
        for entry in ipvsadmOrder(table) {
            let key = entry.service.key
            out += pad(listName(key), 33) + numbers(counters.services[key] ?? IPVSStats()) + "\n"
            for d in ipvsadmOrder(entry.destinations.values) {
                out += "  -> " + pad(addressPort(d.address, d.port), 28)
                    + numbers(counters.destination(d.key, of: key).stats) + "\n"
            }
        }
        return out
    }

    /// `ipvsadm -Sn`: `-A` a service, `-a` a real server, in ipvsadm's order.
    /// A tunnel real server ends in `--tun-type ipip` when the kernel reports
    /// the tunnel type (Linux 5.2 and later), as ipvsadm 1.31 then prints.
    public static func save(_ table: IPVSTableState, kernelReportsTunnelType: Bool = true) -> String {
        var out = ""
        for entry in ipvsadmOrder(table) {
            let s = entry.service
            let name = saveName(s.key)
            var line = "-A \(name) -s \(s.scheduler)"
            if s.persistence > 0 {
                line += " -p \(s.persistence)"
                if let mask = maskText(s) { line += " -M \(mask)" }
            }
            out += line + "\n"
            for d in ipvsadmOrder(entry.destinations.values) {
                out += "-a \(name) -r \(addressPort(d.address, d.port)) \(forwardSwitch(d.forwarding)) -w \(d.weight)"
                if d.forwarding == .tunnel && kernelReportsTunnelType { out += " --tun-type ipip" }
                out += "\n"
            }
        }
        return out
    }

    // MARK: - names

    /// "TCP  192.168.113.200:8443", "SCTP 10.0.0.1:80", "FWM  7", "FWM  7 IPv6".
    static func listName(_ key: IPVSServiceKey) -> String {
        switch key {
        case .address(let p, let a, let port):
            return pad(p.description.uppercased(), 4) + " " + addressPort(a, port)
        case .fwmark(let m, let f):
            return f == .ipv6 ? "FWM  \(m) IPv6" : "FWM  \(m)"
        }
    }

    /// "-t 192.168.113.200:8443", "-u ...", "--sctp-service ...", "-f 7", "-f 7 -6".
    static func saveName(_ key: IPVSServiceKey) -> String {
        switch key {
        case .address(let p, let a, let port):
            let option: String
            switch p {
            case .tcp: option = "-t"
            case .udp: option = "-u"
            case .sctp: option = "--sctp-service"
            }
            return option + " " + addressPort(a, port)
        case .fwmark(let m, let f):
            return f == .ipv6 ? "-f \(m) -6" : "-f \(m)"
        }
    }

    /// The persistence netmask when it is not the full length: dotted for
    /// IPv4, a prefix length for IPv6.
    static func maskText(_ s: IPVSService) -> String? {
        let family = s.key.ipvsFamily
        guard s.netmaskPrefixLength != family.fullPrefixLength else { return nil }
        switch family {
        case .ipv4:
            let n = UInt32(min(s.netmaskPrefixLength, 32))
            return IPv4Address(n == 0 ? 0 : ~UInt32(0) << (32 - n)).description
        case .ipv6:
            return String(s.netmaskPrefixLength)
        }
    }

    static func forwardName(_ f: IPVSForwarding) -> String {
        switch f {
        case .masq: return "Masq"
        case .local: return "Local"
        case .tunnel: return "Tunnel"
        case .droute: return "Route"
        }
    }

    /// ipvsadm saves a local-node real server as `-g`, as it does.
    static func forwardSwitch(_ f: IPVSForwarding) -> String {
        switch f {
        case .masq: return "-m"
        case .tunnel: return "-i"
        case .local, .droute: return "-g"
        }
    }

    /// `a.b.c.d:port` or `[v6]:port`, the IPv6 text as glibc's inet_ntop
    /// writes it.
    static func addressPort(_ a: IPVSAddress, _ port: UInt16) -> String {
        switch a {
        case .v4(let x): return "\(x):\(port)"
        case .v6(let x): return "[\(inetNtop(x))]:\(port)"
        }
    }

    /// glibc's inet_ntop for IPv6: RFC 5952 compression, and a dotted tail
    /// for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d)
    /// addresses.
    static func inetNtop(_ a: IPv6Address) -> String {
        let g = a.groups
        if a.high == 0 && a.low >> 32 == 0 && g[6] != 0 {
            return "::" + IPv4Address(UInt32(truncatingIfNeeded: a.low)).description
        }
        return a.description
    }

    /// print_largenum: 9 columns, scaled to K/M/G/T past 8 digits; with
    /// `exact` the whole number with a space before it.
    static func largeNumber(_ i: UInt64, exact: Bool) -> String {
        if exact {
            let digits = String(i)
            return padLeft(digits, digits.count <= 8 ? 9 : digits.count + 1)
        }
        if i < 100_000_000 { return padLeft(String(i), 9) }
        if i < 1_000_000_000 { return padLeft(String(i / 1000), 8) + "K" }
        if i < 100_000_000_000 { return padLeft(String(i / 1_000_000), 8) + "M" }
        if i < 100_000_000_000_000 { return padLeft(String(i / 1_000_000_000), 8) + "G" }
        return padLeft(String(i / 1_000_000_000_000), 8) + "T"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func padLeft(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    // MARK: - ipvsadm's order

    /// The sign of a 32-bit difference as C's `int` sees it.
    private static func wrapped(_ a: UInt32, _ b: UInt32) -> Int { Int(Int32(bitPattern: a &- b)) }

    private static func words(_ a: IPVSAddress) -> [UInt32] {
        switch a {
        case .v4(let x): return [x.value]
        case .v6(let x):
            return [UInt32(x.high >> 32), UInt32(truncatingIfNeeded: x.high),
                    UInt32(x.low >> 32), UInt32(truncatingIfNeeded: x.low)]
        }
    }

    /// libipvs' address comparison: word by word for IPv6, each a wrapped
    /// difference.
    private static func compareAddresses(_ a: IPVSAddress, _ b: IPVSAddress) -> Int {
        let x = words(a), y = words(b)
        if x.count == 4 && y.count == 4 {
            for i in 0..<4 {
                let r = wrapped(x[i], y[i])
                if r != 0 { return r }
            }
            return 0
        }
        return wrapped(x[0], y[0])
    }

    /// ipvs_cmp_services: mark, family, protocol, address, port.
    static func compareServices(_ a: IPVSServiceKey, _ b: IPVSServiceKey) -> Int {
        var r = wrapped(a.fwmark, b.fwmark)
        if r != 0 { return r }
        r = Int(a.family) - Int(b.family)
        if r != 0 { return r }
        r = Int(a.protocolNumber) - Int(b.protocolNumber)
        if r != 0 { return r }
        if case .address(_, let x, _) = a, case .address(_, let y, _) = b {
            r = compareAddresses(x, y)
            if r != 0 { return r }
        }
        return Int(a.port) - Int(b.port)
    }

    /// ipvs_cmp_dests: address, then port.
    static func compareDestinations(_ a: IPVSDestination, _ b: IPVSDestination) -> Int {
        let r = compareAddresses(a.address, b.address)
        return r != 0 ? r : Int(a.port) - Int(b.port)
    }

    static func ipvsadmOrder(_ table: IPVSTableState) -> [IPVSServiceState] {
        // Start from key order so the result does not depend on hashing.
        mergeSort(table.sortedServices) { compareServices($0.service.key, $1.service.key) }
    }

    static func ipvsadmOrder(_ destinations: some Collection<IPVSDestination>) -> [IPVSDestination] {
        mergeSort(destinations.sorted { $0.key < $1.key }, compareDestinations)
    }

    /// glibc's msort: halves of n/2 and n - n/2, merged taking the left one
    /// while cmp(left, right) <= 0.
    static func mergeSort<T>(_ items: [T], _ cmp: (T, T) -> Int) -> [T] {
        guard items.count > 1 else { return items }
        let n1 = items.count / 2
        let left = mergeSort(Array(items[..<n1]), cmp), right = mergeSort(Array(items[n1...]), cmp)
        var out: [T] = []
        out.reserveCapacity(items.count)
        var i = 0, j = 0
        while i < left.count && j < right.count {
            if cmp(left[i], right[j]) <= 0 {
                out.append(left[i]); i += 1
            } else {
                out.append(right[j]); j += 1
            }
        }
        out.append(contentsOf: left[i...])
        out.append(contentsOf: right[j...])
        return out
    }
}
