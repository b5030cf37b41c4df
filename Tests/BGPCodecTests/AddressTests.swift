import BGPCodec
import Testing

@Suite struct AddressTests {
    @Test(arguments: [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),     // RFC 5952 §4.2.3: first of equal runs
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),   // §4.2.2: one zero group is not shortened
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("FD00:1::100", "fd00:1::100"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),                  // the longest run wins
    ])
    func rfc5952(input: String, expected: String) throws {
        let a = try #require(IPv6Address(input))
        #expect(a.description == expected)
        #expect(IPv6Address(expected) == a)
    }

    @Test(arguments: ["", ":", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", "1:2:3:4:5:6:7", "::1.2.3"])
    func invalidIPv6(_ s: String) {
        #expect(IPv6Address(s) == nil)
    }

    @Test func ipv4() {
        #expect(IPv4Address("10.0.1.100")?.value == 0x0A00_0164)
        #expect(IPv4Address(0xC000_0201).description == "192.0.2.1")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4.", "1.2.3.1000"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
        #expect(IPv4Address(0).description == "0.0.0.0")
        #expect(IPv4Address(UInt32.max).description == "255.255.255.255")
        // text and value agree with the plain formatting, both ways
        var x: UInt32 = 0x9E37_79B9
        for octet in [0, 1, 9, 10, 99, 100, 199, 200, 255] as [UInt32] {
            x = x &* 0x0100_0193 &+ octet
            for v in [octet << 24 | x >> 8, x, octet * 0x0101_0101] {
                let text = "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
                #expect(IPv4Address(v).description == text)
                #expect(IPv4Address(text)?.value == v)
            }
        }
    }

    /// The host and port split every "address:port" reader shares (the
    /// config's socket addresses, IPVS's service keys); the port's text is
    /// the caller's to read.
    @Test func splittingPort() {
        let ok: [(String, String, String)] = [
            ("10.0.0.1:80", "10.0.0.1", "80"), ("[2001:db8::1]:53", "2001:db8::1", "53"), ("10.0.0.1:", "10.0.0.1", ""),
            ("[::]:x", "::", "x"),
        ]
        for (text, address, port) in ok {
            let split = IPAddress.splittingPort(Substring(text))
            #expect(split?.address == IPAddress(address), "\(text)")
            #expect(split.map { String($0.port) } == port, "\(text)")
        }
        for bad in ["10.0.0.1", "2001:db8::1:53", "[10.0.0.1]:80", "[2001:db8::1]53", "[2001:db8::1", "host:80", ":80"] {
            #expect(IPAddress.splittingPort(Substring(bad)) == nil, "\(bad)")
        }
        #expect(IPAddress("10.0.0.1")!.withPort(80) == "10.0.0.1:80")
        #expect(IPAddress("2001:db8::1")!.withPort(53) == "[2001:db8::1]:53")
    }

    @Test func prefixes() {
        #expect(IPv4Prefix("10.0.0.0/8")?.length == 8)
        #expect(IPv4Prefix("10.0.0.1/8") == nil)      // host bits
        #expect(IPv4Prefix("10.0.0.0/33") == nil)
        #expect(IPv6Prefix("fd00::/8")?.description == "fd00::/8")
        #expect(IPv6Prefix("fd00::1/64") == nil)
        #expect(IPv6Prefix.mask(0) == (0, 0))
        #expect(IPv6Prefix.mask(64) == (~0, 0))
        #expect(IPv6Prefix.mask(65) == (~0, 1 << 63))
        #expect(IPv6Prefix.mask(128) == (~0, ~0))
    }
}
