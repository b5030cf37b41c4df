/// Counts BGP messages by type in a byte stream, for the message metrics:
/// it walks the 19-byte headers across reads without decoding anything.
/// A stream with a bad header stops being counted (the session resets on
/// it anyway).
public struct MessageTally: Sendable {
    /// Messages by type code (1 OPEN ... 5 ROUTE-REFRESH); index 0 others.
    public private(set) var counts = [UInt64](repeating: 0, count: 6)
    private var skip = 0
    private var header: [UInt8] = []
    private var broken = false

    public init() {}

    public mutating func scan(_ bytes: [UInt8]) {
        var i = 0
        while i < bytes.count && !broken {
            if skip > 0 {
                let n = min(skip, bytes.count - i)
                skip -= n
                i += n
                continue
            }
            let n = min(19 - header.count, bytes.count - i)
            header += bytes[i..<(i + n)]
            i += n
            guard header.count == 19 else { break }
            let length = Int(header[16]) << 8 | Int(header[17])
            guard length >= 19 else {
                broken = true
                break
            }
            let type = Int(header[18])
            counts[type >= 1 && type <= 5 ? type : 0] += 1
            skip = length - 19
            header.removeAll(keepingCapacity: true)
        }
    }

    /// Adds another tally's counts (a connection that closed).
    public mutating func absorb(_ other: MessageTally) {
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    public static let typeNames = ["other", "open", "update", "notification", "keepalive", "route_refresh"]
}
