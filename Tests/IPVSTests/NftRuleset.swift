import Foundation
import TestSupport

let nftPath = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// What the nft command-line tool (not libnftables in this process) sees:
/// `nft -j list ruleset`, reduced to the tables and each rule's text from
/// `nft list chain`.
struct SeenRuleset: Sendable, Equatable {
    /// "family name" of every table.
    var tables: Set<String>
    /// The rules of vipd's postrouting chain per family ("ip", "ip6"), as
    /// `nft list chain` prints them.
    var vipdRules: [String: [String]]
    /// The rule count per family from the JSON.
    var vipdRuleCounts: [String: Int]
}

func seeRuleset() throws -> SeenRuleset {
    guard let nft = nftPath else { throw HarnessError("nft is not installed") }
    let json = try runCommand([nft, "-j", "list", "ruleset"]).output
    let top = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
    var seen = SeenRuleset(tables: [], vipdRules: [:], vipdRuleCounts: [:])
    for item in top["nftables"] as? [[String: Any]] ?? [] {
        if let t = item["table"] as? [String: Any], let f = t["family"] as? String, let n = t["name"] as? String {
            seen.tables.insert("\(f) \(n)")
        }
        if let r = item["rule"] as? [String: Any], r["table"] as? String == "vipd", let f = r["family"] as? String {
            seen.vipdRuleCounts[f, default: 0] += 1
        }
    }
    for family in ["ip", "ip6"] where seen.tables.contains("\(family) vipd") {
        let text = try runCommand([nft, "list", "chain", family, "vipd", "postrouting"]).output
        seen.vipdRules[family] = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasSuffix("masquerade") }
    }
    return seen
}
