import IPVSNetlink
#if canImport(Glibc)
import Glibc
#endif

/// ipvs-vmcheck: exercises NetlinkIPVS against a real kernel (inside the
/// VM: scripts/vm/ipvs-check). Each command prints what it did; failures go
/// to stderr with exit code 1.
///
///   rules features|edited|bench [--services N --dests M] [--schedulers a,b]
///                          the set as ipvsadm -R input
///   program features|bench [--batch] [...]   add the set, one request each
///                          (or many to a system call with --batch)
///   edit                   turn the features set into the edited set with
///                          the fewest edits, adds and deletes
///   verify features|edited|bench [--made-by-ipvsadm] [...]  dump the
///                          kernel's table and compare it with the set,
///                          field by field
///   twin                   the features set, its edits and the error cases
///                          on RecordingIPVS and on the kernel: same tables,
///                          same errnos
///   errors                 the kernel's answers to bad requests
///   bench [--services N --dests M]          timings (the table must be empty)
///   bigdump [--dests N]    one service with N real servers: time the dump
///   flush

let arguments = Array(CommandLine.arguments.dropFirst())

@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

@MainActor func fail(_ message: String) -> Never {
    let line = "ipvs-vmcheck: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

let schedulers = (option("--schedulers") ?? "rr,wrr,lc,wlc,lblc,lblcr,dh,sh,sed,nq,mh,fo,ovf")
    .split(separator: ",").map(String.init)
let benchServices = Int(option("--services") ?? "1000") ?? 1000
let benchDests = Int(option("--dests") ?? "10") ?? 10

@MainActor func set(_ name: String?) -> Table {
    switch name {
    case "features": return TestSets.features(schedulers: schedulers)
    case "edited": return TestSets.edited(schedulers: schedulers)
    case "bench": return TestSets.bench(services: benchServices, dests: benchDests)
    default: fail("name a set: features, edited or bench")
    }
}

@MainActor func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

@MainActor func ms(_ seconds: Double) -> String {
    let v = (seconds * 1000 * 100).rounded() / 100
    return "\(v) ms"
}

@MainActor func read(_ kernel: IPVSKernel) throws -> Table {
    var entries: [(KernelVirtualService, [KernelRealServer])] = []
    for s in try kernel.services() {
        entries.append((s, try kernel.realServers(of: s)))
    }
    return Table(entries: entries)
}

@MainActor func changes(toAdd table: Table) -> [IPVSChange] {
    var result: [IPVSChange] = []
    for (s, dests) in table.entries {
        result.append(.addService(s))
        for d in dests { result.append(.addRealServer(d, to: s)) }
    }
    return result
}

/// The fewest changes from one table to another (by key; a test tool's
/// diff, not vipd's planner).
@MainActor func changes(from old: Table, to new: Table) -> [IPVSChange] {
    var result: [IPVSChange] = []
    var oldByKey: [KernelServiceKey: (KernelVirtualService, [KernelRealServer])] = [:]
    for e in old.entries { oldByKey[e.service.key] = (e.service, e.dests) }
    let newKeys = Set(new.entries.map { $0.service.key })
    for e in old.entries where !newKeys.contains(e.service.key) { result.append(.deleteService(e.service)) }
    for (s, dests) in new.entries {
        guard let (os, odests) = oldByKey[s.key] else {
            result.append(.addService(s))
            for d in dests { result.append(.addRealServer(d, to: s)) }
            continue
        }
        if os.withoutStats != s.withoutStats { result.append(.editService(s)) }
        var oldDests: [IPVSRealServerKey: KernelRealServer] = [:]
        for d in odests { oldDests[d.key] = d }
        let newDestKeys = Set(dests.map(\.key))
        for d in odests where !newDestKeys.contains(d.key) { result.append(.deleteRealServer(d, from: s)) }
        for d in dests {
            if let od = oldDests[d.key] {
                if od.withoutStats != d.withoutStats { result.append(.editRealServer(d, in: s)) }
            } else {
                result.append(.addRealServer(d, to: s))
            }
        }
    }
    return result
}

@MainActor func compare(_ got: Table, _ want: Table, _ label: String) -> Bool {
    let g = got.normalized, w = want.normalized
    if g == w {
        print("verify \(label): \(got.entries.count) services, \(got.realServerCount) real servers, as expected")
        return true
    }
    let gs = Set(g), ws = Set(w)
    for missing in w where !gs.contains(missing) { print("verify \(label): missing or different, expected:\n\(missing)") }
    for extra in g where !ws.contains(extra) { print("verify \(label): unexpected, the kernel has:\n\(extra)") }
    return false
}

@MainActor func connect() -> NetlinkIPVS {
    do { return try NetlinkIPVS() } catch { fail("\(error)") }
}

let command = arguments.first ?? ""
let operand = arguments.count > 1 ? arguments[1] : nil

do {
    switch command {
    case "rules":
        print(Rules.render(set(operand)), terminator: "")

    case "program":
        let table = set(operand)
        let ipvs = connect()
        let list = changes(toAdd: table)
        let start = now()
        if arguments.contains("--batch") {
            try ipvs.apply(list)
        } else {
            for c in list { try ipvs.perform(c) }
        }
        print("program \(operand ?? ""): \(list.count) requests in \(ms(now() - start))"
              + (arguments.contains("--batch") ? " (batched)" : " (one by one)"))

    case "edit":
        let ipvs = connect()
        let list = changes(from: set("features"), to: set("edited"))
        for c in list { try ipvs.perform(c) }
        print("edit: \(list.count) requests")

    case "verify":
        // --made-by-ipvsadm: the set as ipvsadm -R makes it
        let ipvs = connect()
        let want = arguments.contains("--made-by-ipvsadm") ? TestSets.asIpvsadmMakesIt(set(operand)) : set(operand)
        if !compare(try read(ipvs), want, operand ?? "") { exit(1) }

    case "flush":
        try connect().flush()

    case "twin":
        // The same programme on the kernel and on the recording twin must
        // leave the same table and give the same errnos.
        let ipvs = connect()
        let twin = RecordingIPVS()
        try ipvs.flush()
        var ok = true
        for kernel in [ipvs as IPVSKernel, twin] {
            try kernel.apply(changes(toAdd: set("features")))
            for c in changes(from: set("features"), to: set("edited")) { try kernel.perform(c) }
        }
        let k = try read(ipvs), r = try read(twin)
        if k == r { print("twin: the same table after program and edit") } else {
            ok = false
            _ = compare(r, k, "twin (kernel as expected)")
        }
        for (name, change) in errorCases() {
            let a = code { try ipvs.perform(change) }
            let b = code { try twin.perform(change) }
            print("twin \(name): kernel \(a), twin \(b)\(a == b ? "" : "  <- differs")")
            if a != b { ok = false }
        }
        // One batch with failures between successes: every failure is
        // reported at its index with its errno (the kernel acknowledges
        // only the batch's last request), and the rest is applied.
        let batch = batchWithFailures()
        let a = batchOutcome { try ipvs.apply(batch) }, b = batchOutcome { try twin.apply(batch) }
        print("twin batch of \(batch.count) with failures: kernel \(a), twin \(b)\(a == b ? "" : "  <- differs")")
        if a != b || a == "ok" { ok = false }
        if try read(ipvs) != read(twin) { ok = false; print("twin batch: the tables differ afterwards") }
        if !ok { exit(1) }

    case "errors":
        let ipvs = connect()
        for (name, change) in errorCases() {
            do {
                try ipvs.perform(change)
                print("errors \(name): accepted")
            } catch {
                print("errors \(name): \(error)")
            }
        }

    case "bench":
        try bench()

    case "bigdump":
        let count = Int(option("--dests") ?? "10000") ?? 10000
        let ipvs = connect()
        let table = TestSets.bench(services: 1, dests: count)
        try ipvs.apply(changes(toAdd: table))
        let start = now()
        let dests = try ipvs.realServers(of: table.entries[0].service)
        let took = now() - start
        guard dests.count == count else { fail("bigdump: \(dests.count) real servers read, \(count) expected") }
        print("bench dump-one-service: \(count) real servers of one service in \(ms(took))")

    default:
        fail("unknown command \(command); see the comment at the top of main.swift")
    }
} catch {
    fail("\(error)")
}

/// The errno of an operation, or "ok".
@MainActor func code(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "ok"
    } catch let e as IPVSError {
        return "errno \(e.code)"
    } catch {
        return "\(error)"
    }
}

/// "index errno, ..." of a batch's failures, or "ok".
@MainActor func batchOutcome(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "ok"
    } catch let e as IPVSBatchError {
        return e.failures.map { "#\($0.index) errno \($0.error.code)" }.joined(separator: ", ")
    } catch {
        return "\(error)"
    }
}

/// Every error case, each after a change that works and with the last
/// change failing too (its acknowledgement is the one the batch waits for).
@MainActor func batchWithFailures() -> [IPVSChange] {
    let service = KernelVirtualService(family: inet, proto: tcp, address: v4(10, 98, 0, 1), port: 80, scheduler: "rr")
    var list: [IPVSChange] = [.addService(service)]
    for (i, (_, failing)) in errorCases().enumerated() {
        list.append(.addRealServer(KernelRealServer(family: inet, address: v4(10, 98, 1, UInt8(i + 1)), port: 80, weight: 1), to: service))
        list.append(failing)
    }
    return list
}

/// Requests the kernel refuses, after `edit` (or on the edited set).
@MainActor func errorCases() -> [(String, IPVSChange)] {
    let existing = set("edited").entries[0]
    let missing = KernelVirtualService(family: inet, proto: tcp, address: v4(10, 99, 0, 1), port: 1)
    var badScheduler = existing.service
    badScheduler.address = v4(10, 99, 0, 2)
    badScheduler.scheduler = "nosuch"
    var badWeight = existing.dests[0]
    badWeight.address = v4(10, 99, 0, 3)
    badWeight.weight = -1
    var badThresholds = existing.dests[0]
    badThresholds.address = v4(10, 99, 0, 4)
    badThresholds.upperThreshold = 5
    badThresholds.lowerThreshold = 10
    let missingDest = KernelRealServer(family: inet, address: v4(10, 99, 0, 5), port: 1)
    return [
        ("add an existing service", .addService(existing.service)),
        ("edit a missing service", .editService(missing)),
        ("delete a missing service", .deleteService(missing)),
        ("add a service with an unknown scheduler", .addService(badScheduler)),
        ("add an existing real server", .addRealServer(existing.dests[0], to: existing.service)),
        ("add a real server to a missing service", .addRealServer(missingDest, to: missing)),
        ("edit a missing real server", .editRealServer(missingDest, in: existing.service)),
        ("delete a missing real server", .deleteRealServer(missingDest, from: existing.service)),
        ("add a real server with a negative weight", .addRealServer(badWeight, to: existing.service)),
        ("add a real server with lower threshold > upper", .addRealServer(badThresholds, to: existing.service)),
    ]
}

@MainActor func bench() throws {
    let ipvs = connect()
    let table = TestSets.bench(services: benchServices, dests: benchDests)
    let list = changes(toAdd: table)
    let total = list.count
    guard try ipvs.services().isEmpty else { fail("bench: the table is not empty") }

    var start = now()
    for c in list { try ipvs.perform(c) }
    print("bench program-one-by-one: \(total) entries in \(ms(now() - start))")
    try ipvs.flush()

    start = now()
    try ipvs.apply(list)
    print("bench program-batched: \(total) entries in \(ms(now() - start))")

    // one weight change on the full table, many times: the median
    let (s, dests) = table.entries[table.entries.count / 2]
    var d = dests[0]
    var times: [Double] = []
    for i in 0..<200 {
        d.weight = Int32(2 + i % 2)
        let t = now()
        try ipvs.editRealServer(d, in: s)
        times.append(now() - t)
    }
    times.sort()
    print("bench edit-one: median \(ms(times[times.count / 2])), min \(ms(times[0])), "
          + "max \(ms(times[times.count - 1])) over \(times.count) weight edits")

    start = now()
    let read = try read(ipvs)
    let took = now() - start
    guard read.entries.count == benchServices, read.realServerCount == benchServices * benchDests else {
        fail("bench: read \(read.entries.count) services and \(read.realServerCount) real servers")
    }
    print("bench dump: \(read.entries.count) services and \(read.realServerCount) real servers in \(ms(took))")
}
