import Foundation
import KernelRoutes
import Layer2Frames
import Layer2Link
import TestSupport
import Testing

/// The frames on a real wire: an owner namespace (this test's thread) and a
/// client namespace joined by a veth. The client knows the VIP at a stale
/// MAC; each announcement sent through `PacketSocketSender` must move the
/// client's neighbour entry to the owner's MAC, as the kernel decides it.
@Suite(.enabled(if: isRoot, "needs root: network namespaces and AF_PACKET"))
struct AnnouncementNamespaceTests {
    static let oldMAC = "02:00:00:00:00:99"

    struct Neighbour: Sendable, Equatable {
        var lladdr: String?
        var state: [String]
    }

    struct Trial: Sendable {
        var before: Neighbour
        var after: Neighbour
    }

    struct Seen: Sendable {
        var ownerMAC = ""
        var request: Trial?, reply: Trial?, advert: Trial?
        var ignoredReply: Trial?, acceptedAfterIgnored: Trial?
        var unknownInterface: String?
    }

    @Test func announcementsMoveTheClientsNeighbourEntries() throws {
        let seen = try inFreshNetworkNamespace { () throws -> Seen in
            let client = "l2c-\(getpid())-\(UUID().uuidString.prefix(8))"
            try ip("netns", "add", client)
            defer { _ = try? ip("netns", "del", client) }
            let links = try LinuxLinkTable()
            try links.setUp(named: "lo")
            // Spawned from this thread, `ip` runs in the owner namespace.
            try ip("link", "add", "own0", "type", "veth", "peer", "name", "cli0", "netns", client)
            try links.setUp(named: "own0")
            try ip("-n", client, "link", "set", "lo", "up")
            try ip("-n", client, "link", "set", "cli0", "up")
            try ip("-n", client, "addr", "add", "10.9.0.2/24", "dev", "cli0")
            try ip("-n", client, "addr", "add", "fd00:9::2/64", "dev", "cli0", "nodad")

            let addresses = try LinuxAddressTable()
            let own0 = try addresses.interfaceIndex(named: "own0")
            try addresses.add(InterfaceAddress(address: k("10.9.0.1"), prefixLength: 24, interfaceIndex: own0))
            try addresses.add(.vip(k("10.9.0.100"), interfaceIndex: own0, proto: 248))
            try addresses.add(.vip(k("fd00:9::100"), interfaceIndex: own0, proto: 248))  // nodad
            guard let ownerMAC = try NetlinkLinkMonitor().links().first(where: { $0.name == "own0" })?.mac else {
                throw HarnessError("own0 has no MAC")
            }
            var seen = Seen(ownerMAC: ownerMAC.description)
            let sender = try PacketSocketSender()

            func neighbour(_ address: String) throws -> Neighbour {
                let text = try ip("-n", client, "-j", "neigh", "show", "to", address, "dev", "cli0").output
                let entries = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
                return Neighbour(lladdr: entries.first?["lladdr"] as? String,
                                 state: entries.first?["state"] as? [String] ?? [])
            }
            func trial(_ address: String, _ frame: [UInt8], expecting lladdr: String, wait: Double = 2) throws -> Trial {
                try ip("-n", client, "neigh", "replace", address, "lladdr", Self.oldMAC, "dev", "cli0", "nud", "stale")
                let before = try neighbour(address)
                try sender.send(frame, interfaceIndex: own0)
                let after = try poll(for: wait, { try neighbour(address) }, until: { $0.lladdr == lladdr })
                return Trial(before: before, after: after)
            }

            seen.request = try trial("10.9.0.100", AnnouncementFrames.gratuitousARPRequest(
                sender: ownerMAC, address: v4("10.9.0.100")), expecting: ownerMAC.description)
            seen.reply = try trial("10.9.0.100", AnnouncementFrames.gratuitousARPReply(
                sender: ownerMAC, address: v4("10.9.0.100")), expecting: ownerMAC.description)
            seen.advert = try trial("fd00:9::100", AnnouncementFrames.unsolicitedNA(
                sender: ownerMAC, target: v6("fd00:9::100"), source: v6("fd00:9::100")), expecting: ownerMAC.description)

            // A reply whose target MAC is broadcast is an ordinary reply: no
            // override within locktime (10 s here, so timing cannot decide).
            try ip("-n", client, "ntable", "change", "name", "arp_cache", "dev", "cli0", "locktime", "10000")
            var ordinary = AnnouncementFrames.gratuitousARPReply(sender: ownerMAC, address: v4("10.9.0.100"))
            ordinary.replaceSubrange(32..<38, with: MACAddress.broadcast.bytes)
            seen.ignoredReply = try trial("10.9.0.100", ordinary, expecting: ownerMAC.description, wait: 0.5)
            // The same link and locktime still take the gratuitous form.
            try sender.send(AnnouncementFrames.gratuitousARPReply(sender: ownerMAC, address: v4("10.9.0.100")),
                            interfaceIndex: own0)
            let moved = try poll({ try neighbour("10.9.0.100") }, until: { $0.lladdr == ownerMAC.description })
            seen.acceptedAfterIgnored = Trial(before: seen.ignoredReply!.after, after: moved)

            do {
                try sender.send(AnnouncementFrames.gratuitousARPRequest(sender: ownerMAC, address: v4("10.9.0.100")),
                                interfaceIndex: 9999)
            } catch {
                seen.unknownInterface = "\(error)"
            }
            return seen
        }
        let owner = seen.ownerMAC
        let old = Neighbour(lladdr: Self.oldMAC, state: ["STALE"])
        #expect(seen.request?.before == old, "\(String(describing: seen.request))")
        #expect(seen.request?.after.lladdr == owner, "request-form GARP: \(String(describing: seen.request))")
        #expect(seen.reply?.before == old)
        #expect(seen.reply?.after.lladdr == owner, "reply-form GARP: \(String(describing: seen.reply))")
        #expect(seen.advert?.before == old)
        #expect(seen.advert?.after.lladdr == owner, "unsolicited NA: \(String(describing: seen.advert))")
        #expect(seen.advert?.after.state == ["STALE"], "\(String(describing: seen.advert))")
        #expect(seen.ignoredReply?.before == old)
        #expect(seen.ignoredReply?.after == old, "broadcast-target reply: \(String(describing: seen.ignoredReply))")
        #expect(seen.acceptedAfterIgnored?.after.lladdr == owner, "\(String(describing: seen.acceptedAfterIgnored))")
        #expect(seen.unknownInterface != nil)
    }
}
