import ArgumentParser
import BGPCodec
#if canImport(Glibc)
import Glibc
#endif

/// Writes a realistic UPDATE stream for the decode and ingest benchmarks:
/// N prefixes spread over a few attribute sets, each set's prefixes packed
/// into as few UPDATEs as the message size allows (about 1000 IPv4 /24s per
/// 4096-byte UPDATE), then End-of-RIB. Built with our own encoder, so the
/// stream also exercises UpdatePacker.
struct StreamGen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bgp-streamgen",
                                                    abstract: "Write a binary stream of BGP UPDATEs to stdout.")

    @Option(help: "Number of prefixes.") var prefixes = 1_000_000
    @Option(help: "ipv4 (/24s in the NLRI field) or ipv6 (/48s in MP_REACH).") var family = "ipv4"
    @Option(name: .customLong("attribute-sets"), help: "Distinct attribute sets.") var attributeSets = 4
    @Flag(name: .customLong("extended-message"), help: "Pack into 65535-byte messages.") var extendedMessage = false
    @Flag(name: .customLong("no-eor"), help: "Leave out End-of-RIB.") var noEOR = false

    func validate() throws {
        guard family == "ipv4" || family == "ipv6" else { throw ValidationError("--family is ipv4 or ipv6") }
        guard attributeSets >= 1, prefixes >= 0 else { throw ValidationError("counts must be positive") }
    }

    func attributes(_ i: Int) -> PathAttributes {
        PathAttributes(origin: .igp,
                       asPath: [ASPathSegment(.sequence, [65001, UInt32(64600 + i), UInt32(4_200_000_000 + UInt32(i))])],
                       nextHop: IPv4Address(10, 0, 0, 1),
                       med: UInt32(i * 10),
                       communities: [65001 << 16 | UInt32(i), 65001 << 16 | 666],
                       largeCommunities: [LargeCommunity(65001, 1, UInt32(i))])
    }

    func run() throws {
        let ctx = CodecContext(extendedMessage: extendedMessage)
        var out: [UInt8] = []
        out.reserveCapacity(prefixes * (family == "ipv4" ? 4 : 7) + 1 << 20)
        let perSet = (prefixes + attributeSets - 1) / attributeSets
        for s in 0..<attributeSets {
            let range = (s * perSet)..<min(prefixes, (s + 1) * perSet)
            guard !range.isEmpty else { continue }
            if family == "ipv4" {
                // Consecutive /24s from 1.0.0.0 up.
                let list = range.map { IPv4Prefix(IPv4Address(0x0100_0000 &+ UInt32($0) << 8), 24) }
                for m in UpdatePacker.announce(list, attributes: attributes(s), context: ctx) { out += m }
            } else {
                let list = range.map { IPv6Prefix(IPv6Address(high: 0x2001_0DB8_0000_0000 | UInt64($0) << 16, low: 0), 48) }
                var a = attributes(s)
                a.nextHop = nil
                let nh = NextHop.ipv6(IPv6Address(high: 0x2001_0DB8_FFFF_0000, low: 1), linkLocal: IPv6Address(high: 0xFE80_0000_0000_0000, low: 1))
                for m in UpdatePacker.announce(list, nextHop: nh, attributes: a, context: ctx) { out += m }
            }
        }
        if !noEOR {
            out += try MessageCodec.encode(.update(.endOfRIB(family == "ipv4" ? .ipv4Unicast : .ipv6Unicast)), context: ctx)
        }
        var offset = 0
        while offset < out.count {
            let n = out[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { throw ExitCode.failure }
        }
    }
}

StreamGen.main()
