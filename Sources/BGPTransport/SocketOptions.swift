import BGPCodec
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Socket options a BGP session sets before it connects or listens: TCP MD5
/// (RFC 2385), GTSM (RFC 5082) and the eBGP multihop TTL.
enum BGPSocketOptions {
    /// linux/tcp.h `struct tcp_md5sig`: 128-byte address, flags, prefix
    /// length, key length, interface index, 80-byte key. 216 bytes.
    struct TCPMD5Sig: @unchecked Sendable {
        var address = sockaddr_storage()
        var flags: UInt8 = 0
        var prefixLength: UInt8 = 0
        var keyLength: UInt16 = 0
        var ifindex: Int32 = 0
        var key: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    static let tcpMD5SIG: Int32 = 14        // TCP_MD5SIG
    static let ipMinTTL: Int32 = 21         // IP_MINTTL
    static let ipv6MinHopCount: Int32 = 73  // IPV6_MINHOPCOUNT
    static let maxKeyLength = 80            // TCP_MD5SIG_MAXKEYLEN

    enum OptionError: Error, CustomStringConvertible {
        case keyTooLong(Int)
        var description: String {
            switch self {
            case .keyTooLong(let n): return "TCP MD5 key of \(n) bytes; at most \(BGPSocketOptions.maxKeyLength)"
            }
        }
    }

    /// The MD5 signature option for one peer address. An empty key removes it.
    static func md5(peer: SocketAddress, key: String) throws -> TCPMD5Sig {
        let bytes = Array(key.utf8)
        guard bytes.count <= maxKeyLength else { throw OptionError.keyTooLong(bytes.count) }
        var sig = TCPMD5Sig()
        switch peer {
        case .v4(let a):
            var sin = a.address
            withUnsafeBytes(of: &sin) { src in
                withUnsafeMutableBytes(of: &sig.address) { dst in dst.copyMemory(from: src) }
            }
        case .v6(let a):
            var sin6 = a.address
            withUnsafeBytes(of: &sin6) { src in
                withUnsafeMutableBytes(of: &sig.address) { dst in dst.copyMemory(from: src) }
            }
        case .unixDomainSocket:
            break
        }
        sig.keyLength = UInt16(bytes.count)
        withUnsafeMutableBytes(of: &sig.key) { dst in dst.copyBytes(from: bytes) }
        return sig
    }

    /// Sets MD5, GTSM or multihop TTL, and TCP_NODELAY on a socket.
    static func apply(to channel: Channel, peer: SocketAddress, password: String?, ttlSecurity: Bool, multihop: Int) -> EventLoopFuture<Void> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(())
        }
        let v6 = peer.protocol == .inet6
        var steps: [EventLoopFuture<Void>] = []
        if let password, !password.isEmpty {
            do {
                let sig = try md5(peer: peer, key: password)
                steps.append(provider.unsafeSetSocketOption(level: .init(rawValue: Int32(IPPROTO_TCP)), name: .init(rawValue: tcpMD5SIG), value: sig))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        // GTSM: send with TTL 255 and accept only TTL >= 255 - (hops - 1);
        // without it, eBGP multihop sets the TTL to the hop count.
        let ttl: Int32 = ttlSecurity ? 255 : Int32(max(1, min(255, multihop)))
        let level: Int32 = v6 ? Int32(IPPROTO_IPV6) : Int32(IPPROTO_IP)
        let ttlName: Int32 = v6 ? Int32(IPV6_UNICAST_HOPS) : Int32(IP_TTL)
        steps.append(provider.unsafeSetSocketOption(level: .init(rawValue: level), name: .init(rawValue: ttlName), value: ttl))
        if ttlSecurity {
            let minimum: Int32 = 255 - Int32(max(0, multihop - 1))
            steps.append(provider.unsafeSetSocketOption(level: .init(rawValue: level), name: .init(rawValue: v6 ? ipv6MinHopCount : ipMinTTL), value: minimum))
        }
        steps.append(channel.setOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 4))
        // NIO's default of 4 reads per connection per loop turn, measured
        // against 1 (docs/benchmarks.md): 1 cut a 10-peer full-table
        // ingest's slowest control reply from 306 to 136 ms but made a
        // one-peer ingest 40% slower; 4 keeps the loop turn short enough
        // that keepalives and the control socket are served throughout.
        steps.append(channel.setOption(ChannelOptions.maxMessagesPerRead, value: 4))
        return EventLoopFuture.andAllSucceed(steps, on: channel.eventLoop)
    }
}
