import BGPCodec
import Foundation
import IPVS
import IPVSNetlink
import Testing
import VipdConfig
@testable import vipd

/// The daemon's IPVS side on the recording twin: the desired table from
/// config, health and overrides; reconcile touching only differences and
/// only vipd's services; the record that survives a crash.
@Suite final class IPVSPlumbingTests {
    let stateDir = "/tmp/vipd-ipvs-test-\(UInt32.random(in: 0...UInt32.max))"

    /// Each test has its own directory; none is left behind.
    deinit { try? FileManager.default.removeItem(atPath: stateDir) }

    func service(_ vip: String = "192.168.113.200", port: UInt16 = 8443, forwarding: Forwarding = .direct,
                 onFailure: OnFailure = .quiesce, backends: [String] = ["192.168.113.22", "192.168.113.23"]) -> ServiceConfig {
        var s = ServiceConfig(frontend: .address(IPAddress(vip)!, port: port))
        s.forwarding = forwarding
        s.onFailure = onFailure
        s.backends = backends.map { ServiceConfig.Backend(address: IPAddress($0)!, port: nil) }
        return s
    }

    func id(_ s: ServiceConfig, _ i: Int) -> BackendID { IPVSDesired.backendID(s.backends[i], of: s) }

    @Test func theDesiredTableFollowsHealthAndOverrides() {
        let s = service()
        var t = IPVSDesired.table([s], up: [:], overrides: [:])
        let key = IPVSDesired.key(s)
        #expect(t.services[key]?.service.scheduler == "wlc")
        #expect(t.services[key]?.sortedDestinations.map(\.weight) == [1, 1])
        #expect(t.services[key]?.sortedDestinations.allSatisfy { $0.forwarding == .droute && $0.port == 8443 } == true)
        // quiesce: a failing backend stays with weight 0; remove: it goes.
        t = IPVSDesired.table([s], up: [id(s, 0): false], overrides: [id(s, 1): 5])
        #expect(t.services[key]?.sortedDestinations.map(\.weight) == [0, 5])
        let r = service(onFailure: .remove)
        t = IPVSDesired.table([r], up: [id(r, 0): false], overrides: [:])
        #expect(t.services[key]?.sortedDestinations.map(\.address.description) == ["192.168.113.23"])
        // Recovered: back with its weight (the override's when set).
        t = IPVSDesired.table([s], up: [id(s, 0): true], overrides: [id(s, 0): 7])
        #expect(t.services[key]?.sortedDestinations.map(\.weight) == [7, 1])
    }

    @Test func directRoutingKeepsTheVirtualPortAndNATKeepsTheBackendsPort() {
        var s = service(forwarding: .direct)
        s.backends[0].port = 9000
        #expect(id(s, 0).destination.port == 8443)
        s.forwarding = .nat
        #expect(id(s, 0).destination.port == 9000)
        #expect(IPVSDesired.port(s.backends[0], of: s) == 9000)
    }

    @Test func reconcileTouchesOnlyTheDifferenceAndOnlyOurServices() throws {
        let kernel = RecordingIPVS()
        // The operator's service, there before vipd.
        let theirs = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 80, scheduler: "rr")
        try kernel.addService(theirs)
        let p = IPVSPlumbing(kernel: kernel, stateDir: stateDir) { _ in }
        let s = service()
        var o = p.reconcile(IPVSDesired.table([s], up: [:], overrides: [:]))
        #expect(o.intents.count == 3 && o.failures.isEmpty && o.services == 1 && o.backends == 2)
        // One weight: exactly one netlink edit.
        kernel.clearCalls()
        o = p.reconcile(IPVSDesired.table([s], up: [id(s, 1): false], overrides: [:]))
        #expect(kernel.changes.count == 1)
        if case .editRealServer(let d, _) = kernel.changes.first { #expect(d.weight == 0) } else { Issue.record("not an edit: \(kernel.changes)") }
        // Idempotent.
        kernel.clearCalls()
        o = p.reconcile(IPVSDesired.table([s], up: [id(s, 1): false], overrides: [:]))
        #expect(kernel.changes.isEmpty && o.intents.isEmpty)
        // A desired service someone else has is a conflict, not a takeover.
        let clash = service("10.0.0.1", port: 80)
        o = p.reconcile(IPVSDesired.table([s, clash], up: [:], overrides: [:]))
        #expect(o.conflicts.map(\.key) == [IPVSDesired.key(clash)])
        #expect(try kernel.services().first { $0.port == 80 }?.scheduler == "rr")
        // At exit ours go, theirs stay.
        p.cleanupAtExit(keep: false)
        #expect(try kernel.services() == [theirs])
    }

    @Test func aRestartAfterACrashRemovesOnlyWhatTheRecordSaysIsOurs() throws {
        let kernel = RecordingIPVS()
        let s = service(), old = service("192.168.113.201")
        let first = IPVSPlumbing(kernel: kernel, stateDir: stateDir) { _ in }
        _ = first.reconcile(IPVSDesired.table([s, old], up: [:], overrides: [:]))
        let theirs = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 80)
        try kernel.addService(theirs)
        // "Crash": a new plumbing reads the record; the config lost `old`.
        #expect(IPVSPlumbing.hasRecord(stateDir))
        let second = IPVSPlumbing(kernel: kernel, stateDir: stateDir) { _ in }
        #expect(second.owned == [IPVSDesired.key(s), IPVSDesired.key(old)])
        kernel.clearCalls()
        let o = second.reconcile(IPVSDesired.table([s], up: [:], overrides: [:]))
        #expect(o.intents == [.deleteService(IPVSDesired.key(old))])
        #expect(Set(try kernel.services().map(\.port)) == [8443, 80])
        // keep_on_exit leaves them; a record from another boot is not ours.
        second.cleanupAtExit(keep: true)
        #expect(try kernel.services().count == 2)
        try "boot other netns 1\ntcp 192.168.113.200:8443\n".write(toFile: stateDir + "/ipvs-services", atomically: true, encoding: .utf8)
        #expect(!IPVSPlumbing.hasRecord(stateDir))
        #expect(IPVSPlumbing(kernel: kernel, stateDir: stateDir) { _ in }.owned.isEmpty)
    }

    /// The record is written before the batches: a crash in the middle of
    /// them leaves every service vipd may have made listed as its own.
    /// After them it lists what exists: a refused add is not vipd's.
    @Test func theRecordListsNewServicesBeforeTheyAreMade() throws {
        final class Seen: @unchecked Sendable { var record: String? }
        let seen = Seen()
        let kernel = RecordingIPVS()
        let path = stateDir + "/ipvs-services"
        let refused: UInt16 = 9443
        kernel.failure = { change in
            if seen.record == nil { seen.record = try? String(contentsOfFile: path, encoding: .utf8) }
            if case .addService(let s) = change, s.port == refused { return IPVSError(operation: "add", code: EEXIST, message: "File exists") }
            return nil
        }
        let p = IPVSPlumbing(kernel: kernel, stateDir: stateDir) { _ in }
        let s = service(), t = service(port: refused)
        let o = p.reconcile(IPVSDesired.table([s, t], up: [:], overrides: [:]))
        #expect(o.failures.count >= 1)
        let during = try #require(seen.record)
        #expect(during.contains("192.168.113.200:8443") && during.contains("192.168.113.200:9443"))
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.contains("192.168.113.200:8443") && !after.contains(":9443"))
        #expect(p.owned == [IPVSDesired.key(s)])
    }

    /// Sharing a service's kernel value across its intents changes nothing:
    /// the changes are those of converting each intent alone.
    @Test func batchedConversionMatchesOneByOne() {
        let web = IPVSServiceKey.address(.tcp, IPVSAddress("192.168.113.200")!, port: 8443)
        let dns = IPVSServiceKey.address(.udp, IPVSAddress("2001:db8::53")!, port: 53)
        let d1 = IPVSDestination(address: IPVSAddress("192.168.113.22")!, port: 8443, weight: 2)
        let d2 = IPVSDestination(address: IPVSAddress("2001:db8::22")!, port: 53, forwarding: .masq)
        let intents: [IPVSIntent] = [
            .deleteService(.fwmark(3, family: .ipv4)), .addService(IPVSService(key: web, scheduler: "rr")),
            .addDestination(web, d1), .editDestination(web, d1), .deleteDestination(web, d1.key),
            .editService(IPVSService(key: dns, scheduler: "sh")), .addDestination(dns, d2), .addDestination(web, d1),
        ]
        #expect(IPVSBridge.changes(intents) == intents.map(IPVSBridge.change))
    }
}
