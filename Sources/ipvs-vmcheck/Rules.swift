import IPVSNetlink

/// The same table as `ipvsadm -R` input, written independently of the
/// netlink encoding (ipvsadm's own parser and libipvs then program it), so
/// that `ipvsadm -Sn` of both can be compared.
enum Rules {
    static func render(_ table: Table) -> String {
        var lines: [String] = []
        for (s, dests) in table.entries {
            let id = serviceOption(s)
            var line = "-A \(id) -s \(s.scheduler)"
            if s.flags & IPVSConstants.svcPersistent != 0 {
                line += " -p \(s.timeout)"
                if s.family == inet6 {
                    if s.netmask != 128 { line += " -M \(s.netmask)" }
                } else if s.netmask != 0xffff_ffff {
                    line += " -M \(text(withUnsafeBytes(of: s.netmask) { Array($0) }))"
                }
            }
            if s.flags & IPVSConstants.svcOnePacket != 0 { line += " -o" }
            let schedFlags = s.flags & (IPVSConstants.svcSched1 | IPVSConstants.svcSched2 | IPVSConstants.svcSched3)
            if schedFlags != 0 {
                var names: [String] = []
                if s.flags & IPVSConstants.svcSched1 != 0 { names.append("flag-1") }
                if s.flags & IPVSConstants.svcSched2 != 0 { names.append("flag-2") }
                if s.flags & IPVSConstants.svcSched3 != 0 { names.append("flag-3") }
                line += " -b " + names.joined(separator: ",")
            }
            lines.append(line)
            for d in dests {
                var r = "-a \(id) -r \(endpoint(d.family, d.address, d.port)) \(forwarding(d.forwarding)) -w \(d.weight)"
                if d.upperThreshold != 0 { r += " -x \(d.upperThreshold)" }
                if d.lowerThreshold != 0 { r += " -y \(d.lowerThreshold)" }
                lines.append(r)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func serviceOption(_ s: KernelVirtualService) -> String {
        if s.fwmark != 0 { return "-f \(s.fwmark)" + (s.family == inet6 ? " -6" : "") }
        let flag: String
        switch s.proto {
        case udp: flag = "-u"
        case sctp: flag = "--sctp-service"
        default: flag = "-t"
        }
        return "\(flag) \(endpoint(s.family, s.address, s.port))"
    }

    static func endpoint(_ family: UInt16, _ address: [UInt8], _ port: UInt16) -> String {
        family == inet6 ? "[\(text(address))]:\(port)" : "\(text(address)):\(port)"
    }

    static func forwarding(_ f: UInt32) -> String {
        switch f {
        case masq: return "-m"
        case tunnel: return "-i"
        default: return "-g"  // direct; ipvsadm has no option for local (the kernel decides)
        }
    }
}
