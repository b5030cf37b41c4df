import IPVSNetlink

/// The tables ipvs-vmcheck programs: a feature set that touches every
/// scheduler, forwarding method, family, protocol, fwmark and persistence,
/// the same set after edits, and the 1,000 × 10 benchmark table.
struct Table: Equatable {
    var entries: [(service: KernelVirtualService, dests: [KernelRealServer])]

    static func == (a: Table, b: Table) -> Bool { a.normalized == b.normalized }

    /// Keyed and sorted, without counters: what two tables agree on.
    var normalized: [String] {
        entries.map { entry in
            let s = entry.service.withoutStats
            let dests = entry.dests.map { describe($0.withoutStats) }.sorted()
            return ([describe(s)] + dests.map { "  " + $0 }).joined(separator: "\n")
        }.sorted()
    }

    var realServerCount: Int { entries.reduce(0) { $0 + $1.dests.count } }
}

func describe(_ s: KernelVirtualService) -> String {
    "service af=\(s.family) proto=\(s.proto) addr=\(text(s.address)) port=\(s.port) fwmark=\(s.fwmark) "
        + "sched=\(s.scheduler) flags=0x\(String(s.flags, radix: 16)) timeout=\(s.timeout) "
        + "netmask=0x\(String(s.netmask, radix: 16))"
}

func describe(_ d: KernelRealServer) -> String {
    "dest af=\(d.family) addr=\(text(d.address)) port=\(d.port) fwd=\(d.forwarding) weight=\(d.weight) "
        + "u=\(d.upperThreshold) l=\(d.lowerThreshold)"
}

func text(_ bytes: [UInt8]) -> String {
    if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
    var groups: [String] = []
    for i in stride(from: 0, to: bytes.count - 1, by: 2) {
        groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
    }
    return compressIPv6(groups)
}

/// RFC 5952 text: the longest run (two or more) of zero groups as "::".
func compressIPv6(_ groups: [String]) -> String {
    var best = (start: -1, length: 0)
    var i = 0
    while i < groups.count {
        if groups[i] == "0" {
            var j = i
            while j < groups.count && groups[j] == "0" { j += 1 }
            if j - i > best.length && j - i >= 2 { best = (i, j - i) }
            i = j
        } else {
            i += 1
        }
    }
    if best.start < 0 { return groups.joined(separator: ":") }
    let head = groups[..<best.start].joined(separator: ":")
    let tail = groups[(best.start + best.length)...].joined(separator: ":")
    return head + "::" + tail
}

func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> [UInt8] { [a, b, c, d] }

/// 2001:db8:X::Y
func v6(_ x: UInt16, _ y: UInt16) -> [UInt8] {
    var bytes: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, UInt8(x >> 8), UInt8(x & 0xff)]
    bytes += [UInt8](repeating: 0, count: 8)
    bytes += [UInt8(y >> 8), UInt8(y & 0xff)]
    return bytes
}

let inet = IPVSConstants.afInet
let inet6 = IPVSConstants.afInet6
let tcp = IPVSConstants.protoTCP
let udp = IPVSConstants.protoUDP
let sctp = IPVSConstants.protoSCTP
let masq = IPVSConstants.forwardMasq
let local = IPVSConstants.forwardLocal
let tunnel = IPVSConstants.forwardTunnel
let direct = IPVSConstants.forwardDirect

/// The address on the guest's dummy0 that the "local" real server uses
/// (scripts/vm/guest/ipvs-check.sh puts it on a dummy interface).
let localAddress = v4(10, 200, 0, 1)

enum TestSets {
    /// Every scheduler in `schedulers` on its own TCP service, with three
    /// real servers (NAT, direct, tunnel; weights 1, 2, 0; thresholds on
    /// one), then UDP with one-packet scheduling, persistence with a
    /// netmask, sh's flags, fwmark (IPv4 and IPv6), IPv6 TCP and UDP,
    /// SCTP, a local real server, and an IPv6 real server behind an IPv4
    /// service (tunnel only).
    static func features(schedulers: [String]) -> Table {
        var entries: [(KernelVirtualService, [KernelRealServer])] = []
        for (i, name) in schedulers.enumerated() {
            let n = UInt8(i + 1)
            let s = KernelVirtualService(family: inet, proto: tcp, address: v4(10, 0, 1, n), port: 80, scheduler: name)
            entries.append((s, [
                KernelRealServer(family: inet, address: v4(10, 1, n, 1), port: 8080, forwarding: masq, weight: 1),
                // direct routing and tunnel keep the virtual port (ipvsadm
                // makes it so; the kernel would store another)
                KernelRealServer(family: inet, address: v4(10, 1, n, 2), port: 80, forwarding: direct, weight: 2,
                                 upperThreshold: 100, lowerThreshold: 10),
                KernelRealServer(family: inet, address: v4(10, 1, n, 3), port: 80, forwarding: tunnel, weight: 0),
            ]))
        }
        entries.append((
            KernelVirtualService(family: inet, proto: udp, address: v4(10, 0, 2, 1), port: 53, scheduler: "rr",
                                 flags: IPVSConstants.svcOnePacket),
            [KernelRealServer(family: inet, address: v4(10, 2, 1, 1), port: 53, forwarding: direct, weight: 1),
             KernelRealServer(family: inet, address: v4(10, 2, 1, 2), port: 53, forwarding: direct, weight: 1)]))
        entries.append((
            KernelVirtualService(family: inet, proto: tcp, address: v4(10, 0, 2, 2), port: 443, scheduler: "wlc",
                                 flags: IPVSConstants.svcPersistent, timeout: 300,
                                 netmask: UInt32(bigEndian: 0xffff_ff00)),  // 255.255.255.0, network order
            [KernelRealServer(family: inet, address: v4(10, 2, 2, 1), port: 443, forwarding: tunnel, weight: 3),
             KernelRealServer(family: inet6, address: v6(2, 1), port: 443, forwarding: tunnel, weight: 4)]))
        entries.append((
            KernelVirtualService(family: inet, proto: tcp, address: v4(10, 0, 2, 3), port: 80, scheduler: "sh",
                                 flags: IPVSConstants.svcSched1 | IPVSConstants.svcSched2),
            [KernelRealServer(family: inet, address: v4(10, 2, 3, 1), port: 80, forwarding: masq, weight: 1)]))
        entries.append((
            KernelVirtualService.fwmark(7, family: inet, scheduler: "wrr"),
            [KernelRealServer(family: inet, address: v4(10, 2, 4, 1), port: 0, forwarding: direct, weight: 5),
             KernelRealServer(family: inet, address: v4(10, 2, 4, 2), port: 0, forwarding: direct, weight: 6)]))
        entries.append((
            KernelVirtualService.fwmark(8, family: inet6, scheduler: "rr", flags: IPVSConstants.svcPersistent,
                                        timeout: 120, netmask: 64),
            [KernelRealServer(family: inet6, address: v6(1, 5), port: 0, forwarding: direct, weight: 1)]))
        entries.append((
            KernelVirtualService(family: inet6, proto: tcp, address: v6(0, 0x10), port: 443, scheduler: "wlc",
                                 flags: IPVSConstants.svcPersistent, timeout: 600, netmask: 64),
            [KernelRealServer(family: inet6, address: v6(1, 1), port: 443, forwarding: masq, weight: 1),
             KernelRealServer(family: inet6, address: v6(1, 2), port: 443, forwarding: direct, weight: 2)]))
        entries.append((
            KernelVirtualService(family: inet6, proto: udp, address: v6(0, 0x11), port: 53, scheduler: "rr"),
            [KernelRealServer(family: inet6, address: v6(1, 3), port: 53, forwarding: tunnel, weight: 1)]))
        entries.append((
            KernelVirtualService(family: inet, proto: sctp, address: v4(10, 0, 2, 4), port: 3868, scheduler: "rr"),
            [KernelRealServer(family: inet, address: v4(10, 2, 5, 1), port: 3868, forwarding: masq, weight: 1)]))
        entries.append((
            KernelVirtualService(family: inet, proto: tcp, address: v4(10, 0, 2, 5), port: 80, scheduler: "rr"),
            [KernelRealServer(family: inet, address: localAddress, port: 80, forwarding: local, weight: 1),
             KernelRealServer(family: inet, address: v4(10, 2, 6, 1), port: 80, forwarding: masq, weight: 1)]))
        return Table(entries: entries)
    }

    /// `features` after edits of each kind: a scheduler, a weight, a
    /// forwarding method, thresholds, persistence off, a real server gone
    /// and one new, a service gone and one new.
    /// What ipvsadm makes of a table: it has no option for the local
    /// method, so the local real server is made with -g (direct).
    static func asIpvsadmMakesIt(_ table: Table) -> Table {
        var t = table
        for i in t.entries.indices {
            for j in t.entries[i].dests.indices where t.entries[i].dests[j].forwarding == local {
                t.entries[i].dests[j].forwarding = direct
            }
        }
        return t
    }

    static func edited(schedulers: [String]) -> Table {
        var t = features(schedulers: schedulers)
        // first scheduler service: another scheduler
        t.entries[0].service.scheduler = t.entries[0].service.scheduler == "wlc" ? "rr" : "wlc"
        // its first real server: a weight
        t.entries[0].dests[0].weight = 7
        // its second: NAT instead of direct routing, thresholds off
        t.entries[0].dests[1].forwarding = masq
        t.entries[0].dests[1].upperThreshold = 0
        t.entries[0].dests[1].lowerThreshold = 0
        // the second scheduler service: drop a real server, add another
        if t.entries.count > 1 {
            t.entries[1].dests.removeLast()
            t.entries[1].dests.append(KernelRealServer(family: inet, address: v4(10, 1, 250, 9), port: 80,
                                                       forwarding: tunnel, weight: 9))
        }
        for i in t.entries.indices {
            let s = t.entries[i].service
            if s.address == v4(10, 0, 2, 2) {  // persistence off
                t.entries[i].service.flags = 0
                t.entries[i].service.timeout = 0
                t.entries[i].service.netmask = 0xffff_ffff
            }
            if s.fwmark == 7 {  // a weight on a fwmark service
                t.entries[i].dests[0].weight = 50
            }
        }
        t.entries.removeAll { $0.service.family == inet6 && $0.service.proto == udp }
        t.entries.append((
            KernelVirtualService(family: inet, proto: tcp, address: v4(10, 0, 3, 1), port: 8000, scheduler: "lc"),
            [KernelRealServer(family: inet, address: v4(10, 3, 1, 1), port: 8000, forwarding: direct, weight: 1)]))
        return t
    }

    /// `services` TCP services with `dests` direct-routing real servers each.
    static func bench(services: Int, dests: Int) -> Table {
        var entries: [(KernelVirtualService, [KernelRealServer])] = []
        entries.reserveCapacity(services)
        for i in 0..<services {
            let s = KernelVirtualService(family: inet, proto: tcp, address: v4(10, 10, UInt8(i / 256), UInt8(i % 256)),
                                         port: 80, scheduler: "wlc")
            var ds: [KernelRealServer] = []
            for j in 0..<dests {
                let k = i * dests + j
                ds.append(KernelRealServer(family: inet, address: v4(10, UInt8(20 + k / 65536), UInt8(k / 256 % 256), UInt8(k % 256)),
                                           port: 80, forwarding: direct, weight: 1))
            }
            entries.append((s, ds))
        }
        return Table(entries: entries)
    }
}
