import BGPCodec
import BGPCodecJSON
import IPVS
import IPVSNetlink
import NIOCore
import VipdConfig

/// `vipctl lb`: the kernel's IPVS table as `ipvsadm -Ln` shows it (or as
/// JSON), which entries vipd manages and each backend's health; and one
/// backend's weight changed at run time with one netlink operation.
extension Daemon {
    /// `lb show [--stats] [--text]`: JSON (interfaces.md), written straight
    /// into the reply's bytes; or, with --text, {"text": ipvsadm's layout
    /// with vipd's marks}.
    func lbShow(_ args: [String]) -> EventLoopFuture<[UInt8]> {
        loop.submit {
            guard let ipvs = self.ipvs else { throw ControlError("IPVS is not in use on this node (no services, or no IPVS in the kernel)") }
            if !args.contains("--text") {
                return LBListing.json(try IPVSBridge.list(ipvs.kernel), owned: ipvs.owned, stats: args.contains("--stats"),
                                      health: { id, managed in self.backendHealth(id, managed: managed) },
                                      overridden: { !self.weightOverrides.isEmpty && self.weightOverrides[$0] != nil })
            }
            let (table, counters) = try IPVSBridge.read(ipvs.kernel)
            let text = args.contains("--stats") ? IPVSAdmText.listStats(table, counters: counters) : IPVSAdmText.list(table, counters: counters)
            return JSONValue.object([("text", .string(text)), ("managed", .array(ipvs.owned.sorted().map { .string($0.description) })),
                                     ("health", .object(self.backendUp.keys.sorted().map { ("\($0)", .string(self.backendUp[$0]! ? "up" : "down")) }))])
                .serializedBytes
        }
    }

    /// A backend's health as `lb show` names it. (The empty checks save
    /// 20,000 hash lookups listing a table of 10,000 unchecked backends.)
    func backendHealth(_ id: BackendID, managed: Bool) -> String {
        guard managed else { return "unmanaged" }
        if !backendUp.isEmpty, let up = backendUp[id] { return up ? "up" : "down" }
        return backendCheckers.isEmpty || backendCheckers[id] == nil ? "unchecked" : "unknown"
    }

    /// `lb backend set [--protocol P] VIP:PORT BACKEND:PORT --weight N` and
    /// `lb backend reset [--protocol P] VIP:PORT BACKEND:PORT`. A set is one
    /// netlink edit, timed from the request's arrival to the kernel's
    /// acknowledgement; it stays over reloads until reset. A failing backend
    /// still goes to weight 0 (or away) and returns to the override.
    func lbBackend(_ args: [String], received: NIODeadline) -> EventLoopFuture<JSONValue> {
        // Called on the loop by the control handler: done at once, not a
        // loop turn later (the time to the acknowledgement is a figure).
        loop.inEventLoop ? loop.makeCompletedFuture(Result { try self.lbBackendNow(args, received: received) })
            : loop.submit { try self.lbBackendNow(args, received: received) }
    }

    private func lbBackendNow(_ args: [String], received: NIODeadline) throws -> JSONValue {
        let usage = "usage: lb backend set|reset [--protocol tcp|udp|sctp] VIP:PORT BACKEND:PORT [--weight N]"
        guard let ipvs = self.ipvs else { throw ControlError("IPVS is not in use on this node") }
        var words = args
        guard words.count >= 3, words.removeFirst() == "backend" else { throw ControlError(usage) }
        let verb = words.removeFirst()
        var proto: ServiceProtocol = .tcp
        var weight: Int32?
        var positional: [String] = []
        var i = 0
        while i < words.count {
            switch words[i] {
            case "--protocol":
                guard i + 1 < words.count, let p = ServiceProtocol(rawValue: words[i + 1]) else { throw ControlError("--protocol is tcp, udp or sctp") }
                proto = p; i += 1
            case "--weight":
                guard i + 1 < words.count, let w = Int32(words[i + 1]), (0...65535).contains(w) else { throw ControlError("--weight takes 0-65535") }
                weight = w; i += 1
            default: positional.append(words[i])
            }
            i += 1
        }
        guard positional.count == 2, let front = ConfigSocketAddress(positional[0]), let back = ConfigSocketAddress(positional[1]) else {
            throw ControlError(usage)
        }
        var probe = ServiceConfig(frontend: .address(front.address, port: front.port))
        probe.serviceProtocol = proto
        guard let at = self.serviceIndex[IPVSDesired.key(probe)], at < self.config.services.count,
              case let s = self.config.services[at],
              let b = s.backends.first(where: { $0.address == back.address && IPVSDesired.port($0, of: s) == back.port }) else {
            throw ControlError("\(proto.rawValue) \(front) -> \(back) is not a backend of a configured service")
        }
        let id = IPVSDesired.backendID(b, of: s)
        switch verb {
        case "set":
            guard let weight else { throw ControlError("lb backend set needs --weight N") }
            self.weightOverrides[id] = weight
        case "reset":
            self.weightOverrides[id] = nil
        default:
            throw ControlError(usage)
        }
        // The destination as it should be now: one edit, unless health
        // keeps it out (then only the override is remembered).
        guard let d = IPVSDesired.destination(b, of: s, up: self.backendUp, overrides: self.weightOverrides) else {
            return .object([("ok", .bool(true)), ("netlink_operations", .int(0)), ("note", .string("backend is out (health); the weight applies when it returns"))])
        }
        let before = ipvs.kernel.requestsSent
        try ipvs.setWeight(id, destination: d)
        let operations = ipvs.kernel.requestsSent - before
        let micros = Double(NIODeadline.now().uptimeNanoseconds - received.uptimeNanoseconds) / 1000
        self.logger.info("lb backend \(verb): weight \(d.weight) in \(String(format: "%.0f", micros)) us, \(operations) netlink operation(s)",
                         metadata: ["ipvs.service": "\(id.service)", "ipvs.backend": "\(id.destination)"])
        return .object([("ok", .bool(true)), ("weight", .int(Int(d.weight))), ("netlink_operations", .int(operations)),
                        ("microseconds", .double(micros))])
    }
}
