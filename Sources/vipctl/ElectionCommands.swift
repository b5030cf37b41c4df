import ArgumentParser
import Foundation

/// `vipctl election [resign]`: the election's state, or a graceful handover.
struct Election: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "election",
        abstract: "The election: leader, this node's role, the lease TTL and the time left.",
        subcommands: [ElectionShow.self, ElectionResign.self], defaultSubcommand: ElectionShow.self)
}

struct ElectionShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the election (the default).")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "election")
        if options.json { return try ControlClient.printJSON(v) }
        let o = v as? [String: Any] ?? [:]
        func text(_ k: String) -> String {
            switch o[k] {
            case let n as NSNumber where k == "lease_remaining_seconds": return String(format: "%.1f s", n.doubleValue)
            case let n as NSNumber: return n.stringValue
            case let s as String: return s
            default: return "-"
            }
        }
        print("election  \(text("name"))")
        print("leader    \(text("leader"))")
        print("role      \(text("role"))")
        print("lease     ttl \(text("lease_ttl")) s, remaining \(text("lease_remaining_seconds"))")
    }
}

struct ElectionResign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resign",
        abstract: "Graceful handover: the leader steps down and keeps the VIP until its successor has taken it.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "election", args: ["resign"])
        if options.json { return try ControlClient.printJSON(v) }
        let wasLeader = (v as? [String: Any])?["was_leader"] as? Bool ?? false
        print(wasLeader ? "resigned: handing over to the next candidate" : "resigned (this node was not the leader)")
    }
}

/// `vipctl drain` / `undrain` (RFC 8326).
struct Drain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Re-advertise every VIP with GRACEFUL_SHUTDOWN (and LOCAL_PREF 0 to iBGP peers), so routers move traffic away.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "drain")
        if options.json { try ControlClient.printJSON(v) } else { print("drained") }
    }
}

struct Undrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "undrain", abstract: "Restore the normal advertisements after a drain.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "undrain")
        if options.json { try ControlClient.printJSON(v) } else { print("undrained") }
    }
}
