import IPVS
/// The "IPVS" generic netlink family's requests and answers, as bytes
/// (linux/ip_vs.h). Pure: NetlinkIPVS sends what this writes and hands
/// what it receives here.

/// Command and attribute numbers of linux/ip_vs.h.
enum IPVSAttr {
    // commands
    static let cmdNewService: UInt8 = 1
    static let cmdSetService: UInt8 = 2
    static let cmdDelService: UInt8 = 3
    static let cmdGetService: UInt8 = 4
    static let cmdNewDest: UInt8 = 5
    static let cmdSetDest: UInt8 = 6
    static let cmdDelDest: UInt8 = 7
    static let cmdGetDest: UInt8 = 8
    static let cmdFlush: UInt8 = 17

    // IPVS_CMD_ATTR_*
    static let cmdService: UInt16 = 1
    static let cmdDest: UInt16 = 2

    // IPVS_SVC_ATTR_*
    static let svcAF: UInt16 = 1
    static let svcProtocol: UInt16 = 2
    static let svcAddr: UInt16 = 3
    static let svcPort: UInt16 = 4
    static let svcFwmark: UInt16 = 5
    static let svcSchedName: UInt16 = 6
    static let svcFlags: UInt16 = 7
    static let svcTimeout: UInt16 = 8
    static let svcNetmask: UInt16 = 9
    static let svcStats: UInt16 = 10
    static let svcPEName: UInt16 = 11
    static let svcStats64: UInt16 = 12

    // IPVS_DEST_ATTR_*
    static let destAddr: UInt16 = 1
    static let destPort: UInt16 = 2
    static let destFwdMethod: UInt16 = 3
    static let destWeight: UInt16 = 4
    static let destUThresh: UInt16 = 5
    static let destLThresh: UInt16 = 6
    static let destActiveConns: UInt16 = 7
    static let destInactConns: UInt16 = 8
    static let destPersistConns: UInt16 = 9
    static let destStats: UInt16 = 10
    static let destAddrFamily: UInt16 = 11
    static let destStats64: UInt16 = 12

    // IPVS_STATS_ATTR_*
    static let statsConns: UInt16 = 1
    static let statsInPkts: UInt16 = 2
    static let statsOutPkts: UInt16 = 3
    static let statsInBytes: UInt16 = 4
    static let statsOutBytes: UInt16 = 5
}

/// Writes IPVS requests into a NetlinkWriter.
struct IPVSRequestWriter {
    let writer = NetlinkWriter(capacity: 64 * 1024)
    let family: UInt16
    /// The identity nest of the last real-server request's service, where
    /// it sits in the buffer: the next request for the same service copies
    /// it instead of encoding it again.
    private let lastIdentity = IdentityNest()

    private final class IdentityNest {
        var key: KernelServiceKey?
        var generation = -1
        var start = 0
        var length = 0
    }

    init(family: UInt16) { self.family = family }

    /// A change request (add, edit, delete). With `ack` the kernel answers
    /// whether it worked; without, it answers only a failure (netlink
    /// always reports an error), which is how a batch asks for its
    /// acknowledgement only once, on its last request.
    func change(_ change: IPVSChange, sequence: UInt32, ack: Bool = true) {
        let flags = ack ? Netlink.flagRequest | Netlink.flagAck : Netlink.flagRequest
        switch change {
        case .addService(let s): service(IPVSAttr.cmdNewService, s, full: true, flags, sequence)
        case .editService(let s): service(IPVSAttr.cmdSetService, s, full: true, flags, sequence)
        case .deleteService(let s): service(IPVSAttr.cmdDelService, s, full: false, flags, sequence)
        case .addRealServer(let d, let s): dest(IPVSAttr.cmdNewDest, d, s, full: true, flags, sequence)
        case .editRealServer(let d, let s): dest(IPVSAttr.cmdSetDest, d, s, full: true, flags, sequence)
        case .deleteRealServer(let d, let s): dest(IPVSAttr.cmdDelDest, d, s, full: false, flags, sequence)
        }
    }

    func flush(sequence: UInt32) {
        begin(IPVSAttr.cmdFlush, Netlink.flagRequest | Netlink.flagAck, sequence)
        writer.endMessage()
    }

    /// GET_SERVICE as a dump: every service.
    func dumpServices(sequence: UInt32) {
        begin(IPVSAttr.cmdGetService, Netlink.flagRequest | Netlink.flagDump, sequence)
        writer.endMessage()
    }

    /// GET_DEST as a dump: the real servers of one service.
    func dumpRealServers(of s: KernelVirtualService, sequence: UInt32) {
        begin(IPVSAttr.cmdGetDest, Netlink.flagRequest | Netlink.flagDump, sequence)
        serviceNest(s, full: false)
        writer.endMessage()
    }

    private func begin(_ command: UInt8, _ flags: UInt16, _ sequence: UInt32) {
        writer.beginMessage(family: family, flags: flags, sequence: sequence, command: command,
                            version: IPVSConstants.genlVersion)
    }

    private func service(_ command: UInt8, _ s: KernelVirtualService, full: Bool, _ flags: UInt16, _ sequence: UInt32) {
        begin(command, flags, sequence)
        serviceNest(s, full: full)
        writer.endMessage()
    }

    private func dest(_ command: UInt8, _ d: KernelRealServer, _ s: KernelVirtualService, full: Bool,
                      _ flags: UInt16, _ sequence: UInt32) {
        begin(command, flags, sequence)
        let key = s.key
        if lastIdentity.generation == writer.generation, lastIdentity.key == key {
            writer.repeatBytes(from: lastIdentity.start, length: lastIdentity.length)
        } else {
            let start = writer.count
            serviceNest(s, full: false)
            lastIdentity.key = key
            lastIdentity.generation = writer.generation
            lastIdentity.start = start
            lastIdentity.length = writer.count - start
        }
        writer.beginNest(IPVSAttr.cmdDest)
        writer.put(IPVSAttr.destAddrFamily, u16: d.family)
        writer.put(IPVSAttr.destAddr, bytes: d.address)
        writer.put(IPVSAttr.destPort, be16: d.port)
        if full {
            writer.put(IPVSAttr.destFwdMethod, u32: d.forwarding & IPVSConstants.forwardMask)
            writer.put(IPVSAttr.destWeight, u32: UInt32(bitPattern: d.weight))
            writer.put(IPVSAttr.destUThresh, u32: d.upperThreshold)
            writer.put(IPVSAttr.destLThresh, u32: d.lowerThreshold)
        }
        writer.endNest()
        writer.endMessage()
    }

    /// IPVS_CMD_ATTR_SERVICE: the identity (family and mark, or family,
    /// protocol, address and port) and, for add and edit, the settings the
    /// kernel requires of a full entry: scheduler, flags, timeout, netmask.
    private func serviceNest(_ s: KernelVirtualService, full: Bool) {
        writer.beginNest(IPVSAttr.cmdService)
        writer.put(IPVSAttr.svcAF, u16: s.family)
        if s.fwmark != 0 {
            writer.put(IPVSAttr.svcFwmark, u32: s.fwmark)
        } else {
            writer.put(IPVSAttr.svcProtocol, u16: s.proto)
            writer.put(IPVSAttr.svcAddr, bytes: s.address)
            writer.put(IPVSAttr.svcPort, be16: s.port)
        }
        if full {
            writer.put(IPVSAttr.svcSchedName, string: s.scheduler)
            // struct ip_vs_flags { flags; mask }: every bit is ours to set
            writer.put(IPVSAttr.svcFlags, u64: UInt64(s.flags & ~IPVSConstants.svcHashed) | UInt64(UInt32.max) << 32)
            writer.put(IPVSAttr.svcTimeout, u32: s.timeout)
            writer.put(IPVSAttr.svcNetmask, u32: s.netmask)
        }
        writer.endNest()
    }
}

/// Reads IPVS answers.
enum IPVSAnswer {
    /// The service in a GET_SERVICE answer's payload (genl header first).
    static func service(_ payload: UnsafeRawBufferPointer) -> KernelVirtualService? {
        guard payload.count >= Netlink.genlHeaderLength else { return nil }
        let attrs = subrange(payload, Netlink.genlHeaderLength, payload.count - Netlink.genlHeaderLength)
        return attribute(IPVSAttr.cmdService, in: attrs).flatMap { service(nest: $0) }
    }

    static func service(nest: UnsafeRawBufferPointer) -> KernelVirtualService? {
        var family: UInt16?
        var proto: UInt16 = 0
        var address: [UInt8] = []
        var port: UInt16 = 0
        var fwmark: UInt32 = 0
        var scheduler = ""
        var flags: UInt32 = 0
        var timeout: UInt32 = 0
        var netmask: UInt32 = 0
        var stats: IPVSStats?
        var stats32: UnsafeRawBufferPointer?
        var attributes = AttributeIterator(nest)
        while let (type, payload) = attributes.next() {
            switch type {
            case IPVSAttr.svcAF: family = payload.u16
            case IPVSAttr.svcProtocol: proto = payload.u16 ?? 0
            case IPVSAttr.svcAddr: address = payload.bytes
            case IPVSAttr.svcPort: port = (payload.u16 ?? 0).byteSwapped
            case IPVSAttr.svcFwmark: fwmark = payload.u32 ?? 0
            case IPVSAttr.svcSchedName: scheduler = payload.cString
            case IPVSAttr.svcFlags: flags = payload.u32 ?? 0  // ip_vs_flags.flags
            case IPVSAttr.svcTimeout: timeout = payload.u32 ?? 0
            case IPVSAttr.svcNetmask: netmask = payload.u32 ?? 0
            case IPVSAttr.svcStats64: stats = Self.stats(payload, wide: true)
            case IPVSAttr.svcStats: stats32 = payload  // read only if there is no STATS64
            default: break
            }
        }
        guard let family else { return nil }
        let length = family == IPVSConstants.afInet6 ? 16 : 4
        if fwmark != 0 {
            proto = 0
            port = 0
            address = [UInt8](repeating: 0, count: length)
        } else {
            address = fitted(address, length)
        }
        return KernelVirtualService(family: family, proto: proto, address: address, port: port, fwmark: fwmark,
                                    scheduler: scheduler, flags: flags & ~IPVSConstants.svcHashed,
                                    timeout: timeout, netmask: netmask, stats: stats ?? stats32.map { Self.stats($0, wide: false) })
    }

    /// The kernel sends a 16-byte union nf_inet_addr for both families.
    private static func fitted(_ address: [UInt8], _ length: Int) -> [UInt8] {
        if address.count == length { return address }
        if address.count > length { return Array(address[0..<length]) }
        return address + [UInt8](repeating: 0, count: length - address.count)
    }

    /// The real server in a GET_DEST answer's payload. `serviceFamily` is
    /// the family when the kernel sends no IPVS_DEST_ATTR_ADDR_FAMILY.
    static func realServer(_ payload: UnsafeRawBufferPointer, serviceFamily: UInt16) -> KernelRealServer? {
        guard payload.count >= Netlink.genlHeaderLength else { return nil }
        let attrs = subrange(payload, Netlink.genlHeaderLength, payload.count - Netlink.genlHeaderLength)
        return attribute(IPVSAttr.cmdDest, in: attrs).flatMap { realServer(nest: $0, serviceFamily: serviceFamily) }
    }

    static func realServer(nest: UnsafeRawBufferPointer, serviceFamily: UInt16) -> KernelRealServer? {
        var family = serviceFamily
        var address: UnsafeRawBufferPointer?
        var d = KernelRealServer(family: serviceFamily, address: [], port: 0)
        var stats: IPVSStats?
        var stats32: UnsafeRawBufferPointer?
        var attributes = AttributeIterator(nest)
        while let (type, payload) = attributes.next() {
            switch type {
            case IPVSAttr.destAddr: address = payload
            case IPVSAttr.destPort: d.port = (payload.u16 ?? 0).byteSwapped
            case IPVSAttr.destAddrFamily: family = payload.u16 ?? serviceFamily
            case IPVSAttr.destFwdMethod: d.forwarding = (payload.u32 ?? 0) & IPVSConstants.forwardMask
            case IPVSAttr.destWeight: d.weight = Int32(bitPattern: payload.u32 ?? 0)
            case IPVSAttr.destUThresh: d.upperThreshold = payload.u32 ?? 0
            case IPVSAttr.destLThresh: d.lowerThreshold = payload.u32 ?? 0
            case IPVSAttr.destActiveConns: d.activeConns = payload.u32 ?? 0
            case IPVSAttr.destInactConns: d.inactiveConns = payload.u32 ?? 0
            case IPVSAttr.destStats64: stats = Self.stats(payload, wide: true)
            case IPVSAttr.destStats: stats32 = payload  // read only if there is no STATS64
            default: break
            }
        }
        guard let address else { return nil }
        d.family = family
        // one array of the family's length (10,000 of these in a listing)
        let length = family == IPVSConstants.afInet6 ? 16 : 4
        d.address = address.count >= length ? Array(address.prefix(length)) : fitted(address.bytes, length)
        d.stats = stats ?? stats32.map { Self.stats($0, wide: false) }
        return d
    }

    /// IPVS_*_ATTR_STATS64 (u64 counters) or IPVS_*_ATTR_STATS (u32).
    static func stats(_ nest: UnsafeRawBufferPointer, wide: Bool) -> IPVSStats {
        var s = IPVSStats()
        var attributes = AttributeIterator(nest)
        while let (type, payload) = attributes.next() {
            let value: UInt64
            if wide, payload.count >= 8 {
                value = le64(payload, 0)
            } else if !wide, payload.count >= 4 {
                value = UInt64(le32(payload, 0))
            } else {
                continue
            }
            switch type {
            case IPVSAttr.statsConns: s.conns = value
            case IPVSAttr.statsInPkts: s.inPackets = value
            case IPVSAttr.statsOutPkts: s.outPackets = value
            case IPVSAttr.statsInBytes: s.inBytes = value
            case IPVSAttr.statsOutBytes: s.outBytes = value
            default: break
            }
        }
        return s
    }

    /// The errno of an NLMSG_ERROR payload (0 for an acknowledgement), and
    /// the kernel's extended-ack message when it sent one.
    static func error(_ message: NetlinkMessage) -> (code: Int32, message: String?)? {
        guard message.type == Netlink.typeError, let raw = message.payload.u32 else { return nil }
        let code = -Int32(bitPattern: raw)
        var text: String?
        // struct nlmsgerr: error, then the request's header (only the
        // header under NETLINK_CAP_ACK, or on success); extended-ack
        // attributes after it
        if message.flags & Netlink.flagAckTLVs != 0 && message.payload.count > 4 + Netlink.headerLength {
            let echoed = Int(le32(message.payload, 4))
            let capped = message.flags & 0x100 != 0  // NLM_F_CAPPED
            let skip = 4 + (capped ? Netlink.headerLength : Netlink.align(echoed))
            if skip < message.payload.count {
                forEachAttribute(subrange(message.payload, skip, message.payload.count - skip)) { type, payload in
                    if type == 1 { text = payload.cString }  // NLMSGERR_ATTR_MSG
                }
            }
        }
        return (code, text)
    }
}
