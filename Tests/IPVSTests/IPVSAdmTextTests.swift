import BGPCodec
@testable import IPVS
import Testing

/// Golden strings written from ipvsadm 1.31's printf formats (print_title,
/// print_service_entry, print_largenum), not from this module's output.
@Suite struct IPVSAdmTextTests {
    func sp(_ n: Int) -> String { String(repeating: " ", count: n) }
    func text(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    let head = [
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
    ]

    @Test func listsTheSeedServiceAsIpvsadmLn() {
        let counters = IPVSCounters(destinations: [
            seedKey: [dest("192.168.113.22", 8443).key: IPVSDestinationCounters(activeConns: 3, inactiveConns: 12)],
        ])
        let got = IPVSAdmText.list(IPVSTableState([seedService]), counters: counters)
        #expect(got == text(head + [
            "TCP  192.168.113.200:8443 wlc",
            "  -> 192.168.113.22:8443          Route   1      3          12" + sp(8),
            "  -> 192.168.113.23:8443          Route   1      0          0" + sp(9),
            "  -> 192.168.113.24:8443          Route   1      0          0" + sp(9),
        ]))
    }

    /// Every protocol, both families, fwmark, each forwarding method,
    /// persistence with a mask, and ipvsadm's order: its wrapped 32-bit
    /// subtraction puts 192.168.113.200 before 10.0.0.1.
    var mixed: IPVSTableState {
        var b = IPVSService(key: seedKey, scheduler: "wlc", persistence: 300)
        b.netmaskPrefixLength = 24
        var e = IPVSService(key: .address(.tcp, addr("fd00:9::100"), port: 443), scheduler: "wlc", persistence: 60)
        e.netmaskPrefixLength = 64
        return IPVSTableState([
            state(tcp("10.0.0.1", 80), scheduler: "rr",
                  [dest("10.0.1.2", 80, .masq, weight: 2), dest("10.0.1.1", 80, .tunnel)]),
            IPVSServiceState(service: b, destinations: [dest("192.168.113.22", 8443, .local, weight: 0)]),
            state(.address(.udp, addr("192.168.113.200"), port: 53), scheduler: "rr", [dest("192.168.113.22", 53)]),
            state(.address(.sctp, addr("192.168.113.200"), port: 3868), scheduler: "sh"),
            IPVSServiceState(service: e, destinations: [dest("fd00:9::1", 443)]),
            state(.fwmark(7, family: .ipv4), [dest("192.168.113.22", 0)]),
            state(.fwmark(7, family: .ipv6), scheduler: "rr", [dest("fd00:9::2", 0)]),
        ])
    }

    @Test func listsEveryKindInIpvsadmsOrder() {
        #expect(IPVSAdmText.list(mixed) == text(head + [
            "TCP  192.168.113.200:8443 wlc persistent 300 mask 255.255.255.0",
            "  -> 192.168.113.22:8443          Local   0      0          0" + sp(9),
            "TCP  10.0.0.1:80 rr",
            "  -> 10.0.1.1:80                  Tunnel  1      0          0" + sp(9),
            "  -> 10.0.1.2:80                  Masq    2      0          0" + sp(9),
            "UDP  192.168.113.200:53 rr",
            "  -> 192.168.113.22:53            Route   1      0          0" + sp(9),
            "SCTP 192.168.113.200:3868 sh",
            "TCP  [fd00:9::100]:443 wlc persistent 60 mask 64",
            "  -> [fd00:9::1]:443              Route   1      0          0" + sp(9),
            "FWM  7 wlc",
            "  -> 192.168.113.22:0             Route   1      0          0" + sp(9),
            "FWM  7 IPv6 rr",
            "  -> [fd00:9::2]:0                Route   1      0          0" + sp(9),
        ]))
    }

    @Test func savesAsIpvsadmSn() {
        #expect(IPVSAdmText.save(IPVSTableState([seedService])) == text([
            "-A -t 192.168.113.200:8443 -s wlc",
            "-a -t 192.168.113.200:8443 -r 192.168.113.22:8443 -g -w 1",
            "-a -t 192.168.113.200:8443 -r 192.168.113.23:8443 -g -w 1",
            "-a -t 192.168.113.200:8443 -r 192.168.113.24:8443 -g -w 1",
        ]))
        #expect(IPVSAdmText.save(mixed) == text([
            "-A -t 192.168.113.200:8443 -s wlc -p 300 -M 255.255.255.0",
            "-a -t 192.168.113.200:8443 -r 192.168.113.22:8443 -g -w 0",
            "-A -t 10.0.0.1:80 -s rr",
            "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -i -w 1 --tun-type ipip",
            "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 2",
            "-A -u 192.168.113.200:53 -s rr",
            "-a -u 192.168.113.200:53 -r 192.168.113.22:53 -g -w 1",
            "-A --sctp-service 192.168.113.200:3868 -s sh",
            "-A -t [fd00:9::100]:443 -s wlc -p 60 -M 64",
            "-a -t [fd00:9::100]:443 -r [fd00:9::1]:443 -g -w 1",
            "-A -f 7 -s wlc",
            "-a -f 7 -r 192.168.113.22:0 -g -w 1",
            "-A -f 7 -6 -s rr",
            "-a -f 7 -6 -r [fd00:9::2]:0 -g -w 1",
        ]))
        #expect(IPVSAdmText.save(mixed, kernelReportsTunnelType: false)
            .contains("-a -t 10.0.0.1:80 -r 10.0.1.1:80 -i -w 1\n"))
    }

    @Test func listsStatsWithIpvsadmsScaling() {
        let d22 = dest("192.168.113.22", 8443).key
        let counters = IPVSCounters(
            services: [seedKey: IPVSStats(conns: 1234, inPackets: 123_456_789, outPackets: 99_999_999,
                                          inBytes: 5_000_000_000, outBytes: 200_000_000_000_000)],
            destinations: [seedKey: [d22: IPVSDestinationCounters(
                activeConns: 1, inactiveConns: 2,
                stats: IPVSStats(conns: 7, inPackets: 0, outPackets: 1, inBytes: 50_000_000_000_000, outBytes: 999_999_999))]])
        let title = [
            "IP Virtual Server version 1.2.1 (size=4096)",
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes",
            "  -> RemoteAddress:Port",
        ]
        #expect(IPVSAdmText.listStats(IPVSTableState([seedService]), counters: counters) == text(title + [
            "TCP  192.168.113.200:8443             1234  123456K 99999999    5000M     200T",
            "  -> 192.168.113.22:8443                 7        0        1   50000G  999999K",
            "  -> 192.168.113.23:8443                 0        0        0        0        0",
            "  -> 192.168.113.24:8443                 0        0        0        0        0",
        ]))
        let exact = IPVSAdmText.listStats(IPVSTableState([seedService]), counters: counters, exact: true)
        #expect(exact.contains(
            "TCP  192.168.113.200:8443             1234 123456789 99999999 5000000000 200000000000000\n"))
    }

    @Test func ipv6TextIsGlibcs() {
        #expect(IPVSAdmText.addressPort(addr("fd00:0:0:1::5"), 80) == "[fd00:0:0:1::5]:80")
        #expect(IPVSAdmText.addressPort(addr("::ffff:192.0.2.1"), 80) == "[::ffff:192.0.2.1]:80")
        #expect(IPVSAdmText.addressPort(addr("::192.0.2.1"), 80) == "[::192.0.2.1]:80")
        #expect(IPVSAdmText.addressPort(addr("::1"), 80) == "[::1]:80")
        #expect(IPVSAdmText.addressPort(addr("2001:db8:0:1:0:0:0:1"), 80) == "[2001:db8:0:1::1]:80")
    }
}
