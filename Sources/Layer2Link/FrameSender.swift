/// Puts a whole Ethernet frame (no FCS) on one interface. The daemon's
/// announcement timers call this; `PacketSocketSender` is the real one and
/// `RecordingFrameSender` the twin for unit tests. One owner (the daemon's
/// loop) calls it.
public protocol FrameSender: AnyObject {
    /// Sends `frame` out of the interface with index `interfaceIndex`;
    /// throws when the kernel refuses it (no such interface, interface down,
    /// frame too short or too long).
    func send(_ frame: [UInt8], interfaceIndex: UInt32) throws
}

/// A `FrameSender` that keeps every frame instead of sending it, so the
/// daemon's tests can check what was announced, where and in which order.
public final class RecordingFrameSender: FrameSender {
    /// Every frame handed to `send`, in order (also those that `failure` failed).
    public private(set) var sent: [(interfaceIndex: UInt32, frame: [UInt8])] = []
    /// When set and it returns an error for an interface index, `send` throws
    /// that error after recording the frame (a link gone away, for example).
    public var failure: ((UInt32) -> (any Error)?)?

    public init() {}

    public func send(_ frame: [UInt8], interfaceIndex: UInt32) throws {
        sent.append((interfaceIndex: interfaceIndex, frame: frame))
        if let error = failure?(interfaceIndex) { throw error }
    }

    public func clear() { sent.removeAll() }
}
