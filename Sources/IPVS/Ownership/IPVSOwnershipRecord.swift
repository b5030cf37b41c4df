/// Which IPVS services vipd created, as text for `state_dir`. IPVS entries
/// carry no owner mark, so this record is the only proof of ownership.
///
/// The first line is the caller's header (the daemon writes the boot id and
/// the network namespace's cookie there, and compares it on reading); then
/// one service key a line, in key order:
///
///     vipd-ipvs boot=... netns=...
///     tcp 192.168.113.200:8443
///     udp [fd00:9::100]:53
///     fwmark 7 ipv4
public struct IPVSOwnershipRecord: Hashable, Sendable {
    /// One line; line breaks in it are printed as spaces.
    public var header: String
    public var services: Set<IPVSServiceKey>

    public init(header: String, services: Set<IPVSServiceKey>) {
        self.header = header
        self.services = services
    }

    /// The file's text: the header line, then a line per service, each
    /// ending in a newline.
    public var text: String {
        let head = String(header.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return ([head] + services.sorted().map(\.description)).joined(separator: "\n") + "\n"
    }

    /// Parses `text`'s form. Empty lines after the header are skipped; any
    /// other line that is not a service key is an error naming its line.
    /// A key listed twice counts once.
    public static func parse(_ text: String) throws(IPVSOwnershipRecordError) -> IPVSOwnershipRecord {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { throw .empty }
        var keys: Set<IPVSServiceKey> = []
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            guard let key = IPVSServiceKey(line) else { throw .badLine(number: n + 1, text: String(line)) }
            keys.insert(key)
        }
        return IPVSOwnershipRecord(header: String(first), services: keys)
    }
}

public enum IPVSOwnershipRecordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No header line.
    case empty
    /// A line (1-based, the header being line 1) that names no service.
    case badLine(number: Int, text: String)

    public var description: String {
        switch self {
        case .empty: return "IPVS ownership record: empty (no header line)"
        case .badLine(let n, let t): return "IPVS ownership record line \(n): not a service: \"\(t)\""
        }
    }
}
