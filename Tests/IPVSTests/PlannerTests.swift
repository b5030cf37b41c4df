import IPVS
import TestSupport
import Testing

@Suite struct PlannerTests {
    @Test func addsEverythingToAnEmptyTable() {
        let plan = IPVSPlanner.plan(desired: IPVSTableState([seedService]), actual: IPVSTableState(), owned: [])
        #expect(plan.intents == [
            .addService(IPVSService(key: seedKey, scheduler: "wlc")),
            .addDestination(seedKey, dest("192.168.113.22", 8443)),
            .addDestination(seedKey, dest("192.168.113.23", 8443)),
            .addDestination(seedKey, dest("192.168.113.24", 8443)),
        ])
        #expect(plan.conflicts.isEmpty)
        #expect(plan.owned == [seedKey])
    }

    @Test func oneChangedWeightIsOneEdit() {
        var desired = seedService
        desired.destinations[dest("192.168.113.23", 8443).key]!.weight = 0
        let plan = IPVSPlanner.plan(desired: IPVSTableState([desired]), actual: IPVSTableState([seedService]),
                                    owned: [seedKey])
        #expect(plan.intents == [.editDestination(seedKey, dest("192.168.113.23", 8443, weight: 0))])
        #expect(plan.owned == [seedKey])
    }

    @Test func aChangedForwardingMethodIsAnEditToo() {
        var desired = seedService
        desired.destinations[dest("192.168.113.22", 8443).key]!.forwarding = .masq
        let plan = IPVSPlanner.plan(desired: IPVSTableState([desired]), actual: IPVSTableState([seedService]),
                                    owned: [seedKey])
        #expect(plan.intents == [.editDestination(seedKey, dest("192.168.113.22", 8443, .masq))])
    }

    @Test func aRemovedBackendIsOneDelete() {
        var desired = seedService
        desired.destinations[dest("192.168.113.24", 8443).key] = nil
        let plan = IPVSPlanner.plan(desired: IPVSTableState([desired]), actual: IPVSTableState([seedService]),
                                    owned: [seedKey])
        #expect(plan.intents == [.deleteDestination(seedKey, dest("192.168.113.24", 8443).key)])
    }

    @Test func aRemovedServiceIsOneDeleteWithoutItsDestinations() {
        let other = state(tcp("192.168.113.201", 80), [dest("192.168.113.22", 80)])
        let plan = IPVSPlanner.plan(desired: IPVSTableState([other]), actual: IPVSTableState([seedService, other]),
                                    owned: [seedKey, other.service.key])
        #expect(plan.intents == [.deleteService(seedKey)])
        #expect(plan.owned == [other.service.key])
    }

    @Test func aSchedulerOrPersistenceChangeIsAnEditService() {
        var desired = seedService
        desired.service.scheduler = "rr"
        desired.service.persistence = 300
        desired.service.netmaskPrefixLength = 24
        let plan = IPVSPlanner.plan(desired: IPVSTableState([desired]), actual: IPVSTableState([seedService]),
                                    owned: [seedKey])
        #expect(plan.intents == [.editService(desired.service)])
    }

    @Test func aNewPortIsAnotherServiceDeletedAndAdded() {
        var moved = seedService
        moved.service.key = tcp("192.168.113.200", 9443)
        let plan = IPVSPlanner.plan(desired: IPVSTableState([moved]), actual: IPVSTableState([seedService]),
                                    owned: [seedKey])
        #expect(plan.intents == [
            .deleteService(seedKey),
            .addService(moved.service),
            .addDestination(moved.service.key, dest("192.168.113.22", 8443)),
            .addDestination(moved.service.key, dest("192.168.113.23", 8443)),
            .addDestination(moved.service.key, dest("192.168.113.24", 8443)),
        ])
        #expect(plan.owned == [moved.service.key])
    }

    @Test func theOperatorsServicesAreNeverTouched() {
        let operators = state(tcp("10.96.0.1", 443), scheduler: "rr", [dest("10.0.0.5", 6443, .masq)])
        let kubeProxy = state(.fwmark(9, family: .ipv6), [dest("fd00::5", 0)])
        let plan = IPVSPlanner.plan(desired: IPVSTableState(),
                                    actual: IPVSTableState([operators, kubeProxy, seedService]),
                                    owned: [seedKey])
        #expect(plan.intents == [.deleteService(seedKey)])
        #expect(plan.conflicts.isEmpty)
        #expect(plan.owned.isEmpty)
    }

    @Test func aDesiredServiceThatIsNotOursIsAConflictNotATakeover() {
        let operators = state(seedKey, scheduler: "rr", [dest("10.0.0.5", 8443, .masq)])
        let plan = IPVSPlanner.plan(desired: IPVSTableState([seedService]), actual: IPVSTableState([operators]),
                                    owned: [])
        #expect(plan.intents.isEmpty)
        #expect(plan.conflicts == [IPVSConflict(key: seedKey, existing: operators, desired: seedService)])
        #expect(plan.owned.isEmpty)
        #expect(plan.conflicts.first?.description.contains("not vipd's") == true)
    }

    @Test func anOwnedServiceRemovedBehindOurBackIsAddedAgain() {
        let plan = IPVSPlanner.plan(desired: IPVSTableState([seedService]), actual: IPVSTableState(),
                                    owned: [seedKey])
        #expect(plan.intents.count == 4)
        #expect(plan.intents.first == .addService(seedService.service))
    }

    @Test func anOwnedServiceGoneAndNotDesiredIsForgotten() {
        let plan = IPVSPlanner.plan(desired: IPVSTableState(), actual: IPVSTableState(), owned: [seedKey])
        #expect(plan.intents.isEmpty)
        #expect(plan.owned.isEmpty)
    }

    @Test func theModelRefusesWhatTheKernelRefuses() {
        let t = IPVSTableState([seedService])
        #expect(throws: IPVSModelError.exists(.addService(seedService.service))) {
            try t.applying([.addService(seedService.service)])
        }
        let other = tcp("192.0.2.1", 80)
        #expect(throws: IPVSModelError.noService(.deleteService(other))) { try t.applying([.deleteService(other)]) }
        let missing = dest("192.0.2.9", 8443)
        #expect(throws: IPVSModelError.noDestination(.editDestination(seedKey, missing))) {
            try t.applying([.editDestination(seedKey, missing)])
        }
    }

    /// Random desired and actual tables over a small universe of keys (so
    /// they overlap), random ownership. The plan must be accepted by the
    /// kernel model, reach the desired state on every service it may touch,
    /// leave every other service as it was, change something with every
    /// intent, and leave nothing to do for a second plan.
    @Test(arguments: [1, 2, 3, 42, 2024, 65537] as [UInt64])
    func reconcileIsExactAndIdempotent(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let serviceKeys: [IPVSServiceKey] = [
            tcp("192.168.113.200", 8443), tcp("192.168.113.200", 80), .address(.udp, addr("192.168.113.200"), port: 53),
            .address(.sctp, addr("10.9.0.100"), port: 3868), .address(.tcp, addr("fd00:9::100"), port: 443),
            .fwmark(7, family: .ipv4), .fwmark(7, family: .ipv6),
        ]
        let schedulers = ["rr", "wlc", "sh", "mh"]
        func randomState(_ key: IPVSServiceKey) -> IPVSServiceState {
            let v6 = key.ipvsFamily == .ipv6
            var s = IPVSService(key: key, scheduler: schedulers.randomElement(using: &rng)!,
                                persistence: Bool.random(using: &rng) ? 0 : 300)
            if Bool.random(using: &rng) { s.netmaskPrefixLength = v6 ? 64 : 24 }
            var ds: [IPVSDestination] = []
            for i in 1...5 where Bool.random(using: &rng) {
                let a = v6 ? "fd00:9::\(i)" : "192.168.113.\(20 + i)"
                let port: UInt16 = key.fwmark != 0 ? 0 : [8443, 80].randomElement(using: &rng)!
                var d = dest(a, port, IPVSForwarding.allCases.randomElement(using: &rng)!,
                             weight: Int32.random(in: 0...3, using: &rng))
                if Int.random(in: 0..<4, using: &rng) == 0 { d.upperThreshold = 100; d.lowerThreshold = 50 }
                ds.append(d)
            }
            return IPVSServiceState(service: s, destinations: ds)
        }
        var intentsSeen = 0
        for _ in 0..<300 {
            var desired = IPVSTableState(), actual = IPVSTableState()
            var owned: Set<IPVSServiceKey> = []
            for key in serviceKeys {
                if Bool.random(using: &rng) { desired.services[key] = randomState(key) }
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: break
                case 1: actual.services[key] = randomState(key)  // someone else's
                case 2: actual.services[key] = randomState(key); owned.insert(key)
                default:
                    // ours, and close to desired (a weight off at most)
                    if var s = desired.services[key] {
                        if Bool.random(using: &rng), let d = s.destinations.keys.first { s.destinations[d]!.weight += 1 }
                        actual.services[key] = s
                    }
                    owned.insert(key)  // maybe owned but gone from the kernel
                }
            }
            let plan = IPVSPlanner.plan(desired: desired, actual: actual, owned: owned)
            intentsSeen += plan.intents.count
            var after = actual
            for intent in plan.intents {
                let before = after
                try after.apply(intent)
                #expect(after != before, "no-op intent \(intent) (seed \(seed))")
            }
            let conflicted = Set(plan.conflicts.map(\.key))
            for key in serviceKeys {
                if conflicted.contains(key) {
                    #expect(desired.services[key] != nil && !owned.contains(key) && actual.services[key] != nil)
                    #expect(after.services[key] == actual.services[key])
                    #expect(!plan.owned.contains(key))
                } else if let want = desired.services[key] {
                    #expect(after.services[key] == want, "service \(key) (seed \(seed))")
                    #expect(plan.owned.contains(key))
                } else if owned.contains(key) {
                    #expect(after.services[key] == nil)
                    #expect(!plan.owned.contains(key))
                } else {
                    #expect(after.services[key] == actual.services[key], "not ours: \(key) (seed \(seed))")
                }
            }
            let again = IPVSPlanner.plan(desired: desired, actual: after, owned: plan.owned)
            #expect(again.intents.isEmpty, "second plan \(again.intents) (seed \(seed))")
            #expect(again.conflicts == plan.conflicts)
            #expect(again.owned == plan.owned)
        }
        #expect(intentsSeen > 1000)  // the tables really differed
    }
}
