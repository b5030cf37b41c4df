import BGPCodec
import FuzzChecks
import TestSupport
import Testing

@Suite struct PropertyTests {
    static let contexts: [(String, CodecContext, Bool)] = [
        ("4-octet", CodecContext(extendedMessage: true), false),
        ("2-octet", CodecContext(fourOctetAS: false, extendedMessage: true), false),
        ("add-path", CodecContext(addPath: [.ipv4Unicast, .ipv6Unicast, .ipv4Multicast], extendedMessage: true), true),
    ]

    /// encode, then decode, gives back the same value; decode, then encode,
    /// gives back the same bytes.
    @Test(arguments: contexts.indices)
    func roundTrips(_ c: Int) throws {
        let (name, ctx, addPath) = Self.contexts[c]
        var gen = MessageGenerator(seed: 0xB6B0 + UInt64(c), addPath: addPath)
        var checked = 0
        for _ in 0..<1500 {
            var m = gen.message()
            if !ctx.fourOctetAS, case .update(var u) = m {
                // 2-octet sessions carry only 16-bit ASNs in AS_PATH/AGGREGATOR.
                u.attributes.asPath = u.attributes.asPath?.map { ASPathSegment($0.kind, $0.asns.map { $0 & 0xFFFF }) }
                if let g = u.attributes.aggregator { u.attributes.aggregator = Aggregator(asn: g.asn & 0xFFFF, address: g.address) }
                m = .update(u)
            }
            let bytes = try MessageCodec.encode(m, context: ctx)
            let decoded = MessageCodec.decode(bytes, context: ctx)
            #expect(decoded == .message(m), "\(name): \(m)")
            if case .message(let d) = decoded {
                #expect(try MessageCodec.encode(d, context: ctx) == bytes, "\(name)")
            }
            checked += 1
        }
        #expect(checked == 1500)
    }

    /// Random damage to valid streams: every outcome is defined, nothing
    /// traps, and what still decodes round-trips (the fuzz targets' checks).
    @Test func mutatedStreamsNeverBreakInvariants() throws {
        var gen = MessageGenerator(seed: 7)
        var rng = SplitMix64(seed: 99)
        for _ in 0..<400 {
            var stream: [UInt8] = []
            for _ in 0..<3 { stream += try MessageCodec.encode(gen.message(), context: CodecContext(extendedMessage: true)) }
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<stream.count, using: &rng)
                switch Int.random(in: 0...2, using: &rng) {
                case 0: stream[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: stream.removeSubrange(i..<min(stream.count, i + Int.random(in: 1...8, using: &rng)))
                default: stream.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                }
                if stream.isEmpty { break }
            }
            let problems = stream.withUnsafeBytes { FuzzChecks.framing($0) }
            #expect(problems.isEmpty, "\(problems) for \(stream)")
        }
    }
}
