import Foundation
import IPVS
import IPVSNetlink
import NATRules

/// vipd's IPVS table in the kernel, over generic netlink (`IPVSKernel`),
/// owned by the daemon's loop. IPVS entries carry no owner mark, so the
/// services vipd created are listed in `state_dir/ipvs-services` under the
/// boot id and netns cookie (interfaces.md, "Kernel specifics"): a service
/// it did not create is never touched, even after a crash and restart, and a
/// desired service that someone else already has is reported, not taken.
final class IPVSPlumbing {
    let kernel: any IPVSKernel
    let stateDir: String
    let log: (String) -> Void
    /// The services vipd created and still has.
    private(set) var owned: Set<IPVSServiceKey>
    /// NAT mode's sysctls, restored at exit.
    private var sysctls = SysctlChanges()
    private var natRules: [MasqueradeRule]?

    static let recordName = "ipvs-services"

    /// Whether an earlier run in this boot and namespace left services to
    /// clean up (vipd then opens IPVS even with no services configured).
    static func hasRecord(_ stateDir: String) -> Bool {
        guard let text = FileIO.readText(stateDir + "/" + recordName),
              let r = try? IPVSOwnershipRecord.parse(text) else { return false }
        return r.header == AddressRecord.owner() && !r.services.isEmpty
    }

    init(kernel: any IPVSKernel, stateDir: String, log: @escaping (String) -> Void) {
        self.kernel = kernel
        self.stateDir = stateDir
        self.log = log
        let text = FileIO.readText(stateDir + "/" + Self.recordName) ?? ""
        if let r = try? IPVSOwnershipRecord.parse(text), r.header == AddressRecord.owner() {
            owned = r.services
        } else {
            owned = []
        }
    }

    /// What one reconcile did.
    struct Outcome {
        var intents: [IPVSIntent] = []
        var failures: [String] = []
        var conflicts: [IPVSConflict] = []
        var services = 0
        var backends = 0
        /// Milliseconds spent reading the kernel's table, planning, and
        /// applying the plan (for the log line: where a start's time goes).
        var readMs = 0.0, planMs = 0.0, applyMs = 0.0
    }

    /// Brings the kernel's table in line with `desired`: reads it, plans
    /// the difference, and applies exactly that (batched). Owned services
    /// no longer desired go; others' services stay.
    func reconcile(_ desired: IPVSTableState) -> Outcome {
        var outcome = Outcome()
        var t = DispatchTime.now().uptimeNanoseconds
        func lap() -> Double {
            let now = DispatchTime.now().uptimeNanoseconds
            defer { t = now }
            return Double(now - t) / 1e6
        }
        let actual: IPVSTableState
        do {
            actual = try IPVSBridge.read(kernel).table
        } catch {
            outcome.failures.append("cannot read the IPVS table: \(error)")
            return outcome
        }
        outcome.readMs = lap()
        let plan = IPVSPlanner.plan(desired: desired, actual: actual, owned: owned)
        outcome.intents = plan.intents
        outcome.conflicts = plan.conflicts
        var nowOwned = plan.owned
        let changes = IPVSBridge.changes(plan.intents)
        outcome.planMs = lap()
        // The record first: a crash during the batches then leaves every
        // service vipd may have made listed as its own (to be cleaned up
        // by the next run), never one of its own taken for the operator's.
        let recorded = owned.union(plan.owned)
        if recorded != owned { writeRecord(recorded) }
        do {
            try kernel.apply(changes)
        } catch let batch as IPVSBatchError {
            for f in batch.failures {
                outcome.failures.append("\(plan.intents[f.index]): \(f.error)")
                // A service whose add failed is not ours.
                if case .addService(let s) = plan.intents[f.index] { nowOwned.remove(s.key) }
            }
        } catch {
            outcome.failures.append("\(error)")
        }
        outcome.applyMs = lap()
        owned = nowOwned
        if owned != recorded { writeRecord(owned) }
        let ours = desired.restricted(to: owned)
        outcome.services = ours.services.count
        outcome.backends = ours.destinationCount
        return outcome
    }

    /// One backend's weight, as one netlink edit (`vipctl lb backend set`).
    func setWeight(_ id: BackendID, destination: IPVSDestination) throws {
        try kernel.editRealServer(IPVSBridge.kernel(destination), in: IPVSBridge.kernel(id.service))
    }

    /// NAT mode: forwarding and IPVS conntrack on, and a masquerade rule
    /// per NAT backend so that backends answer through the director. With
    /// no NAT backend, vipd's nft table goes and the sysctls come back.
    func syncNAT(_ desired: IPVSTableState) {
        var rules: [MasqueradeRule] = []
        // (sorted only when there is NAT: a table of 10,000 direct-routing
        // backends needs one pass and no sort)
        let anyNAT = desired.services.values.contains { $0.destinations.values.contains { $0.forwarding == .masq } }
        for s in anyNAT ? desired.sortedServices : [] {
            for d in s.sortedDestinations where d.forwarding == .masq {
                var r = MasqueradeRule(backendAddress: d.addressBytes)
                if case .address(let p, let vip, let port) = s.service.key {
                    r.backendPort = d.port
                    r.transport = p == .tcp ? .tcp : p == .udp ? .udp : .sctp
                    r.virtualAddress = vip.addressBytes
                    r.virtualPort = port
                }
                rules.append(r)
            }
        }
        guard rules != natRules else { return }
        if rules.isEmpty {
            do { try NATRules.remove() } catch { log("NAT: cannot remove vipd's nft table: \(error)") }
            for e in sysctls.restore() { log("NAT: \(e)") }
            sysctls = SysctlChanges()
        } else {
            do {
                if rules.contains(where: { !$0.isIPv6 }) { try sysctls.set("net.ipv4.ip_forward", to: "1") }
                if rules.contains(where: \.isIPv6) { try sysctls.set("net.ipv6.conf.all.forwarding", to: "1") }
                try sysctls.set("net.ipv4.vs.conntrack", to: "1")
                try NATRules.apply(rules)
            } catch {
                log("NAT: \(error)")
                return
            }
            log("NAT: \(rules.count) masquerade rules in nft table vipd; ip_forward and vs.conntrack on")
        }
        natRules = rules
    }

    /// At exit: vipd's services go unless `ipvs.keep_on_exit`; NAT's table
    /// and sysctls always.
    func cleanupAtExit(keep: Bool) {
        if !keep {
            let changes = owned.sorted().map { IPVSChange.deleteService(IPVSBridge.kernel($0)) }
            do { try kernel.apply(changes) } catch { log("IPVS clean-up: \(error)") }
            owned = []
            writeRecord(owned)
        }
        if natRules != nil {
            try? NATRules.remove()
            for e in sysctls.restore() { log("NAT: \(e)") }
            natRules = nil
        }
    }

    private func writeRecord(_ services: Set<IPVSServiceKey>) {
        try? FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let text = IPVSOwnershipRecord(header: AddressRecord.owner(), services: services).text
        FileIO.writeAtomically(stateDir + "/" + Self.recordName, text)
    }
}
