/// What one probe does: where it connects, what it asks, and what counts as
/// an answer. The daemon builds it from the config's `health` block (the node
/// check's `url` or `target`; for an IPVS backend, the backend's address and
/// port with the check's `path`).
public struct ProbeSpec: Hashable, Sendable {
    public enum Kind: Sendable, Hashable {
        /// The TCP connect alone.
        case tcp
        /// GET `path` over HTTP/1.1.
        case http
        /// GET `path` over HTTP/1.1 in TLS.
        case https
    }

    public var kind: Kind
    /// An IP address (v6 without brackets) or a name, which is resolved off
    /// the event loop at every probe.
    public var host: String
    public var port: Int
    /// The request target, with its query if any. Always starts with "/".
    public var path: String
    /// The name sent as SNI and checked against the certificate, and the
    /// `Host` header. nil: the host, when it is a name; for an IP address,
    /// no SNI (RFC 6066 forbids an address there) and the certificate must
    /// carry the address as an IP SAN.
    public var serverName: String?
    /// The whole probe's bound: connect, TLS handshake, request and the
    /// response's head. Past it the probe fails with "timeout" and its
    /// channel is closed.
    public var timeout: Duration
    /// The statuses that count as up.
    public var expectStatus: [Int]
    /// A PEM file of the CAs to trust, read once when the `Prober` is made.
    /// nil: the system's trust store.
    public var caFile: String?
    /// Do not check the certificate at all (TLS still encrypts).
    public var insecureSkipVerify: Bool

    public init(kind: Kind, host: String, port: Int, path: String = "/", serverName: String? = nil,
                timeout: Duration, expectStatus: [Int] = [200], caFile: String? = nil,
                insecureSkipVerify: Bool = false) {
        self.kind = kind
        self.host = host
        self.port = port
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.serverName = serverName
        self.timeout = timeout
        self.expectStatus = expectStatus
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }

    /// From a URL such as https://127.0.0.1:6443/readyz. The scheme is http,
    /// https or tcp (tcp://host:port, for symmetry with the config's `target`);
    /// the port defaults to 80 or 443; IPv6 hosts are in brackets; user info
    /// and fragments are refused, since a probe has no use for them.
    public static func fromURL(_ url: String, timeout: Duration, expectStatus: [Int], caFile: String?,
                               insecureSkipVerify: Bool) throws -> ProbeSpec {
        guard let schemeEnd = url.firstRange(of: "://") else { throw ProbeSpecError.invalidURL(url, "no scheme") }
        let kind: Kind
        let defaultPort: Int?
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "http": kind = .http; defaultPort = 80
        case "https": kind = .https; defaultPort = 443
        case "tcp": kind = .tcp; defaultPort = nil
        case let other: throw ProbeSpecError.invalidURL(url, "scheme \(other) is not http, https or tcp")
        }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.contains("#") { throw ProbeSpecError.invalidURL(url, "a fragment") }
        if path.isEmpty { path = "/" } else if path.hasPrefix("?") { path = "/" + path }
        if authority.contains("@") { throw ProbeSpecError.invalidURL(url, "user info") }

        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ProbeSpecError.invalidURL(url, "unclosed [") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { portText = nil } else if after.hasPrefix(":") { portText = after.dropFirst() } else {
                throw ProbeSpecError.invalidURL(url, "text after ]")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else { throw ProbeSpecError.invalidURL(url, "no host") }
        let port: Int
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5,
                  let p = Int(portText), (1...65535).contains(p) else {
                throw ProbeSpecError.invalidURL(url, "port \(portText) is not 1-65535")
            }
            port = p
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw ProbeSpecError.invalidURL(url, "a tcp URL needs a port")
        }
        return ProbeSpec(kind: kind, host: String(host), port: port, path: path, timeout: timeout,
                         expectStatus: expectStatus, caFile: caFile, insecureSkipVerify: insecureSkipVerify)
    }

    /// The `Host` header: the server name or host, with the port unless it is
    /// the scheme's default, and IPv6 in brackets.
    var hostHeader: String {
        let name = serverName ?? host
        let bracketed = name.contains(":") ? "[\(name)]" : name
        let isDefault = (kind == .http && port == 80) || (kind == .https && port == 443)
        return isDefault ? bracketed : "\(bracketed):\(port)"
    }
}

/// Why a URL is not a probe target.
public enum ProbeSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidURL(String, String)

    public var description: String {
        switch self {
        case let .invalidURL(url, why): "invalid health check URL \(url): \(why)"
        }
    }
}
