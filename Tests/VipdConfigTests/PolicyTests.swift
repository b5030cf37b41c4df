import BGPCodec
import Testing
@testable import VipdConfig

@Suite struct PolicyTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8", UInt8(8)...UInt8(8)),
        ("10.0.0.0/8 le 24", "10.0.0.0/8 le 24", 8...24),
        ("10.0.0.0/8 ge 24", "10.0.0.0/8 ge 24", 24...32),
        ("10.0.0.0/8   ge 24 le 30", "10.0.0.0/8 ge 24 le 30", 24...30),
        ("fd00::/16 ge 48", "fd00::/16 ge 48", 48...128),
        ("0.0.0.0/0 le 32", "0.0.0.0/0 le 32", 0...32),
    ])
    func prefixLists(text: String, canonical: String, lengths: ClosedRange<UInt8>) throws {
        let e = try PrefixListEntry.parse(text).get()
        #expect(e.description == canonical && e.lengths == lengths)
    }

    @Test(arguments: [
        ("10.0.0.1/8", "'10.0.0.1/8' does not start with a prefix (address/length, host bits zero)"),
        ("10.0.0.0/8 ge", "'10.0.0.0/8 ge': expected 'ge N' or 'le N' after the prefix"),
        ("10.0.0.0/8 ge 33", "'10.0.0.0/8 ge 33': ge must be a length of 0-32"),
        ("10.0.0.0/16 ge 8", "'10.0.0.0/16 ge 8': ge 8 is shorter than the prefix length 16"),
        ("10.0.0.0/8 ge 24 le 16", "'10.0.0.0/8 ge 24 le 16': le 16 is shorter than ge 24"),
        ("10.0.0.0/8 le 24 ge 28", "'10.0.0.0/8 le 24 ge 28': write 'ge' once, before 'le'"),
        ("10.0.0.0/8 eq 24", "'10.0.0.0/8 eq 24': expected 'ge N' or 'le N' after the prefix"),
    ])
    func badPrefixLists(text: String, reason: String) throws {
        let e = try #require(onlyError("policies:\n  - name: p\n    rules:\n      - match: {prefix_list: [\"\(text)\"]}\n"))
        #expect(e.line == 4 && e.path == "policies[0].rules[0].match.prefix_list[0]" && e.reason == reason)
    }

    @Test func refusedPolicies() {
        let e = errors("""
            policies:
              - name: accept-all
              - name: "has space"
              - name: ok
                rules:
                  - match: {as_path: "(unclosed", community: "1:2:3"}
                    action: {accept: false, med: 5}
                  - match: {prefix_list: []}
                    action: {add_communities: ["x"]}
              - name: ok
              - rules: []
            """)
        #expect(e.map { "\($0.line ?? 0) \($0.path)" } == [
            "2 policies[0].name",
            "3 policies[1].name",
            "6 policies[2].rules[0].match.as_path",  // errors on one line in column order
            "6 policies[2].rules[0].match.community",
            "7 policies[2].rules[0].action.med",
            "8 policies[2].rules[1].match.prefix_list",
            "9 policies[2].rules[1].action.add_communities[0]",
            "10 policies[3].name",
            "11 policies[4].name",
        ])
        #expect(e[0].reason == "'accept-all' is a built-in import or export word and cannot name a policy")
        #expect(e[7].reason == "a policy named 'ok' is already policies[2]")
    }

    @Test func rulesKeepTheirOrder() throws {
        let p = try #require(parse("""
            policies:
              - name: p
                rules:
                  - match: {prefix_list: ["10.0.0.0/8 le 32"]}
                    action: {accept: false}
                  - action: {local_pref: 50, add_communities: ["65011:9", no-advertise]}
                  - {}
            """)?.policies.first)
        #expect(p.rules.count == 3)
        #expect(!p.rules[0].action.accept)
        #expect(p.rules[1].match == PolicyMatch() && p.rules[1].action.localPref == 50)
        #expect(p.rules[1].action.addCommunities == [Community(65011, 9), Community(0xFFFF_FF02)])
        #expect(p.rules[2] == PolicyRule())
    }
}
