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

    /// The model's key of a kernel service; nil for what the model has no
    /// words for (a protocol other than tcp, udp, sctp).
    static func key(_ k: KernelVirtualService) -> IPVSServiceKey? {
        guard let family = IPVSFamily(rawValue: k.family) else { return nil }
        if k.fwmark != 0 { return .fwmark(k.fwmark, family: family) }
        guard let p = IPVSProtocol(rawValue: k.proto), let a = IPVSAddress(family: k.family, bytes: k.address) else { return nil }
        return .address(p, a, port: k.port)
    }

    /// The kernel's whole table as the model sees it, with its counters.
    static func read(_ kernel: any IPVSKernel) throws -> (table: IPVSTableState, counters: IPVSCounters) {
        var table = IPVSTableState()
        var counters = IPVSCounters()
        for ks in try kernel.services() {
            guard let key = key(ks),
                  let service = IPVSService(key: key, scheduler: ks.scheduler, kernelFlags: ks.flags,
                                            kernelTimeout: ks.timeout, kernelNetmask: ks.netmask) else { continue }
            var state = IPVSServiceState(service: service)
            if let st = ks.stats { counters.services[key] = st }
            for kd in try kernel.realServers(of: ks) {
                guard let a = IPVSAddress(family: kd.family, bytes: kd.address),
                      let f = IPVSForwarding(kernelFlags: kd.forwarding) else { continue }
                let d = IPVSDestination(address: a, port: kd.port, forwarding: f, weight: kd.weight,
                                        upperThreshold: kd.upperThreshold, lowerThreshold: kd.lowerThreshold)
                state.destinations[d.key] = d
                counters.destinations[key, default: [:]][d.key] = IPVSDestinationCounters(
                    activeConns: kd.activeConns, inactiveConns: kd.inactiveConns, stats: kd.stats ?? IPVSStats())
            }
            table.services[key] = state
        }
        return (table, counters)
    }
}
