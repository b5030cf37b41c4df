import BGPCodec
import BGPCodecJSON
import Testing

/// Each malformed UPDATE ends in its RFC 4271 §6.3 code and subcode and its
/// RFC 7606 action.
@Suite struct UpdateErrorTests {
    typealias Row = (name: String, body: [UInt8], code: UInt8, subcode: UInt8, action: ErrorAction)

    static let origin = hex("40 01 01 00")
    static let asPath = hex("40 02 06 02 01 0000fde9")
    static let nextHop = hex("40 03 04 0a000001")
    static let nlri = hex("18 0a0001")
    static func withMandatory(_ extra: String, nlri: [UInt8] = UpdateErrorTests.nlri) -> [UInt8] {
        updateBody(attributes: mandatoryAttributes + hex(extra), nlri: nlri)
    }
    static let v6reach = "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8"

    static let rows: [Row] = [
        ("withdrawn length past the message", hex("0010 0a 0000"), 3, 1, .sessionReset),
        ("attribute length past the message", hex("0000 0010 4001"), 3, 1, .sessionReset),
        ("nlri prefix longer than 32", updateBody(attributes: mandatoryAttributes, nlri: hex("21 0a000000 00")), 3, 10, .sessionReset),
        ("nlri prefix past the end", updateBody(attributes: mandatoryAttributes, nlri: hex("18 0a")), 3, 10, .sessionReset),
        ("withdrawn prefix past the end", updateBody(withdrawn: hex("20 0a00"), attributes: []), 3, 10, .sessionReset),
        ("attribute header cut short", updateBody(attributes: mandatoryAttributes + hex("c0 08"), nlri: nlri), 3, 1, .treatAsWithdraw),
        ("extended header cut short", updateBody(attributes: mandatoryAttributes + hex("d0 08 00"), nlri: nlri), 3, 1, .treatAsWithdraw),
        ("attribute runs past the list", updateBody(attributes: mandatoryAttributes + hex("c0 08 08 0000"), nlri: nlri), 3, 5, .treatAsWithdraw),
        ("MP_REACH twice", withMandatory(v6reach + v6reach), 3, 1, .sessionReset),
        ("MP_UNREACH twice", withMandatory("80 0f 03 0002 01 80 0f 03 0002 01"), 3, 1, .sessionReset),
        ("unknown well-known attribute", withMandatory("40 63 00"), 3, 2, .sessionReset),
        ("ORIGIN missing", updateBody(attributes: asPath + nextHop, nlri: nlri), 3, 3, .treatAsWithdraw),
        ("AS_PATH missing", updateBody(attributes: origin + nextHop, nlri: nlri), 3, 3, .treatAsWithdraw),
        ("NEXT_HOP missing", updateBody(attributes: origin + asPath, nlri: nlri), 3, 3, .treatAsWithdraw),
        ("no attributes at all with NLRI", updateBody(nlri: nlri), 3, 3, .treatAsWithdraw),
        ("ORIGIN missing with MP_REACH only", updateBody(attributes: asPath + hex(v6reach)), 3, 3, .treatAsWithdraw),
        ("ORIGIN marked optional", updateBody(attributes: hex("c0 01 01 00") + asPath + nextHop, nlri: nlri), 3, 4, .treatAsWithdraw),
        ("ORIGIN of length 2", updateBody(attributes: hex("40 01 02 0000") + asPath + nextHop, nlri: nlri), 3, 5, .treatAsWithdraw),
        ("ORIGIN value 3", updateBody(attributes: hex("40 01 01 03") + asPath + nextHop, nlri: nlri), 3, 6, .treatAsWithdraw),
        ("NEXT_HOP of length 5", updateBody(attributes: origin + asPath + hex("40 03 05 0a00000100"), nlri: nlri), 3, 5, .treatAsWithdraw),
        ("NEXT_HOP 0.0.0.0", updateBody(attributes: origin + asPath + hex("40 03 04 00000000"), nlri: nlri), 3, 8, .treatAsWithdraw),
        ("NEXT_HOP multicast", updateBody(attributes: origin + asPath + hex("40 03 04 e0000001"), nlri: nlri), 3, 8, .treatAsWithdraw),
        ("AS_PATH segment type 5", updateBody(attributes: origin + hex("40 02 06 05 01 0000fde9") + nextHop, nlri: nlri), 3, 11, .treatAsWithdraw),
        ("AS_PATH segment past the end", updateBody(attributes: origin + hex("40 02 06 02 02 0000fde9") + nextHop, nlri: nlri), 3, 11, .treatAsWithdraw),
        ("AS_PATH empty segment", updateBody(attributes: origin + hex("40 02 02 02 00") + nextHop, nlri: nlri), 3, 11, .treatAsWithdraw),
        ("MED of length 3", withMandatory("80 04 03 000001"), 3, 5, .treatAsWithdraw),
        ("MED marked well-known", withMandatory("40 04 04 00000001"), 3, 4, .treatAsWithdraw),
        ("LOCAL_PREF of length 5", withMandatory("40 05 05 0000000001"), 3, 5, .treatAsWithdraw),
        ("ATOMIC_AGGREGATE of length 1", withMandatory("40 06 01 00"), 0, 0, .attributeDiscard),
        ("AGGREGATOR of length 6 on a 4-octet session", withMandatory("c0 07 06 fde9 0a000001"), 0, 0, .attributeDiscard),
        ("COMMUNITIES of length 3", withMandatory("c0 08 03 000001"), 3, 5, .treatAsWithdraw),
        ("COMMUNITIES empty", withMandatory("c0 08 00"), 3, 5, .treatAsWithdraw),
        ("ORIGINATOR_ID of length 3", withMandatory("80 09 03 010101"), 3, 5, .treatAsWithdraw),
        ("CLUSTER_LIST of length 5", withMandatory("80 0a 05 0101010101"), 3, 5, .treatAsWithdraw),
        ("EXTENDED_COMMUNITIES of length 7", withMandatory("c0 10 07 00000000000000"), 3, 5, .treatAsWithdraw),
        ("LARGE_COMMUNITIES of length 11", withMandatory("c0 20 0b 0000000000000000000000"), 3, 5, .treatAsWithdraw),
        ("OTC of length 2", withMandatory("c0 23 02 0001"), 3, 5, .treatAsWithdraw),
        ("AS4_PATH malformed", withMandatory("c0 11 03 02 01 00"), 0, 0, .attributeDiscard),
        ("AS4_PATH with a confederation segment", withMandatory("c0 11 06 03 01 00000001"), 0, 0, .attributeDiscard),
        ("AS4_AGGREGATOR of length 6", withMandatory("c0 12 06 fde9 0a000001"), 0, 0, .attributeDiscard),
        ("ORIGIN twice", withMandatory("40 01 01 02"), 0, 0, .attributeDiscard),
        ("MP_REACH next hop of length 8", withMandatory("80 0e 0e 0002 01 08 0000000000000001 00 00"), 3, 9, .afiSafiDisable),
        ("MP_REACH prefix longer than 128", withMandatory("80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81"), 3, 9, .afiSafiDisable),
        ("MP_REACH next hop past the attribute", withMandatory("80 0e 05 0002 01 10 20"), 3, 9, .afiSafiDisable),
        ("MP_REACH without room for AFI/SAFI", withMandatory("80 0e 02 0002"), 3, 9, .sessionReset),
        ("MP_REACH marked transitive", withMandatory("c0 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8"), 3, 9, .afiSafiDisable),
        ("MP_UNREACH prefix past the end", withMandatory("80 0f 05 0002 01 40 20"), 3, 9, .afiSafiDisable),
        // Several errors: the most severe decides.
        ("discard and treat-as-withdraw", withMandatory("40 06 01 00 c0 08 03 000001"), 3, 5, .treatAsWithdraw),
        ("treat-as-withdraw and afi-safi-disable", updateBody(attributes: asPath + nextHop + hex("80 0f 05 0002 01 40 20"), nlri: nlri), 3, 9, .afiSafiDisable),
        ("afi-safi-disable and session reset", withMandatory("80 0f 05 0002 01 40 20  40 63 00"), 3, 2, .sessionReset),
    ]

    @Test(arguments: rows.indices)
    func outcome(_ i: Int) {
        let row = Self.rows[i]
        let r = decodeUpdate(row.body)
        guard let f = fault(r) else {
            Issue.record("\(row.name): decoded without error: \(r)")
            return
        }
        #expect(f.action == row.action, "\(row.name)")
        if row.action != .attributeDiscard {
            #expect(f.code == row.code && f.subcode == row.subcode, "\(row.name): got \(f.code)/\(f.subcode)")
        }
    }

    @Test func faultData() {
        // RFC 4271 §6.3: the Data field holds the offending attribute, or the missing type code.
        #expect(decodeUpdate(Self.rows[10].body).fault?.notification.data == hex("40 63 00"))
        #expect(decodeUpdate(Self.rows[11].body).fault?.notification.data == [1])
        #expect(decodeUpdate(Self.rows[18].body).fault?.notification.data == hex("40 01 01 03"))
        #expect(decodeUpdate(Self.rows[20].body).fault?.notification.data == hex("40 03 04 00000000"))
    }

    @Test func treatAsWithdrawCarriesEveryNLRI() {
        let body = updateBody(withdrawn: hex("10 0a09"),
                              attributes: hex("40 01 01 07") + Self.asPath + Self.nextHop + hex(Self.v6reach) + hex("80 0f 03 0002 01"),
                              nlri: Self.nlri)
        let r = decodeUpdate(body)
        guard case .treatAsWithdraw(let u, .invalidOrigin) = r else {
            Issue.record("\(r)")
            return
        }
        let json = MessageJSON().render(r)
        #expect(json["withdrawn"] == .array([.string("10.9.0.0/16"), .string("10.0.1.0/24"), .string("2001:db8::/32")]))
        #expect(json["error"]?["action"] == .string("treat-as-withdraw"))
        #expect(u.attributes.origin == nil)
    }

    @Test func discardKeepsTheRestAndSaysWhat() {
        let r = decodeUpdate(Self.withMandatory("40 06 01 00  80 04 04 00000005"))
        guard case .message(.update(let u)) = r else {
            Issue.record("\(r)")
            return
        }
        #expect(u.attributes.atomicAggregate == false)
        #expect(u.attributes.med == 5)
        #expect(u.wire.discarded == [6])
        let json = MessageJSON().render(r)
        #expect(json["discarded"] == .array([.int(6)]))
        #expect(json["error"] == nil)
    }

    @Test func afiSafiDisableNamesTheFamily() {
        let r = decodeUpdate(Self.withMandatory("80 0e 0e 0002 01 08 0000000000000001 00 00"))
        guard case .afiSafiDisable(let fam, _, _) = r else {
            Issue.record("\(r)")
            return
        }
        #expect(fam == .ipv6Unicast)
        let json = MessageJSON().render(r)
        #expect(json["afi"] == .int(2) && json["safi"] == .int(1))
    }

    @Test func mandatoryAttributesAreNotNeededToWithdraw() {
        #expect(decodeUpdate(updateBody(withdrawn: hex("18 0a0001"))).message != nil)
        #expect(decodeUpdate(updateBody(attributes: hex("80 0f 03 0002 01"))).message != nil)
        // MP_REACH alone needs ORIGIN and AS_PATH but no NEXT_HOP.
        #expect(decodeUpdate(updateBody(attributes: Self.origin + Self.asPath + hex(Self.v6reach))).message != nil)
    }

    @Test(arguments: [
        (MessageFault.header(.connectionNotSynchronized), "1/1/", ErrorAction.sessionReset),
        (.header(.badMessageLength(5)), "1/2/0005", .sessionReset),
        (.header(.badMessageType(9)), "1/3/09", .sessionReset),
        (.open(.unsupportedVersion(3)), "2/1/0004", .sessionReset),
        (.open(.badBGPIdentifier(0)), "2/3/", .sessionReset),
        (.open(.unacceptableHoldTime(1)), "2/6/", .sessionReset),
        (.open(.unsupportedOptionalParameter(1)), "2/4/", .sessionReset),
        (.open(.malformedOptionalParameters), "2/0/", .sessionReset),
        (.open(.malformedCapability(code: 1, data: [1, 1, 0])), "2/0/010100", .sessionReset),
        (.update(.withdrawnLengthOverrun), "3/1/", .sessionReset),
        (.update(.attributeHeaderTruncated), "3/1/", .treatAsWithdraw),
        (.update(.missingWellKnown(code: 2)), "3/3/02", .treatAsWithdraw),
        (.update(.multiprotocol(code: 14, family: .ipv6Unicast)), "3/9/", .afiSafiDisable),
        (.routeRefresh(.invalidMessageLength(subtype: 1, data: [9])), "7/1/09", .sessionReset),
    ])
    func faultMapping(fault: MessageFault, notification: String, action: ErrorAction) {
        let n = fault.notification
        #expect("\(n.code)/\(n.subcode)/\(hexString(n.data))" == notification)
        #expect(fault.action == action)
    }
}
