import BGPCodec
import Testing

@Suite struct PackerTests {
    let attrs = PathAttributes(origin: .igp, asPath: [ASPathSegment(.sequence, [65011])], nextHop: a4("10.0.0.11"))

    func decodeAll(_ messages: [[UInt8]], context: CodecContext = .default) -> [UpdateMessage] {
        messages.compactMap {
            if case .message(.update(let u)) = MessageCodec.decode($0, context: context) { return u }
            return nil
        }
    }

    @Test func ipv4FillsEachMessageToTheLimit() {
        let prefixes = (0..<5000).map { IPv4Prefix(IPv4Address(0x0A00_0000 | UInt32($0) << 8), 24) }
        let msgs = UpdatePacker.announce(prefixes, attributes: attrs, context: .default)
        #expect(msgs.allSatisfy { $0.count <= 4096 })
        // Every message but the last has no room for one more /24 (4 bytes).
        #expect(msgs.dropLast().allSatisfy { $0.count > 4096 - 4 })
        let decoded = decodeAll(msgs)
        #expect(decoded.count == msgs.count)
        #expect(decoded.flatMap(\.nlri) == prefixes)
        #expect(decoded.allSatisfy { $0.attributes == attrs })
    }

    @Test func extendedMessageCarriesMore() {
        let prefixes = (0..<20000).map { IPv4Prefix(IPv4Address(UInt32($0) << 8), 24) }
        let small = UpdatePacker.announce(prefixes, attributes: attrs, context: .default)
        let ctx = CodecContext(extendedMessage: true)
        let large = UpdatePacker.announce(prefixes, attributes: attrs, context: ctx)
        #expect(large.count * 10 <= small.count)
        #expect(large.allSatisfy { $0.count <= 65535 })
        #expect(decodeAll(large, context: ctx).flatMap(\.nlri) == prefixes)
    }

    @Test func ipv6GoesInMPReach() {
        let prefixes = (0..<3000).map { IPv6Prefix(IPv6Address(high: 0xFD00_0000_0000_0000 | UInt64($0) << 16, low: 0), 48) }
        let nh = NextHop.ipv6(a6("2001:db8::11"), linkLocal: a6("fe80::11"))
        let msgs = UpdatePacker.announce(prefixes, nextHop: nh, attributes: attrs, context: .default)
        #expect(msgs.allSatisfy { $0.count <= 4096 })
        #expect(msgs.dropLast().allSatisfy { $0.count > 4096 - 7 - 2 })
        let decoded = decodeAll(msgs)
        #expect(decoded.count == msgs.count)
        #expect(decoded.flatMap { u -> [IPv6Prefix] in
            if case .ipv6(let p) = u.attributes.mpReach?.nlri { return p }
            return []
        } == prefixes)
        #expect(decoded.allSatisfy { $0.nlri.isEmpty && $0.attributes.mpReach?.nextHop == nh && $0.attributes.nextHop == a4("10.0.0.11") })
    }

    @Test func withdrawalsPack() {
        let v4 = (0..<3000).map { IPv4Prefix(IPv4Address(UInt32($0) << 8), 24) }
        let m4 = UpdatePacker.withdraw(v4, context: .default)
        #expect(decodeAll(m4).flatMap(\.withdrawn) == v4)
        let v6 = (0..<3000).map { IPv6Prefix(IPv6Address(high: UInt64($0) << 32, low: 0), 64) }
        let m6 = UpdatePacker.withdraw(v6, context: .default)
        #expect(m6.allSatisfy { $0.count <= 4096 })
        #expect(decodeAll(m6).flatMap { u -> [IPv6Prefix] in
            if case .ipv6(let p) = u.attributes.mpUnreach?.withdrawn { return p }
            return []
        } == v6)
    }

    @Test func addPathCountsTheIdentifier() {
        let ctx = CodecContext(addPath: [.ipv4Unicast])
        let prefixes = (0..<3000).map { IPv4Prefix(IPv4Address(UInt32($0) << 8), 24, pathID: UInt32($0)) }
        let msgs = UpdatePacker.announce(prefixes, attributes: attrs, context: ctx)
        #expect(msgs.allSatisfy { $0.count <= 4096 })
        #expect(decodeAll(msgs, context: ctx).flatMap(\.nlri) == prefixes)
    }
}
