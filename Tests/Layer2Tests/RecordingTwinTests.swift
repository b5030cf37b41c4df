import Layer2Frames
import Layer2Link
import Testing

/// The twins the daemon's unit tests will drive: they must behave like the
/// real ones where the daemon can tell.
struct RecordingTwinTests {
    struct Gone: Error {}

    @Test func recordingSenderKeepsFramesInOrderAndCanFail() {
        let sender = RecordingFrameSender()
        #expect(throws: Never.self) { try sender.send([1, 2, 3], interfaceIndex: 4) }
        sender.failure = { $0 == 7 ? Gone() : nil }
        #expect(throws: Gone.self) { try sender.send([9], interfaceIndex: 7) }
        #expect(sender.sent.map(\.interfaceIndex) == [4, 7])
        #expect(sender.sent.map(\.frame) == [[1, 2, 3], [9]])
    }

    @Test func recordingMonitorAppliesAndDeliversEvents() throws {
        let eth0 = LinkInfo(index: 2, name: "eth0", mac: mac("02:00:00:00:00:02"), adminUp: true, carrier: true)
        let monitor = RecordingLinkMonitor(links: [eth0])
        let box = Box()
        try monitor.start { box.append($0) }
        var down = eth0
        down.carrier = false
        monitor.emit(.changed(down))
        #expect(try monitor.links() == [down])
        #expect(!down.isUsable)
        monitor.emit(.removed(index: 2, name: "eth0"))
        #expect(try monitor.links().isEmpty)
        monitor.stop()
        monitor.emit(.changed(eth0))
        #expect(box.events == [.changed(down), .removed(index: 2, name: "eth0")])
        #expect(try monitor.links() == [eth0])
    }

    final class Box: @unchecked Sendable {
        var events: [LinkEvent] = []
        func append(_ e: LinkEvent) { events.append(e) }
    }
}
