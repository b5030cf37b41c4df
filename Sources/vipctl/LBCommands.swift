import ArgumentParser
import Foundation

/// `vipctl lb`: vipd's IPVS table and runtime backend weights.
struct LB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lb", abstract: "IPVS load balancing: the table, and one backend's weight at run time.",
        subcommands: [LBShow.self, LBBackend.self])
}

struct LBShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "The kernel's IPVS table in ipvsadm -Ln's layout, with the services vipd manages and each backend's health.")
    @OptionGroup var options: ControlOptions
    @Flag(help: "Packet and byte counters, as ipvsadm -Ln --stats.") var stats = false

    func run() throws {
        let extra = stats ? ["--stats"] : []
        // The table can hold thousands of backends: vipd's JSON is printed
        // as it comes rather than parsed and pretty-printed again.
        if options.json { return try ControlClient.printRaw(options.socket, command: "lb", args: ["show"] + extra) }
        let v = try ControlClient.call(options.socket, command: "lb", args: ["show", "--text"] + extra) as? [String: Any] ?? [:]
        print(v["text"] as? String ?? "", terminator: "")
        let managed = v["managed"] as? [String] ?? []
        print("\nManaged by vipd: \(managed.isEmpty ? "none" : managed.joined(separator: ", "))")
        let health = (v["health"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }
        if !health.isEmpty {
            print("Backend health:")
            for (backend, state) in health { print("  \(backend)  \(state)") }
        }
    }
}

struct LBBackend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backend", abstract: "One backend's weight at run time (kept over reloads until reset).",
        subcommands: [LBBackendSet.self, LBBackendReset.self])
}

struct LBBackendSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a backend's weight (0 drains it): one netlink operation.")
    @OptionGroup var options: ControlOptions
    @Option(help: "tcp, udp or sctp.") var `protocol` = "tcp"
    @Argument(help: "The service, VIP:PORT ([v6]:port for IPv6).") var service: String
    @Argument(help: "The backend, ADDRESS:PORT.") var backend: String
    @Option(help: "The weight, 0-65535.") var weight: Int

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "lb",
                                       args: ["backend", "set", "--protocol", `protocol`, service, backend, "--weight", String(weight)])
        if options.json { return try ControlClient.printJSON(v) }
        let o = v as? [String: Any] ?? [:]
        if let us = o["microseconds"] as? Double {
            print("\(backend) of \(service): weight \(weight) (\(o["netlink_operations"] ?? 1) netlink operation, \(String(format: "%.0f", us)) us)")
        } else {
            print("\(backend) of \(service): weight \(weight) remembered; \(o["note"] ?? "")")
        }
    }
}

struct LBBackendReset: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reset", abstract: "Back to the config's weight.")
    @OptionGroup var options: ControlOptions
    @Option(help: "tcp, udp or sctp.") var `protocol` = "tcp"
    @Argument(help: "The service, VIP:PORT.") var service: String
    @Argument(help: "The backend, ADDRESS:PORT.") var backend: String

    func run() throws {
        let v = try ControlClient.call(options.socket, command: "lb", args: ["backend", "reset", "--protocol", `protocol`, service, backend])
        if options.json { try ControlClient.printJSON(v) } else { print("\(backend) of \(service): config weight") }
    }
}
