import IPVS
import CNLGenl
@testable import IPVSNetlink
import XCTest

/// The IPVS netlink requests byte for byte, the answers' parsing, and the
/// numbers against linux/ip_vs.h: what can be checked without the kernel
/// (scripts/vm/ipvs-check checks the rest inside a VM).
final class NetlinkEncodingTests: XCTestCase {
    func testNumbersMatchTheKernelHeaders() {
        XCTAssertEqual(Int(IPVSAttr.cmdNewService), Int(IPVS_CMD_NEW_SERVICE))
        XCTAssertEqual(Int(IPVSAttr.cmdSetService), Int(IPVS_CMD_SET_SERVICE))
        XCTAssertEqual(Int(IPVSAttr.cmdDelService), Int(IPVS_CMD_DEL_SERVICE))
        XCTAssertEqual(Int(IPVSAttr.cmdGetService), Int(IPVS_CMD_GET_SERVICE))
        XCTAssertEqual(Int(IPVSAttr.cmdNewDest), Int(IPVS_CMD_NEW_DEST))
        XCTAssertEqual(Int(IPVSAttr.cmdSetDest), Int(IPVS_CMD_SET_DEST))
        XCTAssertEqual(Int(IPVSAttr.cmdDelDest), Int(IPVS_CMD_DEL_DEST))
        XCTAssertEqual(Int(IPVSAttr.cmdGetDest), Int(IPVS_CMD_GET_DEST))
        XCTAssertEqual(Int(IPVSAttr.cmdFlush), Int(IPVS_CMD_FLUSH))
        XCTAssertEqual(Int(IPVSAttr.cmdService), Int(IPVS_CMD_ATTR_SERVICE))
        XCTAssertEqual(Int(IPVSAttr.cmdDest), Int(IPVS_CMD_ATTR_DEST))
        let svc: [(UInt16, Int)] = [
            (IPVSAttr.svcAF, Int(IPVS_SVC_ATTR_AF)), (IPVSAttr.svcProtocol, Int(IPVS_SVC_ATTR_PROTOCOL)),
            (IPVSAttr.svcAddr, Int(IPVS_SVC_ATTR_ADDR)), (IPVSAttr.svcPort, Int(IPVS_SVC_ATTR_PORT)),
            (IPVSAttr.svcFwmark, Int(IPVS_SVC_ATTR_FWMARK)), (IPVSAttr.svcSchedName, Int(IPVS_SVC_ATTR_SCHED_NAME)),
            (IPVSAttr.svcFlags, Int(IPVS_SVC_ATTR_FLAGS)), (IPVSAttr.svcTimeout, Int(IPVS_SVC_ATTR_TIMEOUT)),
            (IPVSAttr.svcNetmask, Int(IPVS_SVC_ATTR_NETMASK)), (IPVSAttr.svcStats, Int(IPVS_SVC_ATTR_STATS)),
            (IPVSAttr.svcPEName, Int(IPVS_SVC_ATTR_PE_NAME)), (IPVSAttr.svcStats64, Int(IPVS_SVC_ATTR_STATS64)),
        ]
        for (ours, theirs) in svc { XCTAssertEqual(Int(ours), theirs) }
        let dest: [(UInt16, Int)] = [
            (IPVSAttr.destAddr, Int(IPVS_DEST_ATTR_ADDR)), (IPVSAttr.destPort, Int(IPVS_DEST_ATTR_PORT)),
            (IPVSAttr.destFwdMethod, Int(IPVS_DEST_ATTR_FWD_METHOD)), (IPVSAttr.destWeight, Int(IPVS_DEST_ATTR_WEIGHT)),
            (IPVSAttr.destUThresh, Int(IPVS_DEST_ATTR_U_THRESH)), (IPVSAttr.destLThresh, Int(IPVS_DEST_ATTR_L_THRESH)),
            (IPVSAttr.destActiveConns, Int(IPVS_DEST_ATTR_ACTIVE_CONNS)),
            (IPVSAttr.destInactConns, Int(IPVS_DEST_ATTR_INACT_CONNS)),
            (IPVSAttr.destPersistConns, Int(IPVS_DEST_ATTR_PERSIST_CONNS)), (IPVSAttr.destStats, Int(IPVS_DEST_ATTR_STATS)),
            (IPVSAttr.destAddrFamily, Int(IPVS_DEST_ATTR_ADDR_FAMILY)), (IPVSAttr.destStats64, Int(IPVS_DEST_ATTR_STATS64)),
        ]
        for (ours, theirs) in dest { XCTAssertEqual(Int(ours), theirs) }
        let stats: [(UInt16, Int)] = [
            (IPVSAttr.statsConns, Int(IPVS_STATS_ATTR_CONNS)), (IPVSAttr.statsInPkts, Int(IPVS_STATS_ATTR_INPKTS)),
            (IPVSAttr.statsOutPkts, Int(IPVS_STATS_ATTR_OUTPKTS)), (IPVSAttr.statsInBytes, Int(IPVS_STATS_ATTR_INBYTES)),
            (IPVSAttr.statsOutBytes, Int(IPVS_STATS_ATTR_OUTBYTES)),
        ]
        for (ours, theirs) in stats { XCTAssertEqual(Int(ours), theirs) }
        XCTAssertEqual(IPVSConstants.forwardMasq, UInt32(IP_VS_CONN_F_MASQ))
        XCTAssertEqual(IPVSConstants.forwardLocal, UInt32(IP_VS_CONN_F_LOCALNODE))
        XCTAssertEqual(IPVSConstants.forwardTunnel, UInt32(IP_VS_CONN_F_TUNNEL))
        XCTAssertEqual(IPVSConstants.forwardDirect, UInt32(IP_VS_CONN_F_DROUTE))
        XCTAssertEqual(IPVSConstants.svcPersistent, UInt32(IP_VS_SVC_F_PERSISTENT))
        XCTAssertEqual(IPVSConstants.svcHashed, UInt32(IP_VS_SVC_F_HASHED))
        XCTAssertEqual(IPVSConstants.svcOnePacket, UInt32(IP_VS_SVC_F_ONEPACKET))
        XCTAssertEqual(IPVSConstants.schedulerNameMax, Int(IP_VS_SCHEDNAME_MAXLEN))
        XCTAssertEqual(IPVSConstants.genlVersion, UInt8(IPVS_GENL_VERSION))
        XCTAssertEqual(MemoryLayout<ip_vs_flags>.size, 8)
    }

    /// An add of 192.168.113.200:8443/tcp, wlc, as the kernel must see it:
    /// every length, the nested flag, the port in network order, the
    /// scheduler NUL-terminated and padded, ip_vs_flags with a full mask.
    func testAddServiceBytes() {
        let w = IPVSRequestWriter(family: 0x1c)
        let s = KernelVirtualService(family: 2, proto: 6, address: [192, 168, 113, 200], port: 8443, scheduler: "wlc")
        w.change(.addService(s), sequence: 7)
        let expected: [UInt8] = [
            // nlmsghdr: length 92, type 0x1c, flags REQUEST|ACK, seq 7, pid 0
            92, 0, 0, 0, 0x1c, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0,
            // genlmsghdr: NEW_SERVICE, version 1
            1, 1, 0, 0,
            // IPVS_CMD_ATTR_SERVICE, nested, 72 bytes
            72, 0, 0x01, 0x80,
            6, 0, 1, 0, 2, 0, 0, 0,              // AF = 2
            6, 0, 2, 0, 6, 0, 0, 0,              // PROTOCOL = 6
            8, 0, 3, 0, 192, 168, 113, 200,      // ADDR
            6, 0, 4, 0, 0x20, 0xfb, 0, 0,        // PORT 8443, network order
            8, 0, 6, 0, 0x77, 0x6c, 0x63, 0,     // SCHED_NAME "wlc\0"
            12, 0, 7, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,  // FLAGS {0, ~0}
            8, 0, 8, 0, 0, 0, 0, 0,              // TIMEOUT 0
            8, 0, 9, 0, 0xff, 0xff, 0xff, 0xff,  // NETMASK (IPv4 default)
        ]
        XCTAssertEqual(w.writer.bytes, expected)
    }

    func testAddRealServerBytes() {
        let w = IPVSRequestWriter(family: 0x1c)
        let s = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 80)
        let d = KernelRealServer(family: 2, address: [10, 0, 0, 2], port: 8080, forwarding: IPVSConstants.forwardDirect,
                                 weight: 3, upperThreshold: 100, lowerThreshold: 10)
        w.change(.addRealServer(d, to: s), sequence: 1)
        let bytes = w.writer.bytes
        XCTAssertEqual(bytes[16], IPVSAttr.cmdNewDest)
        // service nest: identity only (AF, PROTOCOL, ADDR, PORT) = 4 + 8 * 4
        XCTAssertEqual(Array(bytes[20..<24]), [36, 0, 0x01, 0x80])
        let dest = Array(bytes[56...])
        let expected: [UInt8] = [
            60, 0, 0x02, 0x80,
            6, 0, 11, 0, 2, 0, 0, 0,             // ADDR_FAMILY
            8, 0, 1, 0, 10, 0, 0, 2,             // ADDR
            6, 0, 2, 0, 0x1f, 0x90, 0, 0,        // PORT 8080, network order
            8, 0, 3, 0, 3, 0, 0, 0,              // FWD_METHOD direct
            8, 0, 4, 0, 3, 0, 0, 0,              // WEIGHT
            8, 0, 5, 0, 100, 0, 0, 0,            // U_THRESH
            8, 0, 6, 0, 10, 0, 0, 0,             // L_THRESH
        ]
        XCTAssertEqual(dest, expected)
        XCTAssertEqual(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count)
    }

    func testDeletesCarryOnlyTheIdentity() {
        let w = IPVSRequestWriter(family: 0x1c)
        let s = KernelVirtualService(family: 2, proto: 17, address: [10, 0, 0, 1], port: 53, scheduler: "rr")
        w.change(.deleteService(s), sequence: 1)
        XCTAssertEqual(w.writer.count, 20 + 36)
        w.writer.removeAll()
        w.change(.deleteRealServer(KernelRealServer(family: 2, address: [10, 0, 0, 2], port: 53), from: s), sequence: 2)
        // the dest nest: family, address, port
        XCTAssertEqual(w.writer.count, 20 + 36 + 4 + 8 + 8 + 8)
    }

    func testFwmarkServiceHasNoProtocolAddressOrPort() {
        let w = IPVSRequestWriter(family: 0x1c)
        w.change(.deleteService(.fwmark(7, family: IPVSConstants.afInet6)), sequence: 1)
        let expected: [UInt8] = [
            40, 0, 0, 0, 0x1c, 0, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            3, 1, 0, 0,
            20, 0, 0x01, 0x80,
            6, 0, 1, 0, 10, 0, 0, 0,             // AF = 10
            8, 0, 5, 0, 7, 0, 0, 0,              // FWMARK 7
        ]
        XCTAssertEqual(w.writer.bytes, expected)
    }

    func testDumpRequests() {
        let w = IPVSRequestWriter(family: 0x1c)
        w.dumpServices(sequence: 9)
        XCTAssertEqual(w.writer.bytes, [20, 0, 0, 0, 0x1c, 0, 0x01, 0x03, 9, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0])
        w.writer.removeAll()
        w.dumpRealServers(of: KernelVirtualService(family: 2, proto: 6, address: [1, 2, 3, 4], port: 1), sequence: 10)
        XCTAssertEqual(w.writer.bytes[16], IPVSAttr.cmdGetDest)
        XCTAssertEqual(Array(w.writer.bytes[6..<8]), [0x01, 0x03])  // REQUEST | DUMP, no ACK
    }

    /// A request's service nest is the same shape as the kernel's answer:
    /// what we write reads back as what we wrote (without counters).
    func testServicesReadBackAsWritten() {
        let services = [
            KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 80, scheduler: "mh",
                                 flags: IPVSConstants.svcSched1 | IPVSConstants.svcSched2),
            KernelVirtualService(family: 2, proto: 17, address: [10, 0, 0, 2], port: 53, scheduler: "rr",
                                 flags: IPVSConstants.svcOnePacket),
            KernelVirtualService(family: 2, proto: 132, address: [10, 0, 0, 3], port: 3868, scheduler: "lblcr",
                                 flags: IPVSConstants.svcPersistent, timeout: 300, netmask: 0x00ff_ffff),
            KernelVirtualService(family: 10, proto: 6, address: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1],
                                 port: 443, scheduler: "wlc", flags: IPVSConstants.svcPersistent, timeout: 60, netmask: 64),
            .fwmark(42, family: 2, scheduler: "sh"),
            .fwmark(43, family: 10, scheduler: "dh"),
        ]
        for s in services {
            let w = IPVSRequestWriter(family: 0x1c)
            w.change(.addService(s), sequence: 1)
            let read = w.writer.bytes.withUnsafeBytes { raw -> KernelVirtualService? in
                var found: KernelVirtualService?
                forEachMessage(raw) { found = IPVSAnswer.service($0.payload) }
                return found
            }
            XCTAssertEqual(read, s)
        }
    }

    /// An answer as the kernel writes it: a 16-byte address union for IPv4,
    /// the HASHED flag, 64-bit stats, and a scheduler name.
    func testServiceAnswerFromTheKernel() {
        let w = NetlinkWriter()
        w.beginMessage(family: 0x1c, flags: Netlink.flagMulti, sequence: 5, command: IPVSAttr.cmdNewService, version: 1)
        w.beginNest(IPVSAttr.cmdService)
        w.put(IPVSAttr.svcAF, u16: 2)
        w.put(IPVSAttr.svcProtocol, u16: 6)
        w.put(IPVSAttr.svcAddr, bytes: [10, 1, 2, 3] + [UInt8](repeating: 0, count: 12))
        w.put(IPVSAttr.svcPort, be16: 443)
        w.put(IPVSAttr.svcSchedName, string: "wrr")
        w.put(IPVSAttr.svcFlags, u64: UInt64(IPVSConstants.svcHashed | IPVSConstants.svcPersistent) | UInt64(UInt32.max) << 32)
        w.put(IPVSAttr.svcTimeout, u32: 360)
        w.put(IPVSAttr.svcNetmask, u32: 0xffff_ffff)
        w.beginNest(IPVSAttr.svcStats)
        w.put(IPVSAttr.statsConns, u32: 1)
        w.endNest()
        w.beginNest(IPVSAttr.svcStats64)
        w.put(IPVSAttr.statsConns, u64: 5_000_000_000)
        w.put(IPVSAttr.statsInPkts, u64: 2)
        w.put(IPVSAttr.statsOutPkts, u64: 3)
        w.put(IPVSAttr.statsInBytes, u64: 4)
        w.put(IPVSAttr.statsOutBytes, u64: 5)
        w.endNest()
        w.endNest()
        w.endMessage()
        var read: [KernelVirtualService] = []
        forEachMessage(w.buffer) { if let s = IPVSAnswer.service($0.payload) { read.append(s) } }
        XCTAssertEqual(read, [KernelVirtualService(
            family: 2, proto: 6, address: [10, 1, 2, 3], port: 443, scheduler: "wrr",
            flags: IPVSConstants.svcPersistent, timeout: 360, netmask: 0xffff_ffff,
            stats: IPVSStats(conns: 5_000_000_000, inPackets: 2, outPackets: 3, inBytes: 4, outBytes: 5))])
    }

    /// An older kernel sends only the 32-bit counters.
    func testThirtyTwoBitStatsAlone() {
        let w = NetlinkWriter()
        w.beginMessage(family: 0x1c, flags: Netlink.flagMulti, sequence: 5, command: IPVSAttr.cmdNewDest, version: 1)
        w.beginNest(IPVSAttr.cmdDest)
        w.put(IPVSAttr.destAddr, bytes: [10, 0, 0, 1])
        w.put(IPVSAttr.destPort, be16: 80)
        w.beginNest(IPVSAttr.destStats)
        w.put(IPVSAttr.statsConns, u32: 7)
        w.put(IPVSAttr.statsOutBytes, u32: 4_000_000_000)
        w.endNest()
        w.endNest()
        w.endMessage()
        var stats: IPVSStats?
        forEachMessage(w.buffer) { stats = IPVSAnswer.realServer($0.payload, serviceFamily: 2)?.stats }
        XCTAssertEqual(stats, IPVSStats(conns: 7, outBytes: 4_000_000_000))
    }

    func testRealServerAnswerWithAndWithoutFamily() {
        func answer(family: UInt16?, address: [UInt8]) -> NetlinkWriter {
            let w = NetlinkWriter()
            w.beginMessage(family: 0x1c, flags: Netlink.flagMulti, sequence: 5, command: IPVSAttr.cmdNewDest, version: 1)
            w.beginNest(IPVSAttr.cmdDest)
            w.put(IPVSAttr.destAddr, bytes: address)
            w.put(IPVSAttr.destPort, be16: 8080)
            w.put(IPVSAttr.destFwdMethod, u32: IPVSConstants.forwardTunnel | 0x100)  // other conn flags masked off
            w.put(IPVSAttr.destWeight, u32: 0)
            w.put(IPVSAttr.destUThresh, u32: 9)
            w.put(IPVSAttr.destLThresh, u32: 1)
            w.put(IPVSAttr.destActiveConns, u32: 11)
            w.put(IPVSAttr.destInactConns, u32: 12)
            w.put(IPVSAttr.destPersistConns, u32: 13)
            if let family { w.put(IPVSAttr.destAddrFamily, u16: family) }
            w.endNest()
            w.endMessage()
            return w
        }
        let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [5]
        var read: [KernelRealServer] = []
        for w in [answer(family: nil, address: [10, 0, 0, 9] + [UInt8](repeating: 0, count: 12)),
                  answer(family: 10, address: v6)] {
            forEachMessage(w.buffer) { if let d = IPVSAnswer.realServer($0.payload, serviceFamily: 2) { read.append(d) } }
        }
        let common = KernelRealServer(family: 2, address: [10, 0, 0, 9], port: 8080, forwarding: IPVSConstants.forwardTunnel,
                                      weight: 0, upperThreshold: 9, lowerThreshold: 1, activeConns: 11, inactiveConns: 12)
        var mixed = common
        mixed.family = 10
        mixed.address = v6
        XCTAssertEqual(read, [common, mixed])
    }

    func testErrorAndAcknowledgement() {
        func message(errno: Int32, flags: UInt16, tlvText: String?) -> [UInt8] {
            let w = NetlinkWriter()
            // an NLMSG_ERROR "message" built with the writer's framing: the
            // genl header's 4 bytes stand for nlmsgerr.error
            w.beginMessage(family: Netlink.typeError, flags: flags, sequence: 3, command: 0, version: 0)
            w.endMessage()
            var bytes = w.bytes
            let raw = UInt32(bitPattern: -errno)
            bytes[16] = UInt8(raw & 0xff); bytes[17] = UInt8(raw >> 8 & 0xff)
            bytes[18] = UInt8(raw >> 16 & 0xff); bytes[19] = UInt8(raw >> 24)
            // the echoed request header (16 bytes, capped)
            bytes += [16, 0, 0, 0, 0x1c, 0, 5, 0, 3, 0, 0, 0, 0, 0, 0, 0]
            if let tlvText {
                let t = NetlinkWriter()
                t.put(1, string: tlvText)
                bytes += t.bytes
            }
            let n = UInt32(bytes.count)
            bytes[0] = UInt8(n & 0xff); bytes[1] = UInt8(n >> 8)
            return bytes
        }
        var results: [(Int32, String?)] = []
        for bytes in [message(errno: 0, flags: 0x100, tlvText: nil),
                      message(errno: 17, flags: 0x100, tlvText: nil),
                      message(errno: 22, flags: 0x300, tlvText: "bad thing")] {
            bytes.withUnsafeBytes { raw in
                forEachMessage(raw) { m in
                    XCTAssertEqual(m.sequence, 3)
                    if let e = IPVSAnswer.error(m) { results.append((e.code, e.message)) }
                }
            }
        }
        XCTAssertEqual(results.map(\.0), [0, 17, 22])
        XCTAssertEqual(results.map(\.1), [nil, nil, "bad thing"])
    }

    func testTruncatedAndMalformedInputStops() {
        let w = IPVSRequestWriter(family: 0x1c)
        w.change(.addService(KernelVirtualService(family: 2, proto: 6, address: [1, 2, 3, 4], port: 1)), sequence: 1)
        w.change(.addService(KernelVirtualService(family: 2, proto: 6, address: [1, 2, 3, 5], port: 1)), sequence: 2)
        let bytes = w.writer.bytes
        for cut in [0, 10, 40, bytes.count / 2, bytes.count - 1, bytes.count] {
            var count = 0
            Array(bytes[0..<cut]).withUnsafeBytes { raw in forEachMessage(raw) { _ in count += 1 } }
            XCTAssertEqual(count, cut == bytes.count ? 2 : (cut >= bytes.count / 2 ? 1 : 0), "cut at \(cut)")
        }
        // an attribute claiming more than there is ends the walk
        let bad: [UInt8] = [8, 0, 1, 0, 1, 2, 3, 4, 200, 0, 2, 0, 1, 2, 3, 4]
        var seen: [UInt16] = []
        bad.withUnsafeBytes { raw in forEachAttribute(raw) { t, _ in seen.append(t) } }
        XCTAssertEqual(seen, [1])
    }

    func testManyRequestsInOneBuffer() {
        let w = IPVSRequestWriter(family: 0x1c)
        let s = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 80)
        for i in 0..<300 {
            let d = KernelRealServer(family: 2, address: [10, 1, UInt8(i / 256), UInt8(i % 256)], port: 80)
            w.change(.addRealServer(d, to: s), sequence: UInt32(100 + i))
        }
        var sequences: [UInt32] = []
        var ports: Set<UInt16> = []
        forEachMessage(w.writer.buffer) { m in
            sequences.append(m.sequence)
            XCTAssertEqual(m.flags, Netlink.flagRequest | Netlink.flagAck)
            if let d = IPVSAnswer.realServer(m.payload, serviceFamily: 2) { ports.insert(d.port) }
        }
        XCTAssertEqual(sequences, (0..<300).map { UInt32(100 + $0) })
        XCTAssertEqual(ports, [80])
    }

    /// A batch asks for its acknowledgement on its last request only: the
    /// others carry NLM_F_REQUEST alone (the kernel still answers their
    /// failures), and the bytes are otherwise those of the acked request.
    func testUnacknowledgedRequestDiffersOnlyInItsFlags() {
        let s = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 80)
        let d = KernelRealServer(family: 2, address: [10, 1, 0, 1], port: 80, weight: 3)
        for change in [IPVSChange.addService(s), .editService(s), .deleteService(s),
                       .addRealServer(d, to: s), .editRealServer(d, in: s), .deleteRealServer(d, from: s)] {
            let acked = IPVSRequestWriter(family: 0x1c), quiet = IPVSRequestWriter(family: 0x1c)
            acked.change(change, sequence: 7)
            quiet.change(change, sequence: 7, ack: false)
            var flags: [UInt16] = []
            forEachMessage(quiet.writer.buffer) { flags.append($0.flags) }
            XCTAssertEqual(flags, [Netlink.flagRequest], "\(change)")
            var a = Array(acked.writer.buffer), q = Array(quiet.writer.buffer)
            XCTAssertEqual(a.count, q.count)
            a[6] = 0; q[6] = 0  // nlmsg_flags, low byte (little-endian)
            XCTAssertEqual(a, q, "\(change)")
        }
    }
}
