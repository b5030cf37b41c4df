import BGPCodec
import Testing

// PcapPlusPlus's captured BGP frames (pcapplusplus-bgp/*.dat): one hex line
// each, Ethernet + IPv4 + TCP + BGP. The TCP payload goes through
// MessageFramer as a session would see it, then through the codec.

enum PcapFrames {
    static let folder = "pcapplusplus-bgp"

    struct NotTCP: Error, CustomStringConvertible {
        var description: String
    }

    /// The TCP payload of a frame and where it starts: Ethernet (14 bytes),
    /// IPv4 (IHL), TCP (data offset), up to the IPv4 total length.
    static func payload(_ file: String) throws -> (offset: Int, bytes: [UInt8]) {
        let frame = try TestData.hexBytes(TestData.text("\(folder)/\(file)"))
        guard frame.count >= 54, frame[12] == 0x08, frame[13] == 0x00, frame[14] >> 4 == 4, frame[23] == 6 else {
            throw NotTCP(description: "\(file): not Ethernet/IPv4/TCP")
        }
        let tcp = 14 + Int(frame[14] & 0x0F) * 4
        let start = tcp + Int(frame[tcp + 12] >> 4) * 4
        let end = 14 + (Int(frame[16]) << 8 | Int(frame[17]))
        guard start <= end, end <= frame.count else { throw NotTCP(description: "\(file): lengths do not fit") }
        return (start, Array(frame[start..<end]))
    }

    /// The payload through MessageFramer one byte at a time; each whole
    /// message decoded, each header error as the codec's failure.
    static func decode(_ file: String) throws -> (frames: [[UInt8]], results: [DecodeResult], buffered: Int) {
        let bytes = try payload(file).bytes
        let framed = TestData.frame(bytes, byteAtATime: true)
        var frames: [[UInt8]] = []
        var results: [DecodeResult] = []
        for f in framed.frames {
            switch f {
            case .message(let m):
                frames.append(Array(m))
                results.append(MessageCodec.decode(m))
            case .error(let h, _):
                frames.append([])
                results.append(.failure(.header(h)))
            }
        }
        // All at once gives the same frames.
        #expect(TestData.frame(bytes, byteAtATime: false).frames == framed.frames, "\(file)")
        return (frames, results, framed.buffered)
    }

    /// The one message of a file, decoded, re-encoded to its own bytes.
    static func single(_ file: String) throws -> BGPMessage? {
        let d = try decode(file)
        #expect(d.results.count == 1 && d.buffered == 0, "\(file): \(d.results)")
        guard d.results.count == 1, case .message(let m) = d.results[0] else {
            Issue.record("\(file): \(d.results)")
            return nil
        }
        #expect(try MessageCodec.encode(m) == d.frames[0], "\(file): re-encoding differs")
        return m
    }
}

@Suite struct PcapPlusPlusTests {
    static let files = TestData.files(in: PcapFrames.folder) { $0.hasSuffix(".dat") }

    @Test func everyFrameIsThere() {
        #expect(Self.files.count == 11)
    }

    @Test(arguments: files)
    func bgpStartsWhereTheCaptureSays(_ file: String) throws {
        let p = try PcapFrames.payload(file)
        #expect(p.offset == (file == "Bgp_notification.dat" ? 66 : 54))
        #expect(p.bytes.starts(with: [UInt8](repeating: 0xFF, count: 16)))
    }

    @Test func keepalive() throws {
        #expect(try PcapFrames.single("BgpKeepAlive.dat") == .keepalive)
    }

    @Test func openWithoutCapabilities() throws {
        let want = OpenMessage(myAS: 65033, holdTime: 180, identifier: IPv4Address(192, 168, 0, 15), capabilities: [])
        #expect(try PcapFrames.single("BgpOpen.dat") == .open(want))
    }

    @Test func openWithRouteRefreshAndFourOctetAS() throws {
        // Each capability in its own parameter; code 128 is the pre-standard
        // Cisco route refresh, kept as unknown.
        let want = OpenMessage(myAS: 1, holdTime: 180, identifier: IPv4Address(1, 1, 1, 1), capabilities: [
            .multiprotocol(.ipv4Unicast), .unknown(code: 128, data: []), .routeRefresh, .enhancedRouteRefresh,
            .fourOctetAS(1),
        ])
        let got = try PcapFrames.single("Bgp_open.dat")
        #expect(got == .open(want))
        if case .open(let o) = got { #expect(o.layout.capabilitiesPerParameter == [1, 1, 1, 1, 1]) }
    }

    @Test func openWithAddPath() throws {
        let want = OpenMessage(myAS: 64512, holdTime: 180, identifier: IPv4Address(10, 0, 0, 6), capabilities: [
            .multiprotocol(.ipv4Unicast), .unknown(code: 128, data: []), .routeRefresh, .enhancedRouteRefresh,
            .addPath([AddPathEntry(family: .ipv4Unicast, sendReceive: 3)]), .fourOctetAS(64512),
        ])
        #expect(try PcapFrames.single("Bgp_open2.dat") == .open(want))
    }

    @Test func updateWithCommunities() throws {
        let want = UpdateMessage(attributes: PathAttributes(
            origin: .egp, asPath: [], nextHop: IPv4Address(192, 168, 0, 33), med: 0, localPref: 100,
            communities: [65033 << 16 | 500, 65033 << 16 | 600]),
            nlri: [IPv4Prefix(IPv4Address(10, 0, 0, 0), 8)])
        #expect(try PcapFrames.single("BgpUpdate.dat") == .update(want))
    }

    @Test func twoUpdatesInOneSegment() throws {
        let d = try PcapFrames.decode("Bgp_update1.dat")
        #expect(d.buffered == 0)
        #expect(d.results == [
            .message(.update(UpdateMessage(withdrawn: [
                IPv4Prefix("40.1.1.0/24")!, IPv4Prefix("40.40.40.0/24")!,
                IPv4Prefix("103.103.0.0/16")!, IPv4Prefix("103.103.40.0/24")!,
            ]))),
            .message(.update(UpdateMessage(withdrawn: [IPv4Prefix("104.104.40.0/24")!]))),
        ])
        for (frame, r) in zip(d.frames, d.results) {
            if case .message(let m) = r { #expect(try MessageCodec.encode(m) == frame) }
        }
    }

    @Test func shutdownCommunication() throws {
        let text = "NTT will perform maintenance on this router. This is tracked in TICKET-1-24824294. "
            + "Contact noc@ntt.net for more information."
        let got = try PcapFrames.single("Bgp_notification.dat")
        #expect(got == .notification(NotificationMessage(code: 6, subcode: 2, data: [UInt8(text.utf8.count)] + Array(text.utf8))))
        if case .notification(let n) = got { #expect(n.shutdownMessage == text) }
    }

    /// Malformed OPENs: the NOTIFICATION each must cause, whether the bytes
    /// come through the framer or as one message.
    @Test(arguments: [
        // Optional Parameters Length 5 fits the message, but the one
        // parameter in it claims 16 bytes: RFC 4271 §6.2 subcode 0.
        ("Bgp_open_malformed_opt_param_len.dat", NotificationMessage(code: 2, subcode: 0)),
        // Optional Parameters Length 5, one byte left: the lengths disagree.
        ("Bgp_open_truncated_opt_param_hdr.dat", NotificationMessage(code: 2, subcode: 0)),
        // An empty Capabilities parameter, then one claiming 5 of 2 bytes.
        ("Bgp_open_partial_valid_opt_params.dat", NotificationMessage(code: 2, subcode: 0)),
        // Length 25, below an OPEN's 29: RFC 4271 §6.1 Bad Message Length,
        // the Data the erroneous Length field.
        ("Bgp_open_too_short_header.dat", NotificationMessage(code: 1, subcode: 2, data: [0x00, 0x19])),
    ])
    func malformedOpen(_ file: String, _ want: NotificationMessage) throws {
        let d = try PcapFrames.decode(file)
        #expect(d.results.count == 1 && d.buffered == 0)
        for r in d.results {
            #expect(r.fault?.notification == want)
            #expect(r.action == .sessionReset)
        }
        let whole = MessageCodec.decode(try PcapFrames.payload(file).bytes)
        #expect(whole.fault?.notification == want)
        #expect(whole.action == .sessionReset)
    }
}
