import IPVS
import IPVSNetlink

/// Between the planner's model (`IPVS`) and the kernel's values
/// (`IPVSNetlink`): services, real servers, intents and the table read back.
enum IPVSBridge {
    static func kernel(_ s: IPVSService) -> KernelVirtualService {
        switch s.key {
        case .fwmark(let mark, _):
            return .fwmark(mark, family: s.key.family, scheduler: s.scheduler, flags: s.kernelFlags,
                           timeout: s.kernelTimeout, netmask: s.kernelNetmask)
        case .address:
            return KernelVirtualService(family: s.key.family, proto: s.key.protocolNumber, address: s.key.addressBytes,
                                        port: s.key.port, scheduler: s.scheduler, flags: s.kernelFlags,
                                        timeout: s.kernelTimeout, netmask: s.kernelNetmask)
        }
    }

    /// Only the key matters to the kernel for deletes and destination work.
    static func kernel(_ key: IPVSServiceKey) -> KernelVirtualService {
        kernel(IPVSService(key: key))
    }

    static func kernel(_ d: IPVSDestination) -> KernelRealServer {
        KernelRealServer(family: d.family, address: d.addressBytes, port: d.port, forwarding: d.forwarding.kernelCode,
                         weight: d.weight, upperThreshold: d.upperThreshold, lowerThreshold: d.lowerThreshold)
    }

    static func change(_ intent: IPVSIntent) -> IPVSChange {
        switch intent {
        case .addService(let s): return .addService(kernel(s))
        case .editService(let s): return .editService(kernel(s))
        case .deleteService(let k): return .deleteService(kernel(k))
        case .addDestination(let k, let d): return .addRealServer(kernel(d), to: kernel(k))
        case .editDestination(let k, let d): return .editRealServer(kernel(d), in: kernel(k))
        case .deleteDestination(let k, let dk):
            return .deleteRealServer(KernelRealServer(family: dk.address.family, address: dk.address.addressBytes, port: dk.port),
                                     from: kernel(k))
        }
    }

    /// The changes of a plan, in order. Consecutive intents on one
    /// service (a new service's real servers) share its kernel value
    /// rather than each building its own.
    static func changes(_ intents: [IPVSIntent]) -> [IPVSChange] {
        var last: (key: IPVSServiceKey, kernel: KernelVirtualService)?
        func service(_ k: IPVSServiceKey) -> KernelVirtualService {
            if let last, last.key == k { return last.kernel }
            let s = kernel(k)
            last = (k, s)
            return s
        }
        return intents.map { intent in
            switch intent {
            case .addDestination(let k, let d): return .addRealServer(kernel(d), to: service(k))
            case .editDestination(let k, let d): return .editRealServer(kernel(d), in: service(k))
            case .deleteDestination(let k, let dk):
                return .deleteRealServer(KernelRealServer(family: dk.address.family, address: dk.address.addressBytes, port: dk.port),
                                         from: service(k))
            case .addService, .editService, .deleteService: return change(intent)
            }
        }
    }

    /// The model's key of a kernel service; nil for what the model has no
    /// words for (a protocol other than tcp, udp, sctp).
    static func key(_ k: KernelVirtualService) -> IPVSServiceKey? {
        guard let family = IPVSFamily(rawValue: k.family) else { return nil }
        if k.fwmark != 0 { return .fwmark(k.fwmark, family: family) }
        guard let p = IPVSProtocol(rawValue: k.proto), let a = IPVSAddress(family: k.family, bytes: k.address) else { return nil }
        return .address(p, a, port: k.port)
    }

    /// One service as the kernel lists it: its settings and counters, and
    /// its real servers in order, each with its counters.
    struct ListedService {
        var service: IPVSService
        var stats: IPVSStats?
        var backends: [(destination: IPVSDestination, counters: IPVSDestinationCounters)]
    }

    /// The kernel's whole table in the model's order (services by key, real
    /// servers by address and port), without the dictionaries of `read`:
    /// what `lb show` lists, 1,000 services and 10,000 backends at a time.
    /// What the model has no words for is left out.
    static func list(_ kernel: any IPVSKernel) throws -> [ListedService] {
        var services: [ListedService] = []
        for ks in try kernel.services() {
            guard let key = key(ks),
                  let service = IPVSService(key: key, scheduler: ks.scheduler, kernelFlags: ks.flags,
                                            kernelTimeout: ks.timeout, kernelNetmask: ks.netmask) else { continue }
            var backends: [(destination: IPVSDestination, counters: IPVSDestinationCounters)] = []
            for kd in try kernel.realServers(of: ks) {
                guard let a = IPVSAddress(family: kd.family, bytes: kd.address),
                      let f = IPVSForwarding(kernelFlags: kd.forwarding) else { continue }
                let d = IPVSDestination(address: a, port: kd.port, forwarding: f, weight: kd.weight,
                                        upperThreshold: kd.upperThreshold, lowerThreshold: kd.lowerThreshold)
                backends.append((d, IPVSDestinationCounters(activeConns: kd.activeConns, inactiveConns: kd.inactiveConns,
                                                             stats: kd.stats ?? IPVSStats())))
            }
            backends.sort { $0.destination.key < $1.destination.key }
            services.append(ListedService(service: service, stats: ks.stats, backends: backends))
        }
        services.sort { $0.service.key < $1.service.key }
        return services
    }

    /// The kernel's whole table as the model sees it, with its counters.
    static func read(_ kernel: any IPVSKernel) throws -> (table: IPVSTableState, counters: IPVSCounters) {
        var table = IPVSTableState()
        var counters = IPVSCounters()
        for listed in try list(kernel) {
            let key = listed.service.key
            var state = IPVSServiceState(service: listed.service)
            if let st = listed.stats { counters.services[key] = st }
            var perDestination: [IPVSDestinationKey: IPVSDestinationCounters] = [:]
            for (d, c) in listed.backends {
                state.destinations[d.key] = d
                perDestination[d.key] = c
            }
            if !perDestination.isEmpty { counters.destinations[key] = perDestination }
            table.services[key] = state
        }
        return (table, counters)
    }
}
