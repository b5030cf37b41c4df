import CNFTables
import Glibc

/// NAT mode's source NAT in tables of vipd's own (`table ip vipd`, `table
/// ip6 vipd`, each with a `postrouting` nat chain), through libnftables in
/// process: no nft subprocess.
///
/// Every call runs one nft command buffer, which the kernel takes as one
/// transaction: all of it or none. It acts in the network namespace of the
/// calling thread. A libnftables context is made for each call and freed
/// after it, so the calls need no shared state and may come from any
/// thread (one at a time per namespace, as the table is shared).
public enum NATRules {
    /// The tables' name in both families.
    public static let tableName = "vipd"
    /// The nat chain in each table.
    public static let chainName = "postrouting"

    /// Replaces vipd's rules with `rules`, atomically: for a family with
    /// rules, `add table; flush table; add chain; add rule...`; for a family
    /// with none, its table is removed (`add table; delete table`, which is
    /// fine when it was absent). A rule that nft cannot take throws before
    /// anything is sent; one the kernel refuses throws with nft's error
    /// text, and the previous rules stay.
    public static func apply(_ rules: [MasqueradeRule]) throws(NATRulesError) {
        for rule in rules {
            if let problem = rule.problem { throw .invalidRule(rule: rule.description, reason: problem) }
        }
        var commands: [String] = []
        for (family, isIPv6) in [("ip", false), ("ip6", true)] {
            let mine = rules.filter { $0.isIPv6 == isIPv6 }
            let table = "\(family) \(tableName)"
            commands.append("add table \(table)")
            if mine.isEmpty {
                commands.append("delete table \(table)")
                continue
            }
            commands.append("flush table \(table)")
            commands.append("add chain \(table) \(chainName) { type nat hook postrouting priority srcnat; policy accept; }")
            for rule in mine { commands.append("add rule \(table) \(chainName) \(rule.statement)") }
        }
        _ = try run(commands)
    }

    /// Removes vipd's tables, in one transaction; fine if they are absent.
    public static func remove() throws(NATRulesError) {
        _ = try run(["add table ip \(tableName)", "delete table ip \(tableName)",
                     "add table ip6 \(tableName)", "delete table ip6 \(tableName)"])
    }

    /// vipd's tables as nft lists them (the text form), or "" when there
    /// are none.
    public static func list() throws(NATRulesError) -> String {
        let tables = try run(["list tables"])
        var out = ""
        for family in ["ip", "ip6"] where tables.split(separator: "\n").contains(where: {
            $0.trimmingSpaces == "table \(family) \(tableName)"
        }) {
            out += try run(["list table \(family) \(tableName)"])
        }
        return out
    }

    /// Runs commands as one buffer (one transaction) and returns nft's
    /// output.
    static func run(_ commands: [String]) throws(NATRulesError) -> String {
        guard let ctx = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else { throw .context }
        defer { nft_ctx_free(ctx) }
        guard nft_ctx_buffer_output(ctx) == 0, nft_ctx_buffer_error(ctx) == 0 else { throw .context }
        let buffer = commands.joined(separator: "\n") + "\n"
        let status = nft_run_cmd_from_buffer(ctx, buffer)
        let output = nft_ctx_get_output_buffer(ctx).map { String(cString: $0) } ?? ""
        if status != 0 {
            let errors = nft_ctx_get_error_buffer(ctx).map { String(cString: $0) } ?? ""
            throw .nft(commands: buffer, errors: errors.trimmingSpaces)
        }
        return output
    }
}

public enum NATRulesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// libnftables could not make a context or buffer its output.
    case context
    /// A rule nft could not take; nothing was sent.
    case invalidRule(rule: String, reason: String)
    /// nft refused the transaction (nothing of it applied); `errors` is
    /// libnftables' text, which quotes the failing command.
    case nft(commands: String, errors: String)

    public var description: String {
        switch self {
        case .context: return "nftables: could not create a libnftables context"
        case .invalidRule(let rule, let reason): return "nftables: rule \"\(rule)\" refused: \(reason)"
        case .nft(_, let errors): return "nftables: the transaction failed, nothing changed: \(errors)"
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
