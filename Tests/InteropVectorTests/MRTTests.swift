import BGPCodec
import MRT
import Testing

/// The MRT reader/writer (RFC 6396) against a real route-collector dump,
/// and on malformed input.
@Suite struct MRTTests {
    typealias S = MRTTestSupport

    /// Each record of the sample with the exact bytes it was read from.
    static func sampleRecords() throws -> [(record: MRTRecord, bytes: ArraySlice<UInt8>)] {
        let dump = try S.sampleDump()
        var reader = MRTReader(dump)
        var out: [(MRTRecord, ArraySlice<UInt8>)] = []
        var start = reader.offset
        while let r = try reader.next() {
            out.append((r, dump[start..<reader.offset]))
            start = reader.offset
        }
        #expect(reader.isAtEnd)
        return out
    }

    static func update(_ record: MRTRecord) throws -> UpdateMessage? {
        let b = try BGP4MPRecord(decoding: record)
        guard let m = b.message, case .message(.update(let u)) = MessageCodec.decode(m, context: b.codecContext) else { return nil }
        return u
    }

    // MARK: The sample dump

    @Test func sampleHas85BGP4MPETMessageAS4Records() throws {
        let records = try Self.sampleRecords()
        #expect(records.count == 85)
        for (r, _) in records {
            #expect(r.type == .bgp4mpET)
            #expect(BGP4MPSubtype(r.subtype) == .messageAS4)
        }
    }

    @Test func everyRecordParsesAndReencodesByteExactly() throws {
        let records = try Self.sampleRecords()
        var written: [UInt8] = []
        for (i, (r, original)) in records.enumerated() {
            #expect(try r.encoded() == Array(original), "record \(i)")
            let body = try BGP4MPRecord(decoding: r)
            #expect(try body.encodeBody() == r.body, "record \(i)")
            let rebuilt = try MRTRecord(timestamp: r.timestamp, microseconds: r.microseconds, bgp4mp: body)
            #expect(rebuilt == r, "record \(i)")
            try rebuilt.encode(into: &written)
        }
        #expect(written == (try S.sampleDump()))
    }

    @Test func everyUpdateDecodesAndReencodesByteExactly() throws {
        var failures: [String] = []
        for (i, (r, _)) in try Self.sampleRecords().enumerated() {
            let b = try BGP4MPRecord(decoding: r)
            let context = b.codecContext
            #expect(context.fourOctetAS && context.addPath.isEmpty)
            guard let m = b.message else {
                failures.append("record \(i): no message")
                continue
            }
            guard case .message(.update(let u)) = MessageCodec.decode(m, context: context) else {
                failures.append("record \(i): \(MessageCodec.decode(m, context: context)) for \(S.hex(m))")
                continue
            }
            #expect(u.wire.discarded.isEmpty, "record \(i)")
            do {
                let again = try MessageCodec.encode(.update(u), context: context)
                if again != m { failures.append("record \(i): re-encoded \(S.hex(again)) from \(S.hex(m))") }
            } catch {
                failures.append("record \(i): encode threw \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func firstRecordIsAnIPv4UpdateFromAS140684() throws {
        let (r, _) = try #require(try Self.sampleRecords().first)
        #expect(r.timestamp == 1_726_353_018)
        #expect(r.microseconds == 908_490)
        let b = try BGP4MPRecord(decoding: r)
        #expect(b.peerAS == 140_684)
        #expect(b.localAS == 6447)
        #expect(b.interfaceIndex == 0)
        #expect(b.addresses == .ipv4(peer: IPv4Address(103, 151, 196, 1), local: IPv4Address(103, 151, 196, 30)))
        #expect(b.addresses.peer.description == "103.151.196.1")
        let u = try #require(try Self.update(r))
        #expect(u.withdrawn.isEmpty)
        #expect(u.nlri == [IPv4Prefix("103.188.233.0/24")!, IPv4Prefix("103.188.232.0/23")!])
        #expect(u.attributes.origin == .igp)
        #expect(u.attributes.asPath == [ASPathSegment(.sequence, [137_967, 137_541, 137_541, 149_854])])
        #expect(u.attributes.nextHop == IPv4Address(103, 151, 196, 152))
        #expect(u.attributes.extendedCommunities?.count == 7)
    }

    @Test func record11IsAnIPv6MPReachUpdate() throws {
        let (r, _) = try Self.sampleRecords()[11]
        let b = try BGP4MPRecord(decoding: r)
        #expect(b.addresses == .ipv6(peer: IPv6Address("2001:df3:d680::5")!, local: IPv6Address("2001:df3:d680::30")!))
        #expect(b.addresses.afi == .ipv6)
        let u = try #require(try Self.update(r))
        #expect(u.nlri.isEmpty)
        #expect(u.attributes.asPath == [ASPathSegment(.sequence, [140_684, 137_967])])
        let reach = try #require(u.attributes.mpReach)
        #expect(reach.family == .ipv6Unicast)
        #expect(reach.nextHop == .ipv6(IPv6Address("2001:df3:d680::52")!, linkLocal: IPv6Address("fe80::b68a:5f0c:1e51:dc5d")!))
        guard case .ipv6(let prefixes) = reach.nlri else {
            Issue.record("expected IPv6 NLRI")
            return
        }
        #expect(prefixes.count == 12)
        #expect(prefixes.first == IPv6Prefix("2403:1e40::/32"))
        #expect(prefixes.last == IPv6Prefix("2403:1e40:1216::/48"))
    }

    @Test func sampleHasBothFamiliesAndTwoPeeringsPerFamily() throws {
        var families: [UInt16: Int] = [:]
        var peers = Set<MRTIPAddress>()
        for (r, _) in try Self.sampleRecords() {
            let b = try BGP4MPRecord(decoding: r)
            families[b.addresses.afi.rawValue, default: 0] += 1
            peers.insert(b.addresses.peer)
        }
        #expect(families == [1: 56, 2: 29])
        #expect(peers.count == 4)
    }

    // MARK: Malformed input: typed errors, never traps

    static let stateChange = BGP4MPRecord(
        subtype: .stateChange, peerAS: 65001, localAS: 65002, interfaceIndex: 3,
        addresses: .ipv4(peer: IPv4Address(192, 0, 2, 1), local: IPv4Address(192, 0, 2, 2)),
        content: .stateChange(old: .openConfirm, new: .established))

    @Test func truncatedHeaderIsTypedError() {
        #expect(throws: MRTError.truncatedHeader(offset: 0, available: 5)) {
            try MRTReader.records(in: [0, 0, 0, 1, 0])
        }
        #expect(throws: MRTError.truncatedHeader(offset: 0, available: 0)) { try MRTRecord.decode([]) }
    }

    @Test func lengthPastTheEndIsTypedError() throws {
        var bytes = try MRTRecord(timestamp: 7, bgp4mp: Self.stateChange).encoded()
        let good = bytes
        bytes.removeLast()
        #expect(throws: MRTError.truncatedRecord(offset: 0, length: 20, available: 19)) { try MRTRecord.decode(bytes) }
        // A good record, then one whose length runs past the end.
        var reader = MRTReader(good + bytes)
        #expect(try reader.next() != nil)
        let expected = MRTError.truncatedRecord(offset: good.count, length: 20, available: 19)
        #expect(throws: expected) { try reader.next() }
        #expect(throws: expected) { try reader.next() }  // sticky
        #expect(reader.failure == expected)
    }

    @Test func oversizedLengthIsRefusedBeforeReading() {
        let header: [UInt8] = [0, 0, 0, 0, 0, 16, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: MRTError.recordTooLong(offset: 0, length: 0xFFFF_FFFF, limit: MRTLimits.defaultMaxRecordLength)) {
            try MRTRecord.decode(header)
        }
        #expect(throws: MRTError.recordTooLong(offset: 0, length: 20, limit: 10)) {
            try MRTReader.records(in: try MRTRecord(timestamp: 7, bgp4mp: Self.stateChange).encoded(), maxRecordLength: 10)
        }
    }

    @Test func extendedTimestampRecordTooShortForMicroseconds() {
        let bytes: [UInt8] = [0, 0, 0, 0, 0, 17, 0, 4, 0, 0, 0, 3, 1, 2, 3]
        #expect(throws: MRTError.missingMicroseconds(offset: 0, length: 3)) { try MRTRecord.decode(bytes) }
    }

    @Test func everyTruncationOfARealRecordIsATypedError() throws {
        let (r, original) = try Self.sampleRecords()[11]
        let whole = Array(original)
        for n in 1..<whole.count {
            #expect(throws: MRTError.self) { try MRTRecord.decode(Array(whole[..<n])) }
        }
        for n in 0..<r.body.count {
            #expect(throws: MRTError.self) {
                let b = try BGP4MPRecord(decoding: MRTRecord(timestamp: 0, microseconds: 0, type: .bgp4mpET, subtype: r.subtype, body: Array(r.body[..<n])))
                // Past the addresses, a cut message still parses as bytes: the
                // BGP codec must then refuse it.
                if let m = b.message, MessageCodec.decode(m, context: b.codecContext).message == nil { throw MRTError.trailingBytes(count: 0) }
            }
        }
    }

    @Test func badBodiesAreTypedErrors() throws {
        let body = try Self.stateChange.encodeBody()
        func decode(_ b: [UInt8], type: MRTType = .bgp4mp, subtype: UInt16 = 0) throws(MRTError) -> BGP4MPRecord {
            try BGP4MPRecord(decoding: MRTRecord(timestamp: 0, type: type, subtype: subtype, body: b))
        }
        #expect(throws: MRTError.notBGP4MP(type: .tableDumpV2)) { try decode(body, type: .tableDumpV2) }
        #expect(throws: MRTError.unsupportedSubtype(2)) { try decode(body, subtype: 2) }
        var badAFI = body
        badAFI[7] = 9
        #expect(throws: MRTError.unsupportedAddressFamily(9)) { try decode(badAFI) }
        #expect(throws: MRTError.truncatedBody(field: "local IP", needed: 4, available: 2)) { try decode(Array(body[..<14])) }
        #expect(throws: MRTError.trailingBytes(count: 1)) { try decode(body + [0]) }
        #expect(throws: MRTError.truncatedBody(field: "peer IP", needed: 16, available: 4)) {
            try decode([0, 1, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4], subtype: 1)
        }
    }

    /// Random byte changes anywhere in the dump end in records or typed
    /// errors, and the BGP codec gets whatever bytes result: no traps.
    @Test func mutatedDumpNeverTraps() throws {
        let dump = try S.sampleDump()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        var errors = 0
        for _ in 0..<200 {
            var bytes = dump
            for _ in 0..<(1 + random(4)) { bytes[random(bytes.count)] = UInt8(random(256)) }
            var reader = MRTReader(bytes)
            do {
                while let r = try reader.next() {
                    guard let b = try? BGP4MPRecord(decoding: r), let m = b.message else { continue }
                    _ = MessageCodec.decode(m, context: b.codecContext)
                }
            } catch {
                errors += 1
            }
        }
        #expect(errors > 0)
    }

    // MARK: Encoding

    @Test func stateChangeRoundTrips() throws {
        let record = try MRTRecord(timestamp: 1_700_000_000, bgp4mp: Self.stateChange)
        #expect(record.type == .bgp4mp)
        let bytes = try record.encoded()
        #expect(S.hex(bytes) == "6553f100" + "0010" + "0000" + "00000014" + "fde9fdea" + "0003" + "0001" + "c0000201c0000202" + "00050006")
        let back = try MRTRecord.decode(bytes)
        #expect(back == record)
        #expect(try BGP4MPRecord(decoding: back) == Self.stateChange)

        var v6 = Self.stateChange
        v6.subtype = .stateChangeAS4
        v6.peerAS = 4_200_000_000
        v6.addresses = .ipv6(peer: IPv6Address("2001:db8::1")!, local: IPv6Address("2001:db8::2")!)
        let et = try MRTRecord(timestamp: 1, microseconds: 999_999, bgp4mp: v6)
        #expect(et.type == .bgp4mpET && et.length == 4 + 8 + 4 + 32 + 4)
        #expect(try BGP4MPRecord(decoding: MRTRecord.decode(et.encoded())) == v6)
    }

    @Test func encoderRefusesWhatCannotBeWritten() {
        var big = Self.stateChange
        big.peerAS = 70_000
        #expect(throws: MRTError.asNumberTooLarge(70_000, subtype: .stateChange)) { try big.encodeBody() }
        var mismatch = Self.stateChange
        mismatch.subtype = .message
        #expect(throws: MRTError.contentMismatch(subtype: .message)) { try mismatch.encodeBody() }
        mismatch.subtype = BGP4MPSubtype(3)
        #expect(throws: MRTError.unsupportedSubtype(3)) { try mismatch.encodeBody() }
    }

    @Test func codecContextFollowsSubtype() throws {
        var b = Self.stateChange
        b.content = .message([])
        for (subtype, as4, addPath) in [(BGP4MPSubtype.message, false, false), (.messageAS4, true, false),
                                        (.messageLocal, false, false), (.messageAS4Local, true, false),
                                        (.messageAddPath, false, true), (.messageAS4LocalAddPath, true, true)] {
            b.subtype = subtype
            #expect(b.codecContext.fourOctetAS == as4, "\(subtype)")
            #expect(b.codecContext.addPath.contains(.ipv4Unicast) == addPath, "\(subtype)")
            #expect(b.codecContext.maxMessageLength == BGPLimits.maxMessageLength)
        }
    }

    @Test func addPathSubtypeDecodesPathIdentifiers() throws {
        let send = CodecContext(fourOctetAS: true, addPath: [.ipv4Unicast])
        let attrs = PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [4_200_000_000])], nextHop: IPv4Address(192, 0, 2, 1))
        let update = UpdateMessage(attributes: attrs, nlri: [IPv4Prefix(IPv4Address(198, 51, 100, 0), 24, pathID: 7)])
        let message = try MessageCodec.encode(.update(update), context: send)
        var b = Self.stateChange
        b.subtype = .messageAS4AddPath
        b.content = .message(message)
        let record = try MRTRecord.decode(MRTRecord(timestamp: 1, microseconds: 2, bgp4mp: b).encoded())
        let back = try BGP4MPRecord(decoding: record)
        #expect(back == b)
        guard case .message(.update(let u)) = MessageCodec.decode(message, context: back.codecContext) else {
            Issue.record("ADD-PATH UPDATE did not decode")
            return
        }
        #expect(u.nlri.first?.pathID == 7)
    }
}
