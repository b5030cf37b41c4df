import BGPCodec

extension SessionConfig {
    /// The OPEN we send (RFC 4271 §4.2, RFC 5492). My AS is AS_TRANS when
    /// our AS needs four octets (RFC 6793 §4.1).
    public var localOpen: OpenMessage {
        var caps: [Capability] = families.map { .multiprotocol($0) }
        if routeRefresh { caps.append(.routeRefresh) }
        if enhancedRouteRefresh { caps.append(.enhancedRouteRefresh) }
        if !extendedNextHop.isEmpty { caps.append(.extendedNextHop(extendedNextHop)) }
        if extendedMessage { caps.append(.extendedMessage) }
        if let role { caps.append(.role(role)) }
        if let gr = gracefulRestart {
            caps.append(.gracefulRestart(GracefulRestart(
                restarting: gr.restarting, notification: true, restartTime: gr.restartTime,
                families: families.map { .init($0, forwarding: gr.forwardingPreserved) })))
        }
        if fourOctetAS { caps.append(.fourOctetAS(localAS)) }
        if !addPath.isEmpty { caps.append(.addPath(addPath)) }
        if let hostname {
            // The whole capability value is at most 255 bytes: two length
            // bytes, a host name of up to 64, the domain in what is left.
            let host = Array(hostname.utf8.prefix(64))
            let dom = Array((domain ?? "").utf8.prefix(253 - host.count))
            caps.append(.fqdn(hostname: host, domain: dom))
        }
        return OpenMessage(asn: localAS,  // AS_TRANS in My AS when it needs 4 octets
                           holdTime: holdTime, identifier: routerID, capabilities: caps)
    }
}
