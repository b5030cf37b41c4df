import BGPCodec
import Testing
@testable import VipdConfig

/// kube-vip's variables, alone and under a file.
@Suite struct EnvironmentTests {
    func config(_ env: [String: String], flags: KubeVipFlags = KubeVipFlags(), yaml: String = "",
                sourceLocation: SourceLocation = #_sourceLocation) -> VipdConfig? {
        do {
            return try VipdConfig.load(yaml: yaml, environment: env, flags: flags)
        } catch {
            Issue.record("unexpected errors:\n\(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    func failure(_ env: [String: String], flags: KubeVipFlags = KubeVipFlags(), yaml: String = "") -> [String] {
        do {
            _ = try VipdConfig.load(yaml: yaml, environment: env, flags: flags)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static let etcd = KubeVipFlags(leaderElectionType: "etcd", etcdEndpoints: ["https://10.0.0.1:2379", "https://10.0.0.2:2379"],
                                   etcdCACert: "/etc/kubernetes/pki/etcd/ca.crt", etcdCert: "/etc/kubernetes/pki/etcd/peer.crt",
                                   etcdKey: "/etc/kubernetes/pki/etcd/peer.key")

    @Test func bgpControlPlane() throws {
        let c = try #require(config([
            "vip_address": "10.0.1.100", "bgp_enable": "true", "bgp_as": "65011", "bgp_routerid": "10.0.0.11",
            "bgp_peers": "10.0.0.1:65001:secret:true,[fd00::1]:65002::false, 10.0.0.2:65003",
            "bgp_hold_time": "30", "bgp_keepalive_interval": "10", "bgp_sourceip": "10.0.0.11",
            "PATH": "/usr/bin", "vip_cidr": "32",  // not kube-vip variables that vipd reads
        ]))
        #expect(c.asn == 65011 && c.routerID == v4("10.0.0.11"))
        #expect(c.vips == [VIPConfig(address: ip("10.0.1.100"))])
        #expect(c.peers.map(\.address) == [ip("10.0.0.1"), ip("fd00::1"), ip("10.0.0.2")])
        #expect(c.peers.map(\.asn) == [65001, 65002, 65003])
        #expect(c.peers.map(\.password) == ["secret", nil, nil])
        #expect(c.peers.map(\.multihop) == [50, 1, 1])
        #expect(c.peers.allSatisfy { $0.holdTime == 30 && $0.keepalive == 10 })
        #expect(c.peers.map(\.sourceAddress) == [ip("10.0.0.11"), nil, ip("10.0.0.11")])
    }

    @Test func singlePeerVariablesAppendAPeer() throws {
        let c = try #require(config([
            "address": "10.0.1.100", "bgp_enable": "t", "bgp_as": "65011", "bgp_peers": "10.0.0.1:65001",
            "bgp_peeraddress": "10.0.0.9", "bgp_peeras": "65009", "bgp_peerpass": "pw:with:colons", "bgp_multihop": "1",
        ]))
        #expect(c.peers.map(\.address) == [ip("10.0.0.1"), ip("10.0.0.9")])
        #expect(c.peers[1].asn == 65009 && c.peers[1].password == "pw:with:colons" && c.peers[1].multihop == 50)
    }

    @Test func arpControlPlaneWithEtcd() throws {
        let c = try #require(config([
            "vip_address": "10.0.0.100", "vip_arp": "true", "vip_interface": "ens3", "cp_enable": "true", "port": "6444",
            "vip_leaderelection": "true", "vip_leasename": "plndr-cp-lock", "vip_leaseduration": "5",
            "vip_renewdeadline": "3", "vip_retryperiod": "1",
        ], flags: Self.etcd))
        #expect(c.interface == "ens3")
        let e = try #require(c.election)
        #expect(e.endpoints == ["https://10.0.0.1:2379", "https://10.0.0.2:2379"] && e.name == "plndr-cp-lock" && e.leaseTTL == 5)
        #expect(e.tls == ElectionConfig.TLS(caFile: "/etc/kubernetes/pki/etcd/ca.crt", certFile: "/etc/kubernetes/pki/etcd/peer.crt",
                                            keyFile: "/etc/kubernetes/pki/etcd/peer.key"))
        let h = try #require(c.health)
        #expect(h.type == .https && h.url == "https://127.0.0.1:6444/readyz" && h.caFile == "/etc/kubernetes/pki/ca.crt")
        let v = try #require(c.vips.first)
        #expect(v.mode == .arp && v.elected && v.health)
        #expect(KubeVip.ignored(environment: ["vip_renewdeadline": "3", "vip_retryperiod": "1"]).count == 2)
    }

    @Test func bgpWithLeaderElectionAdvertisesFromTheLeader() throws {
        let c = try #require(config(["vip_address": "10.0.0.100", "bgp_enable": "true", "vip_leaderelection": "true"], flags: Self.etcd))
        #expect(c.vips.first?.advertise == .leader)
        #expect(c.peers.isEmpty && c.asn == nil)
    }

    @Test func leaderElectionWithoutEtcdNamesWhatToAdd() throws {
        let e = failure(["vip_address": "10.0.0.100", "vip_arp": "true", "vip_leaderelection": "true"])
        #expect(e == ["environment variable vip_leaderelection: election.endpoints: required: kube-vip's vip_leaderelection=true maps to an etcd election, and kube-vip's default (a Kubernetes Lease) is not available; give --leaderElectionType=etcd --etcdEndpoints=URL (with --etcdCACert, --etcdCert and --etcdKey for a TLS etcd), or election.endpoints in the config file"])
        #expect(failure(["vip_leaderelection": "true"], flags: KubeVipFlags(leaderElectionType: "kubernetes")) == [
            "flag --leaderElectionType: election: 'kubernetes': vipd's only election backend is etcd (it has no Kubernetes Lease election yet); use --leaderElectionType=etcd with --etcdEndpoints",
        ])
        // The file can give what the environment lacks.
        let c = try #require(config(["vip_leaderelection": "true", "vip_leasename": "cp"],
                                    yaml: "election:\n  endpoints: [\"http://127.0.0.1:2379\"]\n"))
        #expect(c.election?.name == "cp" && c.election?.endpoints == ["http://127.0.0.1:2379"])
    }

    @Test func badVariablesNameTheVariable() {
        let e = failure(["vip_arp": "maybe", "bgp_enable": "true", "bgp_as": "abc", "bgp_hold_time": "2",
                         "bgp_peers": "10.0.0.1:65001,10.0.0.2,[fd00::1:65003,10.0.0.3:1:x:yes,10.0.0.4:1/mpbgp_nexthop=auto"])
        #expect(e == [
            "environment variable bgp_as: asn: expected a whole number, 0-4294967295, found 'abc'",
            "environment variable bgp_hold_time: peers[0].hold_time: 2 is not allowed: a hold time is 0 (no keepalives) or 3-65535 seconds (RFC 4271 §4.2)",
            "environment variable bgp_peers: '10.0.0.2': expected address:AS",
            "environment variable bgp_peers: '[fd00::1:65003': no ']' closes the IPv6 address",
            "environment variable bgp_peers: '10.0.0.3:1:x:yes': multihop must be true or false, not 'yes'",
            "environment variable bgp_peers: '10.0.0.4:1/mpbgp_nexthop=auto': peer options after '/' (mpbgp_nexthop=auto) are not supported",
            "environment variable vip_arp: expected a boolean (true or false), found 'maybe'",
        ])
        // Values are checked like the file's, and name their variable.
        #expect(failure(["bgp_enable": "true", "bgp_as": "abc", "bgp_hold_time": "2", "bgp_peers": "10.0.0.1:65001"]) == [
            "environment variable bgp_as: asn: expected a whole number, 0-4294967295, found 'abc'",
            "environment variable bgp_hold_time: peers[0].hold_time: 2 is not allowed: a hold time is 0 (no keepalives) or 3-65535 seconds (RFC 4271 §4.2)",
        ])
        #expect(failure(["vip_address": "10.0.0.1", "address": "10.0.0.2"]) == [
            "environment variable address: vip_address and address are both set, to different values ('10.0.0.1' and '10.0.0.2'); set one",
        ])
        #expect(failure(["vip_arp": "true", "bgp_enable": "true"]) == [
            "environment variable bgp_enable: vip_arp and bgp_enable are both true; choose one mode for the VIP",
        ])
        #expect(failure(["address": "api.example.com"]) == [
            "environment variable address: vips[0].address: 'api.example.com' is not an IPv4 or IPv6 address",
        ])
    }

    @Test func theFileWinsKeyByKey() throws {
        let env = [
            "vip_address": "10.0.0.100", "vip_interface": "eth0", "bgp_enable": "true", "bgp_as": "65011",
            "bgp_routerid": "10.0.0.11", "bgp_peers": "10.0.0.1:65001", "vip_leaderelection": "true", "vip_leaseduration": "5",
        ]
        let c = try #require(config(env, flags: Self.etcd, yaml: """
            asn: 65012
            vips: [10.0.0.200, 10.0.0.201]
            election: {lease_ttl: 2}
            """))
        #expect(c.asn == 65012)                                          // the file's key
        #expect(c.routerID == v4("10.0.0.11") && c.interface == "eth0")  // the environment's, not in the file
        #expect(c.vips.map(\.address) == [ip("10.0.0.200"), ip("10.0.0.201")])  // lists are replaced whole
        #expect(c.vips.allSatisfy { $0.advertise == .all })
        #expect(c.peers.count == 1 && c.peers[0].multihop == 1)          // eBGP against the file's asn
        #expect(c.election?.leaseTTL == 2 && c.election?.endpoints.count == 2)  // mappings merge key by key
    }

    @Test func environmentAndFileErrorsTogether() {
        let e = failure(["vip_arp": "nope"], yaml: "asn: x\n")
        #expect(e == [
            "line 1: asn: expected a whole number, 0-4294967295, found 'x'",
            "environment variable vip_arp: expected a boolean (true or false), found 'nope'",
        ])
    }

    @Test func withoutBGPEnableTheBGPVariablesAreIgnored() throws {
        let env = ["vip_address": "10.0.0.1", "bgp_as": "65011", "bgp_peers": "10.0.0.2:65001", "port": "6443"]
        let c = try #require(config(env))
        #expect(c.asn == nil && c.peers.isEmpty && c.health == nil)
        #expect(KubeVip.ignored(environment: env) == [
            "port: used only with cp_enable=true, for the API server health check",
            "bgp_as: used only with bgp_enable=true",
            "bgp_peers: used only with bgp_enable=true",
        ])
    }

    @Test func emptyEnvironmentIsEmptyConfig() throws {
        #expect(try KubeVip.config(environment: [:]) == VipdConfig())
        #expect(try KubeVip.config(environment: ["vip_address": ""]) == VipdConfig())
    }
}
