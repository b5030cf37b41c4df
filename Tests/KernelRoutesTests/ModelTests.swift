import KernelRoutes
import Testing

func a(_ text: String) -> KernelAddress { KernelAddress(text)! }
func p(_ text: String) -> KernelPrefix { KernelPrefix(text)! }

@Suite struct AddressModelTests {
    @Test(arguments: [
        ("10.0.1.100", "10.0.1.100", AddressFamily.ipv4),
        ("fd00:1:0:0:0:0:0:100", "fd00:1::100", .ipv6),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", .ipv6),
        ("::", "::", .ipv6),
    ])
    func parseAndPrint(input: String, printed: String, family: AddressFamily) throws {
        let address = try #require(KernelAddress(input))
        #expect(address.description == printed)
        #expect(address.family == family)
        #expect(address.bytes.count == family.addressLength)
    }

    @Test func refusesBadText() {
        #expect(KernelAddress("10.0.0") == nil)
        #expect(KernelAddress("10.0.0.256") == nil)
        #expect(KernelAddress("fd00::1::2") == nil)
        #expect(KernelAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func prefixesRefuseHostBitsAndLongLengths() {
        #expect(KernelPrefix("10.0.1.0/24") != nil)
        #expect(KernelPrefix("10.0.1.1/24") == nil)
        #expect(KernelPrefix("10.0.1.1/33") == nil)
        #expect(KernelPrefix("fd00::/64") != nil)
        #expect(KernelPrefix("fd00::1/64") == nil)
        #expect(KernelPrefix("11.0.0.0/7") == nil)  // 11 = 0b00001011: bit 8 is a host bit
        #expect(KernelPrefix("10.0.0.0/7") != nil)
        #expect(KernelPrefix("10.0.1.100")?.length == 32)
        #expect(KernelPrefix.host(a("fd00::100")).description == "fd00::100/128")
    }
}

@Suite struct RouteModelTests {
    @Test func tableModeVIPIsWhatKubeVipWrites() {
        let route = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 1)
        #expect(route.destination == p("10.0.1.100/32"))
        #expect(route.table == 198 && route.proto == 248 && route.metric == 0)
        #expect(route.type == .unicast && route.scope == .universe)
        #expect(route.nextHops == [.device(1)])
        #expect(route.description == "10.0.1.100 dev if1 table 198 proto 248")
    }

    @Test func descriptionsReadLikeIpRoute() {
        let ecmp = KernelRoute(destination: p("10.9.0.0/24"), table: 254, proto: 186, metric: 20,
                               nextHops: [.via(a("10.1.1.3"), device: 2), .via(a("10.1.1.2"), device: 2)])
        #expect(ecmp.description
            == "10.9.0.0/24 table 254 proto bgp metric 20 nexthop via 10.1.1.2 dev if2 nexthop via 10.1.1.3 dev if2")
        let local = KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248, type: .local,
                                nextHops: [.device(1)])
        #expect(local.scope == .host)
        #expect(local.description == "local 10.0.1.100 dev if1 table 198 proto 248 scope host")
        let blackhole = KernelRoute(destination: p("0.0.0.0/0"), table: 198, proto: 248, type: .blackhole,
                                    nextHops: [])
        #expect(blackhole.description == "blackhole default table 198 proto 248")
    }

    @Test func nextHopOrderDoesNotMatter() {
        let one = KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248,
                              nextHops: [.via(a("10.1.1.2")), .via(a("10.1.1.3"))])
        let two = KernelRoute(destination: p("10.9.0.0/24"), table: 198, proto: 248,
                              nextHops: [.via(a("10.1.1.3")), .via(a("10.1.1.2"))])
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
    }

    @Test func ipv6MetricZeroIsStoredAs1024() {
        let route = KernelRoute.tableModeVIP(a("fd00:1::100"), interfaceIndex: 1)
        #expect(route.key.metric == 1024)
        let reported = KernelRoute(destination: p("fd00:1::100/128"), table: 198, proto: 248, metric: 1024,
                                   nextHops: [.device(1)])
        #expect(route.isSatisfied(by: reported))
        // IPv4 has no such rule.
        let v4 = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 1)
        #expect(v4.key.metric == 0)
    }

    @Test func aGatewayOnlyNextHopIsSatisfiedByTheInterfaceTheKernelChose() {
        let want = KernelRoute(destination: p("10.9.0.0/24"), table: 254, proto: 186, metric: 20,
                               nextHops: [.via(a("10.1.1.2")), .via(a("10.1.1.3"))])
        let have = KernelRoute(destination: p("10.9.0.0/24"), table: 254, proto: 186, metric: 20,
                               nextHops: [.via(a("10.1.1.2"), device: 7), .via(a("10.1.1.3"), device: 7)])
        #expect(want.isSatisfied(by: have))
        // but not the other way round: a wanted interface must match
        #expect(!have.isSatisfied(by: KernelRoute(destination: p("10.9.0.0/24"), table: 254, proto: 186,
                                                  metric: 20, nextHops: [.via(a("10.1.1.2"), device: 8),
                                                                         .via(a("10.1.1.3"), device: 7)])))
    }

    @Test func anyDifferenceIsUnsatisfied() {
        let want = KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 1)
        let variants = [
            KernelRoute.tableModeVIP(a("10.0.1.101"), interfaceIndex: 1),
            KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 2),
            KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 1, table: 199),
            KernelRoute.tableModeVIP(a("10.0.1.100"), interfaceIndex: 1, proto: 249),
            KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248, metric: 5, nextHops: [.device(1)]),
            KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248, scope: .link, nextHops: [.device(1)]),
            KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248, type: .local, nextHops: [.device(1)]),
            KernelRoute(destination: p("10.0.1.100/32"), table: 198, proto: 248,
                        nextHops: [.device(1), .device(2)]),
        ]
        for variant in variants {
            #expect(!want.isSatisfied(by: variant), "\(variant)")
        }
        #expect(want.isSatisfied(by: want))
    }
}

@Suite struct AddressRecordTests {
    @Test func vipAddressesAreHostPrefixesAndIPv6SkipsDAD() {
        let v4 = InterfaceAddress.vip(a("10.0.1.100"), interfaceIndex: 1)
        #expect(v4.prefixLength == 32 && v4.flags.isEmpty)
        let v6 = InterfaceAddress.vip(a("fd00:1::100"), interfaceIndex: 1, proto: 250)
        #expect(v6.prefixLength == 128 && v6.flags == [.noDAD])
        #expect(v6.description == "inet6 fd00:1::100/128 scope global dev if1 proto 250 nodad")
    }
}
