import NIOCore
import NIOSSL

/// Where etcd is, and how to talk to it. Several URLs: a request that finds
/// one dead or frozen moves on to the next, so one member's crash costs a
/// time-out at most, not the lease.
public struct EtcdEndpoints: Sendable {
    public struct Endpoint: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var tls: Bool
    }

    public var endpoints: [Endpoint]
    public var tls: EtcdTLS?

    /// `urls` are `http://host:port` or `https://host:port`; a URL that is
    /// neither is left out (the config layer validates them for the user).
    public init(urls: [String], tls: EtcdTLS?) {
        self.tls = tls
        endpoints = urls.compactMap(Self.parse)
    }

    static func parse(_ url: String) -> Endpoint? {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("https://") { secure = true; rest = url.dropFirst(8) }
        else if url.hasPrefix("http://") { secure = false; rest = url.dropFirst(7) }
        else { return nil }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host = rest
        var port = 2379
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":"), let p = Int(after.dropFirst()) { port = p }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        return Endpoint(host: String(host), port: port, tls: secure)
    }
}

/// Client TLS for etcd: trust roots from the CA file, and a client
/// certificate and key for `--client-cert-auth` clusters (kubeadm's etcd).
public struct EtcdTLS: Sendable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String?, certFile: String?, keyFile: String?) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    func makeContext() throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        if let caFile { config.trustRoots = .file(caFile) }
        if let certFile {
            config.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
        }
        if let keyFile { config.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)) }
        return try NIOSSLContext(configuration: config)
    }
}
