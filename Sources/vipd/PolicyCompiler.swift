import BGPCodec
import RIB
import VipdConfig

/// Turns the config's policies and peers into the RIB's values.
enum PolicyCompiler {
    static func importPolicy(_ p: ImportPolicy, _ config: VipdConfig) -> RoutePolicy {
        switch p {
        case .acceptAll: return .acceptAll
        case .acceptNone: return .acceptNone
        case .policy(let name): return rules(name, config)
        }
    }

    static func exportPolicy(_ p: ExportPolicy, _ config: VipdConfig) -> RouteExport {
        switch p {
        case .vips: return .vips
        case .all: return .all
        case .policy(let name): return .rules(rules(name, config))
        }
    }

    /// A named policy; the config checked that it exists and that its
    /// regular expressions compile, so a failure here rejects everything.
    static func rules(_ name: String, _ config: VipdConfig) -> RoutePolicy {
        guard let p = config.policies.first(where: { $0.name == name }) else { return .acceptNone }
        let specs: [PolicyRuleSpec] = p.rules.compactMap { r in
            let prefixes = r.match.prefixList.map { list in
                list.map { PrefixRange(prefix: routePrefix($0.prefix), lengths: $0.lengths) }
            }
            guard let conditions = try? PolicyConditions(prefixes: prefixes, community: r.match.community?.value, asPath: r.match.asPath) else {
                return nil
            }
            let accept = r.action.accept
                ? PolicyChanges(localPref: r.action.localPref, med: r.action.med, addCommunities: r.action.addCommunities.map(\.value))
                : nil
            return PolicyRuleSpec(conditions: conditions, accept: accept)
        }
        return .rules(name: name, specs)
    }

    static func routePrefix(_ p: IPPrefix) -> RoutePrefix {
        switch p {
        case .v4(let x): return .ipv4(x)
        case .v6(let x): return .ipv6(x)
        }
    }

    /// A peer as the decision process knows it; its router id is learned
    /// from its OPEN.
    static func ribPeer(_ p: PeerConfig, localAS: UInt32, routerID: UInt32 = 0) -> RIBPeer {
        RIBPeer(address: addressBytes(p.address), asn: p.asn, routerID: routerID, isInternal: p.asn == localAS)
    }

    static func addressBytes(_ a: IPAddress) -> [UInt8] {
        switch a {
        case .v4(let x):
            return [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, UInt8(x.value >> 24), UInt8(x.value >> 16 & 0xFF), UInt8(x.value >> 8 & 0xFF), UInt8(x.value & 0xFF)]
        case .v6(let x):
            return (0..<8).map { UInt8(x.high >> (56 - 8 * UInt64($0)) & 0xFF) } + (0..<8).map { UInt8(x.low >> (56 - 8 * UInt64($0)) & 0xFF) }
        }
    }
}
