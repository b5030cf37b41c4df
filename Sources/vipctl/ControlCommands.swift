import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Options every control command takes, before or after the command words.
struct ControlOptions: ParsableArguments {
    @Option(name: .customLong("socket"), help: "vipd's control socket.") var socket = "/run/vipd/vipd.sock"
    @Flag(name: .customLong("json"), help: "Print JSON instead of a table.") var json = false
}

/// One request, one reply, over vipd's unix socket.
enum ControlClient {
    static func call(_ path: String, command: String, args: [String] = []) throws -> Any {
        let reply = try callRaw(path, command: command, args: args)
        let value = try JSONSerialization.jsonObject(with: Data(reply))
        if let obj = value as? [String: Any], let e = obj["error"] as? String {
            // vipd refused the request: its reason alone, without usage text.
            FileHandle.standardError.write(Data("vipctl: \(e)\n".utf8))
            throw ExitCode.failure
        }
        return value
    }

    /// Prints vipd's JSON reply as it came (one line), for large answers
    /// (`lb show` of a full IPVS table) where parsing and pretty-printing
    /// would cost more than the answer itself. An error reply is reported
    /// as `call` does.
    static func printRaw(_ path: String, command: String, args: [String] = []) throws {
        let reply = try callRaw(path, command: command, args: args)
        if reply.starts(with: Array(#"{"error""#.utf8)) { _ = try call(path, command: command, args: args); return }
        FileHandle.standardOutput.write(Data(reply))
        if reply.last != UInt8(ascii: "\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }

    static func callRaw(_ path: String, command: String, args: [String] = []) throws -> [UInt8] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ValidationError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw ValidationError("socket path too long") }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { throw ValidationError("cannot reach vipd at \(path): \(String(cString: strerror(errno)))") }
        let request = try JSONSerialization.data(withJSONObject: ["command": command, "args": args]) + Data("\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            reply += buf[0..<n]
        }
        return reply
    }

    static func printJSON(_ value: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// A plain text table of the given columns.
    static func printTable(_ rows: [[String: Any]], columns: [(String, String)]) {
        let cells = rows.map { r in columns.map { c -> String in
            switch r[c.1] {
            case let s as String: return s
            case let n as NSNumber: return n.stringValue
            case let a as [Any]: return a.map { "\($0)" }.joined(separator: " ")
            case nil, is NSNull: return "-"
            case let x?: return "\(x)"
            }
        } }
        var widths = columns.map { $0.0.count }
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ items: [String]) -> String {
            items.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        print(line(columns.map(\.0)))
        for row in cells { print(line(row)) }
    }
}

struct Neighbors: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "neighbors", abstract: "BGP neighbours: state, uptime, prefixes, last error.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "neighbors")
        if options.json { return try ControlClient.printJSON(v) }
        ControlClient.printTable(v as? [[String: Any]] ?? [], columns: [
            ("Neighbor", "address"), ("AS", "asn"), ("State", "state"), ("Up(s)", "uptime_seconds"),
            ("PfxRcd", "prefixes_received"), ("PfxAcc", "prefixes_accepted"), ("PfxSnt", "prefixes_advertised"), ("Last error", "last_error"),
        ])
    }
}

struct Rib: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rib",
        abstract: "Routes: the Loc-RIB with every path (default), what peers sent (--in) or what they were sent (--out).")
    @OptionGroup var options: ControlOptions
    @Flag(name: .customLong("in"), help: "Adj-RIB-In: as received, before import policy.") var adjIn = false
    @Flag(name: .customLong("out"), help: "Adj-RIB-Out: as sent to each peer.") var adjOut = false
    @Option(help: "ipv4-unicast or ipv6-unicast.") var family: String?
    @Option(help: "Only this prefix.") var prefix: String?
    @Option(help: "Only this peer.") var peer: String?

    func run() throws {
        var args: [String] = []
        if adjIn { args.append("--in") }
        if adjOut { args.append("--out") }
        if let family { args += ["--family", family] }
        if let prefix { args += ["--prefix", prefix] }
        if let peer { args += ["--peer", peer] }
        let rows = try ControlClient.call(options.socket, command: "rib", args: args) as? [[String: Any]] ?? []
        if options.json { return try ControlClient.printJSON(rows) }
        let marked = rows.map { r -> [String: Any] in
            var r = r
            r["flags"] = (r["best"] as? Bool == true ? "*>" : (r["accepted"] as? Bool == false ? "x " : "  ")) + (r["stale"] as? Bool == true ? "S" : "")
            return r
        }
        ControlClient.printTable(marked, columns: [
            ("", "flags"), ("Prefix", "prefix"), ("Peer", "peer"), ("Next hop", "next_hop"), ("LocPrf", "local_pref"), ("MED", "med"),
            ("AS path", "as_path"), ("Communities", "communities"),
        ])
    }
}

struct Vip: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vip", abstract: "Add or delete a VIP at run time (kept over reloads, not restarts).",
                                                    subcommands: [VipAdd.self, VipDel.self])
}

struct VipAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a VIP.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The address.") var address: String
    @Option(help: "bgp, arp or table.") var mode = "bgp"

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "vip", args: ["add", address, "--mode", mode])
        if options.json { try ControlClient.printJSON(v) } else { print("vip \(address) added (\(mode))") }
    }
}

struct VipDel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a VIP added at run time.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The address.") var address: String

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "vip", args: ["del", address])
        if options.json { try ControlClient.printJSON(v) } else { print("vip \(address) deleted") }
    }
}

struct Peer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peer", abstract: "Act on one BGP peer.", subcommands: [PeerReset.self])
}

struct PeerReset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Reset a peer: Cease/Administrative Reset and a new session, or with --soft a route refresh both ways.")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The peer's address.") var address: String
    @Flag(help: "Route refresh instead of a new session.") var soft = false

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "peer", args: ["reset", address] + (soft ? ["--soft"] : []))
        if options.json { try ControlClient.printJSON(v) } else { print("peer \(address): \(soft ? "soft reset" : "reset")") }
    }
}

struct Debug: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "debug", abstract: "Per-peer debug logging at run time.", subcommands: [DebugPeer.self])
}

struct DebugPeer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peer", abstract: "debug peer ADDRESS on|off")
    @OptionGroup var options: ControlOptions
    @Argument(help: "The peer's address.") var address: String
    @Argument(help: "on or off.") var state: String

    func validate() throws {
        guard state == "on" || state == "off" else { throw ValidationError("the last word is on or off") }
    }

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "debug", args: ["peer", address, state])
        if options.json { try ControlClient.printJSON(v) } else { print("peer \(address): debug \(state)") }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Reload the config file, as SIGHUP does; errors are printed and nothing changes.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "reload")
        if options.json { return try ControlClient.printJSON(v) }
        let o = v as? [String: Any] ?? [:]
        func list(_ k: String) -> String { (o[k] as? [String] ?? []).joined(separator: " ") }
        print("reloaded: \(o["bgp_vips"] ?? 0) BGP VIPs; peers added [\(list("peers_added"))] removed [\(list("peers_removed"))] reset [\(list("peers_reset"))] re-evaluated [\(list("peers_reevaluated"))]")
    }
}

struct Vips: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vips", abstract: "The VIPs and their state.")
    @OptionGroup var options: ControlOptions

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "vips")
        if options.json { return try ControlClient.printJSON(v) }
        ControlClient.printTable(v as? [[String: Any]] ?? [], columns: [("VIP", "address"), ("Mode", "mode"), ("State", "state"), ("Source", "source")])
    }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop vipd.",
        discussion: "With --graceful-restart (RFC 4724): sessions close without a NOTIFICATION, VIPs stay in place, and peers keep vipd's routes as stale until it comes back.")
    @OptionGroup var options: ControlOptions
    @Flag(name: .customLong("graceful-restart"), help: "Stop for a graceful restart.") var gracefulRestart = false

    func run() throws {
        guard gracefulRestart else { throw ValidationError("only 'stop --graceful-restart' is available; SIGTERM stops with withdrawal") }
        let v = try ControlClient.call(options.socket, command: "stop", args: ["--graceful-restart"])
        if options.json { try ControlClient.printJSON(v) } else { print("vipd stopped for a graceful restart") }
    }
}
