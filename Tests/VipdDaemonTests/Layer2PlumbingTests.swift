import BGPCodec
import Foundation
import KernelRoutes
import Layer2Frames
import Layer2Link
import NIOCore
import NIOPosix
import Testing
import VipdConfig
@testable import vipd

/// ARP-mode ownership on the recording twins: what goes into the kernel,
/// which frames leave and in which order, the record in `state_dir`, and
/// the clean-up after a crashed run.
@Suite final class Layer2PlumbingTests {
    let stateDir = "/tmp/vipd-l2-test-\(UInt32.random(in: 0...UInt32.max))"

    /// Each test has its own directory; none is left behind.
    deinit { try? FileManager.default.removeItem(atPath: stateDir) }
    let mac = MACAddress("02:00:00:00:00:11")!
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    func config(count: Int = 3, intervalMs: Int = 100, nodad: Bool = true) -> VipdConfig {
        var c = VipdConfig()
        c.stateDir = stateDir
        c.interface = "eth0"
        c.layer2.garp = GARPConfig(count: count, intervalMs: intervalMs, refreshS: 0)
        c.layer2.nodad = nodad
        return c
    }

    /// The twin's count, read on the loop that its timers send from.
    func sentCount(_ sender: RecordingFrameSender) throws -> Int {
        let box = UncheckedBox(sender)
        return try group.next().submit { box.value.sent.count }.wait()
    }

    func plumbing(_ c: VipdConfig, _ addrs: RecordingAddressTable, _ sender: RecordingFrameSender) -> Layer2Plumbing {
        let l2 = Layer2Plumbing(addresses: addrs, sender: sender, loop: group.next(), config: c) { _, _ in }
        l2.setLink(LinkInfo(index: 2, name: "eth0", mac: mac, adminUp: true, carrier: true))
        return l2
    }

    @Test func aTakeoverAddsTheAddressThenSendsBothGARPFormsAtOnce() throws {
        let addrs = RecordingAddressTable(), sender = RecordingFrameSender()
        let l2 = plumbing(config(count: 1), addrs, sender)
        let v4 = IPAddress("10.0.0.100")!, v6 = IPAddress("fd00::100")!
        _ = try group.next().submit { l2.sync([v4, v6]) }.wait()
        let onEth = try addrs.list(interfaceIndex: 2)
        #expect(Set(onEth.map(\.address.description)) == ["10.0.0.100", "fd00::100"])
        #expect(onEth.allSatisfy { $0.proto == 248 && $0.prefixLength == $0.address.family.maxPrefixLength })
        #expect(onEth.first { $0.address.family == .ipv6 }?.flags.contains(.noDAD) == true)
        // Both ARP forms for the IPv4 VIP, then the NA; all on the interface.
        #expect(sender.sent.map(\.interfaceIndex) == [2, 2, 2])
        #expect(sender.sent[0].frame == AnnouncementFrames.gratuitousARPRequest(sender: mac, address: IPv4Address("10.0.0.100")!))
        #expect(sender.sent[1].frame == AnnouncementFrames.gratuitousARPReply(sender: mac, address: IPv4Address("10.0.0.100")!))
        #expect(sender.sent[2].frame == AnnouncementFrames.unsolicitedNA(sender: mac, target: IPv6Address("fd00::100")!,
                                                                          source: IPv6Address("fd00::100")!))
        // The record lists both, for the clean-up after a crash.
        #expect(Set(AddressRecord.readEntries(stateDir, name: Layer2Plumbing.recordName)) ==
                [AddressRecord.Entry(address: v4, interface: "eth0"), AddressRecord.Entry(address: v6, interface: "eth0")])
        // Release: the address goes at once, the record follows.
        _ = try group.next().submit { l2.sync([v6]) }.wait()
        #expect(try addrs.list(interfaceIndex: 2).map(\.address.description) == ["fd00::100"])
        #expect(AddressRecord.readEntries(stateDir, name: Layer2Plumbing.recordName).map(\.address) == [v6])
    }

    @Test func theBurstFollowsTheConfigAndStopsOnRelease() throws {
        let addrs = RecordingAddressTable(), sender = RecordingFrameSender()
        let l2 = plumbing(config(count: 3, intervalMs: 20), addrs, sender)
        let v4 = IPAddress("10.0.0.100")!
        _ = try group.next().submit { l2.sync([v4]) }.wait()
        #expect(sender.sent.count == 2)
        // The two later rounds, 20 ms apart; bounded wait.
        let deadline = Date().addingTimeInterval(2)
        while try sentCount(sender) < 6, Date() < deadline { usleep(5000) }
        #expect(try sentCount(sender) == 6)
        // A long burst released early sends nothing more.
        let l2b = plumbing(config(count: 50, intervalMs: 20), RecordingAddressTable(), RecordingFrameSender())
        let sender2 = l2b.sender as! RecordingFrameSender
        _ = try group.next().submit { l2b.sync([v4]); l2b.sync([]) }.wait()
        usleep(100_000)
        #expect(try sentCount(sender2) == 2)
    }

    @Test func withoutNodadTheIPv6VIPRunsDAD() throws {
        let addrs = RecordingAddressTable(), sender = RecordingFrameSender()
        let l2 = plumbing(config(count: 1, nodad: false), addrs, sender)
        _ = try group.next().submit { l2.sync([IPAddress("fd00::100")!]) }.wait()
        #expect(try addrs.list(interfaceIndex: 2).first?.flags.contains(.noDAD) == false)
    }

    @Test func aDownLinkSendsNothingAndAnUpLinkAnnouncesAgain() throws {
        let addrs = RecordingAddressTable(), sender = RecordingFrameSender()
        let l2 = plumbing(config(count: 1), addrs, sender)
        l2.setLink(LinkInfo(index: 2, name: "eth0", mac: mac, adminUp: true, carrier: false))
        let v4 = IPAddress("10.0.0.100")!
        _ = try group.next().submit { l2.sync([v4]) }.wait()
        #expect(sender.sent.isEmpty)
        // The kernel dropped the address with the link; relink puts it back.
        try addrs.remove(.vip(KernelAddress("10.0.0.100")!, interfaceIndex: 2))
        l2.setLink(LinkInfo(index: 2, name: "eth0", mac: mac, adminUp: true, carrier: true))
        _ = try group.next().submit { l2.relink() }.wait()
        #expect(try addrs.list(interfaceIndex: 2).map(\.address.description) == ["10.0.0.100"])
        #expect(sender.sent.count == 2)
    }

    @Test func aCrashedRunsARPVIPsGoAtStartAndOthersStay() throws {
        let theirs = InterfaceAddress(address: KernelAddress("10.0.0.7")!, prefixLength: 24, interfaceIndex: 2)
        let left = InterfaceAddress.vip(KernelAddress("10.0.0.100")!, interfaceIndex: 2, proto: 248)
        let addrs = RecordingAddressTable(addresses: [theirs, left]), sender = RecordingFrameSender()
        AddressRecord.writeEntries(stateDir, name: Layer2Plumbing.recordName, [AddressRecord.Entry(address: IPAddress("10.0.0.100")!, interface: "eth0")])
        let l2 = plumbing(config(), addrs, sender)
        l2.cleanupAtStart()
        #expect(try addrs.list(interfaceIndex: 2) == [theirs])
        #expect(AddressRecord.readEntries(stateDir, name: Layer2Plumbing.recordName).isEmpty)
        // A record from another boot or namespace is not acted on.
        try addrs.add(left)
        try "boot other netns 1\n10.0.0.100 dev eth0\n".write(toFile: AddressRecord.path(stateDir, Layer2Plumbing.recordName), atomically: true, encoding: .utf8)
        l2.cleanupAtStart()
        #expect(try addrs.list(interfaceIndex: 2).count == 2)
    }
}

/// Hands a loop-owned twin to the loop that owns it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
