import Foundation
@testable import NATRules
import TestSupport
import Testing

/// Pure: the rule text and its checks.
@Suite struct MasqueradeRuleTests {
    @Test func statementsMatchTheBackendAndIPVSsOriginalDestination() {
        let r = MasqueradeRule(backendAddress: [192, 168, 113, 22], backendPort: 8443, transport: .tcp,
                               virtualAddress: [192, 168, 113, 200], virtualPort: 8443)
        #expect(r.statement == "ip daddr 192.168.113.22 tcp dport 8443 ct original ip daddr 192.168.113.200 "
            + "ct original proto-dst 8443 masquerade")
        var v6 = [UInt8](repeating: 0, count: 16)
        v6[0] = 0xfd; v6[3] = 9; v6[15] = 0x16
        let r6 = MasqueradeRule(backendAddress: v6, transport: .udp)
        #expect(r6.statement == "ip6 daddr fd00:9::16 meta l4proto udp masquerade")
        #expect(MasqueradeRule(backendAddress: [10, 0, 0, 1]).statement == "ip daddr 10.0.0.1 masquerade")
        #expect(addressText([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]) == "2001:db8:0:1::1")
    }

    @Test func rulesNftCannotTakeSayWhy() {
        #expect(MasqueradeRule(backendAddress: [1, 2, 3]).problem?.contains("3 bytes") == true)
        #expect(MasqueradeRule(backendAddress: [10, 0, 0, 1], backendPort: 80).problem?.contains("transport") == true)
        #expect(MasqueradeRule(backendAddress: [10, 0, 0, 1], virtualAddress: Array(repeating: 0, count: 16))
            .problem?.contains("families differ") == true)
        #expect(MasqueradeRule(backendAddress: [10, 0, 0, 1], transport: .tcp, virtualPort: 80).problem != nil)
    }
}

/// libnftables against the host kernel's nf_tables, in a fresh network
/// namespace per test; checked with the nft command-line tool.
/// It needs root and the nft tool (Debian's nftables, which
/// scripts/install-lab-deps installs): without them it fails, not skips.
@Suite
struct NATRulesNamespaceTests {
    static let b22 = MasqueradeRule(backendAddress: [192, 168, 113, 22], backendPort: 8443, transport: .tcp,
                                    virtualAddress: [192, 168, 113, 200], virtualPort: 8443)
    static let b23 = MasqueradeRule(backendAddress: [192, 168, 113, 23], backendPort: 8443, transport: .tcp,
                                    virtualAddress: [192, 168, 113, 200], virtualPort: 8443)
    static let v6 = MasqueradeRule(backendAddress: [0xfd, 0, 0, 9] + Array(repeating: 0, count: 11) + [0x16],
                                   backendPort: 443, transport: .tcp)
    static let fwmarkBackend = MasqueradeRule(backendAddress: [192, 168, 113, 24])

    struct Seen: Sendable {
        var first, second, afterRemove, afterSecondRemove: SeenRuleset
        var listed: String
        var listedAfterRemove: String
    }

    @Test func applyReplacesAndRemoveDeletesOnlyVipdsTables() throws {
        let seen = try inFreshNetworkNamespace { () throws -> Seen in
            guard let nft = nftPath else { throw HarnessError("nft is not installed (Debian's nftables; scripts/install-lab-deps)") }
            // someone else's table, which must survive everything
            try runCommand([nft, "add table inet operator; add chain inet operator out "
                + "{ type filter hook output priority 0; policy accept; }; add rule inet operator out counter"])
            try NATRules.apply([Self.b22, Self.b23, Self.v6])
            let first = try seeRuleset()
            let listed = try NATRules.list()
            try NATRules.apply([Self.fwmarkBackend])
            let second = try seeRuleset()
            try NATRules.remove()
            let afterRemove = try seeRuleset()
            let listedAfterRemove = try NATRules.list()
            try NATRules.remove()  // absent: still fine
            return Seen(first: first, second: second, afterRemove: afterRemove,
                        afterSecondRemove: try seeRuleset(), listed: listed, listedAfterRemove: listedAfterRemove)
        }
        #expect(seen.first.tables == ["inet operator", "ip vipd", "ip6 vipd"])
        #expect(seen.first.vipdRuleCounts == ["ip": 2, "ip6": 1])
        #expect(seen.first.vipdRules["ip"] == [
            "ip daddr 192.168.113.22 tcp dport 8443 ct original ip daddr 192.168.113.200 ct original proto-dst 8443 masquerade",
            "ip daddr 192.168.113.23 tcp dport 8443 ct original ip daddr 192.168.113.200 ct original proto-dst 8443 masquerade",
        ])
        #expect(seen.first.vipdRules["ip6"] == ["ip6 daddr fd00:9::16 tcp dport 443 masquerade"])
        #expect(seen.listed.contains("table ip vipd") && seen.listed.contains("table ip6 vipd"))
        #expect(seen.listed.contains("type nat hook postrouting priority srcnat; policy accept;"))
        #expect(seen.listed.contains("ip daddr 192.168.113.23 tcp dport 8443"))
        #expect(!seen.listed.contains("operator"))
        // replaced, not added to; the family without rules lost its table
        #expect(seen.second.tables == ["inet operator", "ip vipd"])
        #expect(seen.second.vipdRules["ip"] == ["ip daddr 192.168.113.24 masquerade"])
        #expect(seen.second.vipdRuleCounts == ["ip": 1])
        #expect(seen.afterRemove.tables == ["inet operator"])
        #expect(seen.listedAfterRemove == "")
        #expect(seen.afterSecondRemove.tables == ["inet operator"])
    }

    struct Refusals: Sendable {
        var invalid: NATRulesError?
        var afterInvalid: SeenRuleset
        var kernel: NATRulesError?
        var afterKernel: SeenRuleset
        var before: SeenRuleset
    }

    /// A rule nft cannot take is refused with its reason and nothing sent;
    /// a transaction nft refuses midway (here: after its flush) leaves the
    /// previous rules in place, since one buffer is one transaction.
    @Test func aBadRuleIsAClearErrorAndThePreviousRulesStay() throws {
        let seen = try inFreshNetworkNamespace { () throws -> Refusals in
            try NATRules.apply([Self.b22, Self.b23])
            let before = try seeRuleset()
            var invalid: NATRulesError?
            do throws(NATRulesError) {
                try NATRules.apply([Self.b22, MasqueradeRule(backendAddress: [10, 0, 0, 1, 5], backendPort: 80)])
            } catch { invalid = error }
            let afterInvalid = try seeRuleset()
            var kernel: NATRulesError?
            do throws(NATRulesError) {
                _ = try NATRules.run(["add table ip vipd", "flush table ip vipd",
                                      "add rule ip vipd postrouting ip daddr 10.0.0.1 tcp dport 80 masquerade",
                                      "add rule ip vipd nosuchchain ip daddr 10.0.0.2 masquerade"])
            } catch { kernel = error }
            return Refusals(invalid: invalid, afterInvalid: afterInvalid, kernel: kernel,
                            afterKernel: try seeRuleset(), before: before)
        }
        #expect(seen.before.vipdRuleCounts == ["ip": 2])
        #expect(seen.invalid?.description == "nftables: rule \"ip daddr 10.0.0.1.5 masquerade\" refused: "
            + "backend address has 5 bytes (4 or 16)")
        #expect(seen.afterInvalid == seen.before)
        guard case .nft(_, let errors)? = seen.kernel else {
            Issue.record("expected nft to refuse, got \(String(describing: seen.kernel))")
            return
        }
        // nft 1.0.6 names the kernel's refusal (ENOENT: no such chain) but
        // may point its caret at another command of the same transaction.
        #expect(errors.contains("Could not process rule: No such file or directory"), "\(errors)")
        #expect(seen.afterKernel == seen.before)
    }

    struct SysctlSeen: Sendable {
        var original, changed, restored: String
        var missing: String
        var restoreErrors: Int
    }

    /// ip_forward is per namespace, so the real file is written in the
    /// test's own namespace; the IPVS one is absent on a kernel without
    /// IPVS and says so.
    @Test func sysctlChangesAreRememberedAndRestored() throws {
        let seen = try inFreshNetworkNamespace { () throws -> SysctlSeen in
            var changes = SysctlChanges()
            let original = try changes.sysctl.read("net.ipv4.ip_forward")
            let flipped = original == "1" ? "0" : "1"
            try changes.set("net.ipv4.ip_forward", to: flipped)
            try changes.set("net.ipv4.ip_forward", to: flipped)  // remembered once
            let changed = try changes.sysctl.read("net/ipv4/ip_forward")
            let errors = changes.restore()
            var missing = ""
            do throws(SysctlError) { _ = try Sysctl().read("net.ipv4.vs.conntrack_nonexistent") } catch {
                missing = error.description
            }
            return SysctlSeen(original: original, changed: changed,
                              restored: try Sysctl().read("net.ipv4.ip_forward"), missing: missing,
                              restoreErrors: errors.count)
        }
        #expect(seen.changed != seen.original)
        #expect(seen.restored == seen.original)
        #expect(seen.restoreErrors == 0)
        #expect(seen.missing.contains("/proc/sys/net/ipv4/vs/conntrack_nonexistent"))
        #expect(seen.missing.contains("No such file or directory"))
    }
}

@Suite struct SysctlTests {
    @Test func namesMapToPathsAndValuesRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sysctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("net/ipv4/vs"),
                                                withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "0\n".write(to: dir.appendingPathComponent("net/ipv4/vs/conntrack"), atomically: false, encoding: .utf8)
        try "1\n".write(to: dir.appendingPathComponent("net/ipv4/ip_forward"), atomically: false, encoding: .utf8)
        let s = Sysctl(root: dir.path)
        #expect(s.path(of: "net.ipv4.vs.conntrack") == dir.path + "/net/ipv4/vs/conntrack")
        #expect(s.path(of: "net/ipv4/conf/eth0.100/rp_filter") == dir.path + "/net/ipv4/conf/eth0.100/rp_filter")
        var changes = SysctlChanges(sysctl: s)
        try changes.set("net.ipv4.vs.conntrack", to: "1")
        try changes.set("net.ipv4.ip_forward", to: "1")  // already so: not remembered
        #expect(try s.read("net.ipv4.vs.conntrack") == "1")
        #expect(changes.saved.map(\.name) == ["net.ipv4.vs.conntrack"])
        #expect(changes.saved.map(\.value) == ["0"])
        #expect(changes.restore().isEmpty)
        #expect(try s.read("net.ipv4.vs.conntrack") == "0")
        #expect(try s.read("net.ipv4.ip_forward") == "1")
        #expect(changes.saved.isEmpty)
    }
}
