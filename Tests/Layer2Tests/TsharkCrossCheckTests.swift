import Foundation
import Layer2Frames
import TestSupport
import Testing

/// The frames as Wireshark's dissectors read them: written into a pcap file
/// (headers built here), decoded by tshark, and the decoded fields checked.
/// An independent reading of the same bytes, so a field at the wrong offset
/// or a wrong checksum shows up even if the hand-written vectors share the
/// mistake. tshark missing is a failure, not a skip.
struct TsharkCrossCheckTests {
    static let tshark = "/usr/bin/tshark"
    static let fields = [
        "eth.dst", "eth.src", "eth.type",
        "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4",
        "arp.isgratuitous",
        "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.plen",
        "icmpv6.type", "icmpv6.code", "icmpv6.checksum.status",
        "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o",
        "icmpv6.nd.na.target_address", "icmpv6.opt.type", "icmpv6.opt.length", "icmpv6.opt.linkaddr",
        "frame.len",
    ]

    @Test func tsharkDecodesTheFrames() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tshark),
                     "tshark is missing at \(Self.tshark): install it (apt-get install tshark); this check must run")
        let sender = mac("02:11:22:33:44:55")
        let frames = [
            AnnouncementFrames.gratuitousARPRequest(sender: sender, address: v4("192.0.2.10")),
            AnnouncementFrames.gratuitousARPReply(sender: sender, address: v4("10.9.0.100")),
            AnnouncementFrames.unsolicitedNA(sender: sender, target: v6("fd00:9::100"), source: v6("fd00:9::100")),
            AnnouncementFrames.unsolicitedNA(sender: sender, target: v6("2001:db8::10"), source: v6("fe80::11:22ff:fe33:4455")),
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("l2-\(UUID().uuidString).pcap")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(pcap(frames)).write(to: file)
        var arguments = [Self.tshark, "-r", file.path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a"]
        for field in Self.fields { arguments += ["-e", field] }
        let result = try runCommand(arguments, timeout: 60)
        let rows = result.output.split(separator: "\n").map { line -> [String: String] in
            let values = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(Self.fields, values))
        }
        try #require(rows.count == 4, "tshark output: \(result.output) \(result.errors)")

        let request = rows[0]
        #expect(request["eth.dst"] == "ff:ff:ff:ff:ff:ff")
        #expect(request["eth.src"] == "02:11:22:33:44:55")
        #expect(request["arp.opcode"] == "1")
        #expect(request["arp.src.hw_mac"] == "02:11:22:33:44:55")
        #expect(request["arp.src.proto_ipv4"] == "192.0.2.10")
        #expect(request["arp.dst.hw_mac"] == "00:00:00:00:00:00")
        #expect(request["arp.dst.proto_ipv4"] == "192.0.2.10")
        #expect(request["arp.isgratuitous"] == "1", "\(request)")
        #expect(request["frame.len"] == "60")

        let reply = rows[1]
        #expect(reply["eth.dst"] == "ff:ff:ff:ff:ff:ff")
        #expect(reply["arp.opcode"] == "2")
        #expect(reply["arp.src.hw_mac"] == "02:11:22:33:44:55")
        #expect(reply["arp.dst.hw_mac"] == "02:11:22:33:44:55")
        #expect(reply["arp.src.proto_ipv4"] == "10.9.0.100")
        #expect(reply["arp.dst.proto_ipv4"] == "10.9.0.100")
        #expect(reply["arp.isgratuitous"] == "1", "\(reply)")

        for (row, (target, source)) in zip(rows[2...], [("fd00:9::100", "fd00:9::100"),
                                                        ("2001:db8::10", "fe80::11:22ff:fe33:4455")]) {
            #expect(row["eth.dst"] == "33:33:00:00:00:01")
            #expect(row["eth.src"] == "02:11:22:33:44:55")
            #expect(row["ipv6.src"] == source)
            #expect(row["ipv6.dst"] == "ff02::1")
            #expect(row["ipv6.hlim"] == "255")
            #expect(row["ipv6.plen"] == "32")
            #expect(row["icmpv6.type"] == "136")
            #expect(row["icmpv6.code"] == "0")
            // Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
            #expect(row["icmpv6.checksum.status"] == "1", "\(row)")
            #expect(row["icmpv6.nd.na.flag.o"] == "1", "\(row)")
            #expect(row["icmpv6.nd.na.flag.s"] == "0", "\(row)")
            #expect(row["icmpv6.nd.na.flag.r"] == "0", "\(row)")
            #expect(row["icmpv6.nd.na.target_address"] == target)
            #expect(row["icmpv6.opt.type"] == "2")
            #expect(row["icmpv6.opt.length"] == "1")
            #expect(row["icmpv6.opt.linkaddr"] == "02:11:22:33:44:55", "\(row)")
        }
    }

    /// A pcap file (the classic libpcap format, little-endian): the global
    /// header, then per frame a record header and the bytes.
    func pcap(_ frames: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out += le32(0xA1B2_C3D4)   // magic: microsecond timestamps
        out += le16(2) + le16(4)   // version 2.4
        out += le32(0)             // thiszone: UTC
        out += le32(0)             // sigfigs
        out += le32(65535)         // snaplen
        out += le32(1)             // network: LINKTYPE_ETHERNET
        for (i, frame) in frames.enumerated() {
            out += le32(1_700_000_000 + UInt32(i))  // seconds
            out += le32(0)                          // microseconds
            out += le32(UInt32(frame.count))        // bytes captured
            out += le32(UInt32(frame.count))        // length on the wire
            out += frame
        }
        return out
    }

    func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
