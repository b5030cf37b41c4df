/// One netlink operation on the IPVS table, with exactly the values to send.
public enum IPVSIntent: Hashable, Sendable, CustomStringConvertible {
    /// IPVS_CMD_NEW_SERVICE.
    case addService(IPVSService)
    /// IPVS_CMD_SET_SERVICE: scheduler, persistence, netmask.
    case editService(IPVSService)
    /// IPVS_CMD_DEL_SERVICE (the kernel drops its real servers with it).
    case deleteService(IPVSServiceKey)
    /// IPVS_CMD_NEW_DEST.
    case addDestination(IPVSServiceKey, IPVSDestination)
    /// IPVS_CMD_SET_DEST: forwarding, weight, thresholds.
    case editDestination(IPVSServiceKey, IPVSDestination)
    /// IPVS_CMD_DEL_DEST.
    case deleteDestination(IPVSServiceKey, IPVSDestinationKey)

    /// The service the operation is on.
    public var serviceKey: IPVSServiceKey {
        switch self {
        case .addService(let s), .editService(let s): return s.key
        case .deleteService(let k), .addDestination(let k, _), .editDestination(let k, _),
             .deleteDestination(let k, _): return k
        }
    }

    public var description: String {
        switch self {
        case .addService(let s): return "add service \(s.key) \(Self.settings(s))"
        case .editService(let s): return "edit service \(s.key) \(Self.settings(s))"
        case .deleteService(let k): return "delete service \(k)"
        case .addDestination(let k, let d): return "add destination \(k) \(d.key) \(Self.settings(d))"
        case .editDestination(let k, let d): return "edit destination \(k) \(d.key) \(Self.settings(d))"
        case .deleteDestination(let k, let d): return "delete destination \(k) \(d)"
        }
    }

    private static func settings(_ s: IPVSService) -> String {
        var t = "scheduler \(s.scheduler)"
        if s.persistence > 0 { t += " persistence \(s.persistence)" }
        if s.netmaskPrefixLength != s.key.ipvsFamily.fullPrefixLength { t += " netmask /\(s.netmaskPrefixLength)" }
        return t
    }

    private static func settings(_ d: IPVSDestination) -> String {
        var t = "\(d.forwarding) weight \(d.weight)"
        if d.upperThreshold != 0 || d.lowerThreshold != 0 { t += " thresholds \(d.upperThreshold)/\(d.lowerThreshold)" }
        return t
    }
}

/// A desired service whose key the kernel already has, in a service vipd
/// did not create (the operator's, kube-proxy's). It is left as it is.
public struct IPVSConflict: Hashable, Sendable, CustomStringConvertible {
    public var key: IPVSServiceKey
    /// What the kernel has under that key.
    public var existing: IPVSServiceState
    /// What vipd wanted there.
    public var desired: IPVSServiceState

    public init(key: IPVSServiceKey, existing: IPVSServiceState, desired: IPVSServiceState) {
        self.key = key
        self.existing = existing
        self.desired = desired
    }

    public var description: String {
        "service \(key) exists and is not vipd's: left as it is (scheduler \(existing.service.scheduler), " +
            "\(existing.destinations.count) real servers)"
    }
}

/// The reconcile's outcome: the operations in an order the kernel accepts,
/// the conflicts, and the services vipd owns once every operation succeeded.
public struct IPVSPlan: Hashable, Sendable {
    public var intents: [IPVSIntent]
    public var conflicts: [IPVSConflict]
    /// `owned` less the services deleted and the owned ones no longer in the
    /// kernel nor desired, plus the services added.
    public var owned: Set<IPVSServiceKey>

    public init(intents: [IPVSIntent], conflicts: [IPVSConflict], owned: Set<IPVSServiceKey>) {
        self.intents = intents
        self.conflicts = conflicts
        self.owned = owned
    }
}

/// The pure reconcile: desired against actual, in netlink intents.
public enum IPVSPlanner {
    /// - Only what differs is touched: a changed weight is one
    ///   `editDestination`, a changed scheduler one `editService`.
    /// - A service neither desired nor in `owned` is never touched.
    /// - A desired service that exists but is not in `owned` is a conflict,
    ///   not taken over.
    /// - A service in `owned` that is no longer desired is deleted, its real
    ///   servers with it (no separate deletes).
    /// - A desired service that is missing is added, then its real servers.
    ///
    /// Order: service deletes first (they free nothing the adds need, but a
    /// shrinking table never grows on the way), then per service in key
    /// order: the service's add or edit, its real servers' deletes, edits and
    /// adds. Applying the intents to `actual` (`IPVSTableState.applying`)
    /// gives `desired` on the planned services, and planning again from there
    /// gives no intents.
    public static func plan(desired: IPVSTableState, actual: IPVSTableState,
                            owned: Set<IPVSServiceKey>) -> IPVSPlan {
        var intents: [IPVSIntent] = []
        // At most every desired service and real server, and the deletes.
        intents.reserveCapacity(desired.services.count + desired.destinationCount + owned.count)
        var conflicts: [IPVSConflict] = []
        var ownedAfter = owned

        for key in owned.sorted() where desired.services[key] == nil {
            if actual.services[key] != nil { intents.append(.deleteService(key)) }
            ownedAfter.remove(key)
        }

        for want in desired.sortedServices {
            let key = want.service.key
            guard let have = actual.services[key] else {
                intents.append(.addService(want.service))
                for d in want.sortedDestinations { intents.append(.addDestination(key, d)) }
                ownedAfter.insert(key)
                continue
            }
            guard owned.contains(key) else {
                conflicts.append(IPVSConflict(key: key, existing: have, desired: want))
                continue
            }
            if have.service != want.service { intents.append(.editService(want.service)) }
            for dk in have.destinations.keys.sorted() where want.destinations[dk] == nil {
                intents.append(.deleteDestination(key, dk))
            }
            for d in want.sortedDestinations {
                if let current = have.destinations[d.key] {
                    if current != d { intents.append(.editDestination(key, d)) }
                } else {
                    intents.append(.addDestination(key, d))
                }
            }
        }
        return IPVSPlan(intents: intents, conflicts: conflicts, owned: ownedAfter)
    }
}

/// Why the kernel would refuse an intent, as the model sees it: the errno
/// the IPVS family answers with.
public enum IPVSModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// EEXIST: the service or real server is already there.
    case exists(IPVSIntent)
    /// ESRCH: no such service.
    case noService(IPVSIntent)
    /// ENOENT: no such real server.
    case noDestination(IPVSIntent)

    public var description: String {
        switch self {
        case .exists(let i): return "\(i): already exists (EEXIST)"
        case .noService(let i): return "\(i): no such service (ESRCH)"
        case .noDestination(let i): return "\(i): no such destination (ENOENT)"
        }
    }
}

extension IPVSTableState {
    /// The table after the intents, as the kernel would carry them out; the
    /// first it would refuse throws. A model for tests and recording twins.
    public func applying(_ intents: [IPVSIntent]) throws(IPVSModelError) -> IPVSTableState {
        var t = self
        for intent in intents { try t.apply(intent) }
        return t
    }

    /// One intent, as the kernel would carry it out.
    public mutating func apply(_ intent: IPVSIntent) throws(IPVSModelError) {
        switch intent {
        case .addService(let s):
            guard services[s.key] == nil else { throw .exists(intent) }
            services[s.key] = IPVSServiceState(service: s)
        case .editService(let s):
            guard services[s.key] != nil else { throw .noService(intent) }
            services[s.key]!.service = s
        case .deleteService(let k):
            guard services.removeValue(forKey: k) != nil else { throw .noService(intent) }
        case .addDestination(let k, let d):
            guard let s = services[k] else { throw .noService(intent) }
            guard s.destinations[d.key] == nil else { throw .exists(intent) }
            services[k]!.destinations[d.key] = d
        case .editDestination(let k, let d):
            guard let s = services[k] else { throw .noService(intent) }
            guard s.destinations[d.key] != nil else { throw .noDestination(intent) }
            services[k]!.destinations[d.key] = d
        case .deleteDestination(let k, let dk):
            guard let s = services[k] else { throw .noService(intent) }
            guard s.destinations[dk] != nil else { throw .noDestination(intent) }
            services[k]!.destinations[dk] = nil
        }
    }
}
