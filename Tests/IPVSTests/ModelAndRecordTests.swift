import IPVS
import Testing

@Suite struct ModelAndRecordTests {
    @Test func keysPrintAndParseTheRecordsSpelling() {
        let cases: [(IPVSServiceKey, String)] = [
            (tcp("192.168.113.200", 8443), "tcp 192.168.113.200:8443"),
            (.address(.udp, addr("fd00:9::100"), port: 53), "udp [fd00:9::100]:53"),
            (.address(.sctp, addr("10.9.0.100"), port: 3868), "sctp 10.9.0.100:3868"),
            (.fwmark(7, family: .ipv4), "fwmark 7 ipv4"),
            (.fwmark(4_294_967_295, family: .ipv6), "fwmark 4294967295 ipv6"),
        ]
        for (key, text) in cases {
            #expect(key.description == text)
            #expect(IPVSServiceKey(text) == key)
        }
        for bad in ["", "tcp", "tcp 192.168.113.200", "tcp fd00::1:53", "icmp 10.0.0.1:1", "tcp 10.0.0.1:65536",
                    "fwmark 0 ipv4", "fwmark -1 ipv4", "fwmark 7", "fwmark 7 ipv5", "tcp [10.0.0.1]:80",
                    "tcp  10.0.0.1:80", "tcp 10.0.0.1:80 ", "fwmark +7 ipv4"] {
            #expect(IPVSServiceKey(bad) == nil, "\(bad)")
        }
    }

    @Test func theRecordRoundTrips() throws {
        let header = "vipd-ipvs boot=0b7e6e0c-49e3-4a65-9f1f-3d2c1a0b9e8f netns=4096"
        let record = IPVSOwnershipRecord(header: header, services: [
            .fwmark(7, family: .ipv4), tcp("192.168.113.200", 8443), .address(.udp, addr("fd00:9::100"), port: 53),
            .fwmark(7, family: .ipv6), tcp("10.0.0.1", 80),
        ])
        #expect(record.text == """
            vipd-ipvs boot=0b7e6e0c-49e3-4a65-9f1f-3d2c1a0b9e8f netns=4096
            tcp 10.0.0.1:80
            tcp 192.168.113.200:8443
            udp [fd00:9::100]:53
            fwmark 7 ipv4
            fwmark 7 ipv6

            """)
        #expect(try IPVSOwnershipRecord.parse(record.text) == record)
        let empty = IPVSOwnershipRecord(header: header, services: [])
        #expect(empty.text == header + "\n")
        #expect(try IPVSOwnershipRecord.parse(empty.text) == empty)
    }

    @Test func theRecordRefusesWhatIsNotAService() throws {
        #expect(throws: IPVSOwnershipRecordError.empty) { try IPVSOwnershipRecord.parse("") }
        #expect(throws: IPVSOwnershipRecordError.badLine(number: 3, text: "tcp 10.0.0.1")) {
            try IPVSOwnershipRecord.parse("h\ntcp 10.0.0.1:80\ntcp 10.0.0.1\n")
        }
        // a header with a line break stays one line
        let r = IPVSOwnershipRecord(header: "a\nb", services: [tcp("10.0.0.1", 80)])
        #expect(r.text == "a b\ntcp 10.0.0.1:80\n")
        // blank lines and a missing final newline are fine; duplicates count once
        #expect(try IPVSOwnershipRecord.parse("h\n\ntcp 10.0.0.1:80\ntcp 10.0.0.1:80").services == [tcp("10.0.0.1", 80)])
    }

    @Test func valuesConvertToTheKernelsNumbers() {
        #expect(IPVSForwarding.masq.kernelCode == 0 && IPVSForwarding.masqCode == 0)
        #expect(IPVSForwarding.local.kernelCode == IPVSForwarding.localNodeCode)
        #expect(IPVSForwarding.tunnel.kernelCode == 2 && IPVSForwarding.droute.kernelCode == 3)
        #expect(IPVSForwarding(kernelFlags: 0x0100 | 3) == .droute)  // other conn flags ignored

        let v4 = addr("192.168.113.200")
        #expect(v4.family == 2 && v4.addressBytes == [192, 168, 113, 200])
        #expect(IPVSAddress(family: 2, bytes: [192, 168, 113, 200] + Array(repeating: 0, count: 12)) == v4)
        let v6 = addr("fd00:9::100")
        #expect(v6.family == 10 && v6.addressBytes.count == 16)
        #expect(IPVSAddress(family: 10, bytes: v6.addressBytes) == v6)
        #expect(IPVSAddress(family: 7, bytes: v6.addressBytes) == nil)

        let key = tcp("192.168.113.200", 8443)
        #expect(key.family == 2 && key.protocolNumber == 6 && key.port == 8443 && key.fwmark == 0)
        #expect(IPVSServiceKey.address(.sctp, v6, port: 1).protocolNumber == 132)
        #expect(IPVSServiceKey.fwmark(7, family: .ipv6).family == 10)

        var s = IPVSService(key: key, scheduler: "wlc", persistence: 300)
        #expect(s.netmaskPrefixLength == 32 && s.kernelFlags == IPVSService.persistentFlag && s.kernelTimeout == 300)
        #expect(s.kernelNetmask == UInt32(0xFFFF_FFFF))
        s.netmaskPrefixLength = 24
        withUnsafeBytes(of: s.kernelNetmask) { #expect(Array($0) == [255, 255, 255, 0]) }  // a __be32 in memory
        #expect(IPVSService(key: key, scheduler: "wlc", kernelFlags: 0x0003, kernelTimeout: 300,
                            kernelNetmask: s.kernelNetmask) == s)
        #expect(IPVSService(key: key, scheduler: "rr", kernelFlags: 0x0002, kernelTimeout: 0,
                            kernelNetmask: 0xFFFF_FFFF) == IPVSService(key: key, scheduler: "rr"))
        #expect(IPVSService.netmaskPrefixLength(kernelNetmask: UInt32(0xFF00_FF00).bigEndian, family: .ipv4) == nil)
        #expect(IPVSService.netmaskPrefixLength(kernelNetmask: 0, family: .ipv4) == 0)
        let s6 = IPVSService(key: .fwmark(3, family: .ipv6), netmaskPrefixLength: 64)
        #expect(s6.kernelNetmask == 64 && s6.kernelFlags == 0)
        #expect(IPVSService.netmaskPrefixLength(kernelNetmask: 129, family: .ipv6) == nil)
    }
}
