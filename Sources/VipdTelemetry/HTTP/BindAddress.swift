import NIOCore

/// Why the telemetry server could not start.
public enum TelemetryServerError: Error, Hashable, CustomStringConvertible {
    /// The address is not `IPv4:PORT` or `[IPv6]:PORT` with an IP literal.
    case badAddress(String, reason: String)

    public var description: String {
        switch self {
        case .badAddress(let text, let reason):
            return "metrics address '\(text)': \(reason) (expected \"127.0.0.1:2112\" or \"[::1]:2112\")"
        }
    }
}

/// The `metrics.address` text of the config (as `VipdConfig` prints it).
enum BindAddress {
    static func parse(_ text: String) throws(TelemetryServerError) -> SocketAddress {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw .badAddress(text, reason: "no closing ']'")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .badAddress(text, reason: "no ':PORT' after ']'") }
            port = rest.dropFirst()
            guard host.contains(":") else { throw .badAddress(text, reason: "brackets are for IPv6 addresses") }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .badAddress(text, reason: "no ':PORT'") }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw .badAddress(text, reason: "an IPv6 address needs brackets") }
        }
        guard !host.isEmpty else { throw .badAddress(text, reason: "no host") }
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }), port.count <= 5,
              let number = Int(port), number <= 65535 else {
            throw .badAddress(text, reason: "the port is not a number from 0 to 65535")
        }
        do {
            return try SocketAddress(ipAddress: String(host), port: number)
        } catch {
            throw .badAddress(text, reason: "'\(host)' is not an IP address")
        }
    }

    /// `127.0.0.1:2112` or `[::1]:2112`.
    static func text(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        let port = address.port ?? 0
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
