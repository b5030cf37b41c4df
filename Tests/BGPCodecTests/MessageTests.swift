import BGPCodec
import Testing

@Suite struct MessageTests {
    @Test func keepalive() throws {
        let bytes = message(4, [])
        #expect(try MessageCodec.encode(.keepalive) == bytes)
        #expect(MessageCodec.decode(bytes) == .message(.keepalive))
    }

    @Test func notificationWithShutdownCommunication() throws {
        let n = NotificationMessage.cease(.administrativeShutdown, message: "maintenance")
        let bytes = try MessageCodec.encode(.notification(n))
        #expect(bytes == message(3, [6, 2, 11] + Array("maintenance".utf8)))
        guard case .message(.notification(let d)) = MessageCodec.decode(bytes) else {
            Issue.record("did not decode")
            return
        }
        #expect(d.shutdownMessage == "maintenance")
        #expect(d.errorName == "Cease / administrativeShutdown")
    }

    @Test func shutdownMessageIsCutOnACharacterBoundary() {
        let text = String(repeating: "é", count: 200)  // 400 bytes
        let n = NotificationMessage.cease(.administrativeReset, message: text)
        #expect(n.data[0] == 254)
        #expect(n.shutdownMessage == String(repeating: "é", count: 127))
    }

    @Test(arguments: [
        ([6, 2, 5, 0x68, 0x69], nil),           // length past the data
        ([6, 2, 2, 0xC3, 0x28], nil),           // invalid UTF-8
        ([6, 3, 2, 0x68, 0x69], nil),           // Cease/3 carries none
        ([6, 4, 2, 0x68, 0x69], "hi"),
        ([6, 2, 0], ""),
    ] as [([UInt8], String?)])
    func shutdownMessageParsing(body: [UInt8], expected: String?) {
        guard case .message(.notification(let n)) = MessageCodec.decode(message(3, body)) else {
            Issue.record("did not decode")
            return
        }
        #expect(n.shutdownMessage == expected)
    }

    @Test func everyCodeHasAName() {
        for c in ErrorCode.allCases {
            #expect(!NotificationMessage(c, 0).errorName.contains("Unknown"))
        }
        #expect(NotificationMessage(code: 3, subcode: 11).errorName == "UPDATE Message Error / malformedASPath")
        #expect(NotificationMessage(code: 8, subcode: 0).errorName == "Send Hold Timer Expired / unspecific")
        #expect(NotificationMessage(code: 2, subcode: 11).errorName == "OPEN Message Error / roleMismatch")
        #expect(NotificationMessage(code: 6, subcode: 9).errorName == "Cease / hardReset")
    }

    @Test(arguments: [(RouteRefreshMessage.Subtype.normal, "0001 00 01"), (.beginningOfRouteRefresh, "0002 01 01"), (.endOfRouteRefresh, "0001 02 01")])
    func routeRefresh(subtype: RouteRefreshMessage.Subtype, body: String) throws {
        let family: AddressFamily = body.hasPrefix("0002") ? .ipv6Unicast : .ipv4Unicast
        let rr = RouteRefreshMessage(family: family, subtype: subtype)
        let bytes = try MessageCodec.encode(.routeRefresh(rr))
        #expect(bytes == message(5, hex(body)))
        #expect(MessageCodec.decode(bytes) == .message(.routeRefresh(rr)))
    }

    @Test func routeRefreshLengthErrors() {
        // RFC 7313 §5: BoRR/EoRR with a body other than 4 bytes is 7/1.
        let r = MessageCodec.decode(message(5, hex("0001 01 01 00")))
        #expect(r.fault?.notification == NotificationMessage(code: 7, subcode: 1, data: hex("0001 01 01 00")))
        // A normal refresh may carry ORF entries (RFC 5291); they are kept.
        let orf = MessageCodec.decode(message(5, hex("0001 00 01 01 0040 0003 aabbcc")))
        guard case .message(.routeRefresh(let rr)) = orf else {
            Issue.record("did not decode")
            return
        }
        #expect(rr.orfData == hex("01 0040 0003 aabbcc"))
        #expect((try? MessageCodec.encode(.routeRefresh(rr))) == message(5, hex("0001 00 01 01 0040 0003 aabbcc")))
        // Unknown subtypes reach the session, which ignores them (RFC 7313 §5).
        #expect(MessageCodec.decode(message(5, hex("0001 07 01"))).message != nil)
    }

    @Test func encoderRefusesOversizedMessages() {
        let u = UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: [], nextHop: a4("10.0.0.1")),
                              nlri: (0..<2000).map { IPv4Prefix(IPv4Address(UInt32($0) << 8), 24) })
        #expect(throws: EncodeError.self) { try MessageCodec.encode(.update(u)) }
        #expect((try? MessageCodec.encode(.update(u), context: CodecContext(extendedMessage: true))) != nil)
    }
}
