import BGPCodec
import Layer2Frames
import Testing

/// The announcement frames byte for byte, written out by hand from RFC 826
/// and RFC 4861, and the plan's arithmetic.
struct FrameBytesTests {
    let sender = mac("02:11:22:33:44:55")

    @Test func gratuitousARPRequestBytes() {
        let expected: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // Ethernet destination: broadcast
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // Ethernet source: our MAC
            0x08, 0x06,                          // EtherType: ARP
            0x00, 0x01,                          // hardware type: Ethernet
            0x08, 0x00,                          // protocol type: IPv4
            0x06,                                // hardware address length
            0x04,                                // protocol address length
            0x00, 0x01,                          // opcode: request
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // sender MAC
            192, 0, 2, 10,                       // sender IP: the VIP
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // target MAC: unknown (zero)
            192, 0, 2, 10,                       // target IP: the VIP again
        ] + [UInt8](repeating: 0, count: 18)     // padding to the 60-byte minimum
        let frame = AnnouncementFrames.gratuitousARPRequest(sender: sender, address: v4("192.0.2.10"))
        #expect(frame == expected, "\(hex(frame))")
        #expect(frame.count == 60)
    }

    @Test func gratuitousARPReplyBytes() {
        let expected: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // Ethernet destination: broadcast
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // Ethernet source: our MAC
            0x08, 0x06,                          // EtherType: ARP
            0x00, 0x01,                          // hardware type: Ethernet
            0x08, 0x00,                          // protocol type: IPv4
            0x06,                                // hardware address length
            0x04,                                // protocol address length
            0x00, 0x02,                          // opcode: reply
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // sender MAC
            10, 9, 0, 100,                       // sender IP: the VIP
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // target MAC = sender MAC (gratuitous to Linux)
            10, 9, 0, 100,                       // target IP: the VIP again
        ] + [UInt8](repeating: 0, count: 18)     // padding to the 60-byte minimum
        let frame = AnnouncementFrames.gratuitousARPReply(sender: sender, address: v4("10.9.0.100"))
        #expect(frame == expected, "\(hex(frame))")
    }

    @Test func unsolicitedNABytes() {
        let expected: [UInt8] = [
            0x33, 0x33, 0x00, 0x00, 0x00, 0x01,  // Ethernet destination: all-nodes group
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // Ethernet source: our MAC
            0x86, 0xDD,                          // EtherType: IPv6
            0x60, 0x00, 0x00, 0x00,              // version 6, traffic class 0, flow label 0
            0x00, 0x20,                          // payload length: 32
            58,                                  // next header: ICMPv6
            255,                                 // hop limit: 255, as ND requires
            0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0,  // source 2001:db8::10 (the VIP) ...
            0, 0, 0, 0, 0, 0, 0x00, 0x10,        // ... second half
            0xFF, 0x02, 0, 0, 0, 0, 0, 0,        // destination ff02::1 ...
            0, 0, 0, 0, 0, 0, 0, 0x01,           // ... second half
            136,                                 // ICMPv6 type: Neighbor Advertisement
            0,                                   // code
            0x92, 0x74,                          // checksum (computed separately with Python)
            0x20, 0x00, 0x00, 0x00,              // flags: Override only; reserved
            0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0,  // target 2001:db8::10 ...
            0, 0, 0, 0, 0, 0, 0x00, 0x10,        // ... second half
            2,                                   // option: target link-layer address
            1,                                   // option length: 1 x 8 bytes
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55,  // our MAC
        ]
        let frame = AnnouncementFrames.unsolicitedNA(sender: sender, target: v6("2001:db8::10"),
                                                     source: v6("2001:db8::10"))
        #expect(frame == expected, "\(hex(frame))")
        #expect(frame.count == 86)
    }

    /// The checksum re-derived here, apart from the module's code: the
    /// one's complement sum over pseudo-header and message, checksum field
    /// included, must come to 0xFFFF. Checked for several source/target
    /// pairs, so a checksum that ignores the addresses fails.
    @Test(arguments: [("2001:db8::10", "2001:db8::10"), ("fe80::1", "fd00:9::100"),
                      ("fd00:9::100", "fd00:9::100"), ("::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")])
    func checksumVerifiesIndependently(source: String, target: String) {
        let frame = AnnouncementFrames.unsolicitedNA(sender: sender, target: v6(target), source: v6(source))
        let ipv6 = Array(frame[14..<54])
        let icmp = Array(frame[54...])
        var words: [Int] = []
        let pseudo = Array(ipv6[8..<40]) + [0, 0, 0, UInt8(icmp.count)] + [0, 0, 0, 58]
        let all = pseudo + icmp
        for i in stride(from: 0, to: all.count, by: 2) { words.append(Int(all[i]) * 256 + Int(all[i + 1])) }
        var sum = words.reduce(0, +)
        while sum > 0xFFFF { sum = sum % 0x10000 + sum / 0x10000 }
        #expect(sum == 0xFFFF, "sum \(String(sum, radix: 16)) for \(source) -> \(target)")
        #expect(Array(icmp[8..<24]) == v6(target).octets)
        #expect(Array(ipv6[8..<24]) == v6(source).octets)
    }

    @Test func macAddressText() {
        #expect(MACAddress("02:11:22:33:44:55")?.bytes == [0x02, 0x11, 0x22, 0x33, 0x44, 0x55])
        #expect(MACAddress("AA:bb:0C:dd:EE:0f")?.description == "aa:bb:0c:dd:ee:0f")
        #expect(MACAddress("aa:bb:cc:dd:ee") == nil)
        #expect(MACAddress("aa:bb:cc:dd:ee:ff:00") == nil)
        #expect(MACAddress("aa:bb:cc:dd:ee:f") == nil)
        #expect(MACAddress("aa:bb:cc:dd:ee:fg") == nil)
        #expect(MACAddress("aa-bb-cc-dd-ee-ff") == nil)
        #expect(MACAddress("+a:bb:cc:dd:ee:ff") == nil)
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5]) == nil)
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5, 6])?.description == "01:02:03:04:05:06")
        #expect(MACAddress.broadcast.isMulticast && !mac("02:00:00:00:00:01").isMulticast)
    }

    @Test func announcementPlan() {
        let plan = AnnouncementPlan(count: 5, intervalMs: 200, refreshS: 30)
        #expect(plan.burstOffsetsMs == [0, 200, 400, 600, 800])
        #expect(plan.refreshMs == 30_000)
        #expect(AnnouncementPlan(count: 1, intervalMs: 200, refreshS: 0).burstOffsetsMs == [0])
        #expect(AnnouncementPlan(count: 1, intervalMs: 200, refreshS: 0).refreshMs == nil)
        #expect(AnnouncementPlan(count: 0, intervalMs: 200, refreshS: 0).burstOffsetsMs == [])
        #expect(AnnouncementPlan(count: -3, intervalMs: 200, refreshS: -1).burstOffsetsMs == [])
        #expect(AnnouncementPlan(count: 3, intervalMs: -5, refreshS: -1).burstOffsetsMs == [0, 0, 0])
        #expect(AnnouncementPlan(count: 3, intervalMs: -5, refreshS: -1).refreshMs == nil)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}
