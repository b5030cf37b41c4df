import IPVS
import Glibc
import IPVSNetlink
import XCTest

/// The recording twin keeps the kernel's rules (scripts/vm/ipvs-check's
/// "twin" step checks the same errnos on the real kernel).
final class RecordingIPVSTests: XCTestCase {
    let web = KernelVirtualService(family: 2, proto: 6, address: [192, 168, 113, 200], port: 8443, scheduler: "wlc")
    let a = KernelRealServer(family: 2, address: [192, 168, 113, 22], port: 8443, forwarding: IPVSConstants.forwardDirect)
    let b = KernelRealServer(family: 2, address: [192, 168, 113, 23], port: 8443, forwarding: IPVSConstants.forwardDirect)

    private func errno(_ body: () throws -> Void) -> Int32? {
        do {
            try body()
            return nil
        } catch let e as IPVSError {
            return e.code
        } catch {
            XCTFail("unexpected \(error)")
            return -1
        }
    }

    func testAddListEditDelete() throws {
        let k = RecordingIPVS()
        try k.addService(web)
        try k.addRealServer(a, to: web)
        try k.addRealServer(b, to: web)
        XCTAssertEqual(try k.services(), [web])
        XCTAssertEqual(try k.realServers(of: web), [a, b])

        var heavier = a
        heavier.weight = 5
        try k.editRealServer(heavier, in: web)
        XCTAssertEqual(try k.realServers(of: web).map(\.weight), [5, 1])

        var rr = web
        rr.scheduler = "rr"
        try k.editService(rr)
        XCTAssertEqual(try k.services().map(\.scheduler), ["rr"])
        XCTAssertEqual(try k.realServers(of: web).count, 2, "an edit keeps the real servers")

        try k.deleteRealServer(a, from: web)
        XCTAssertEqual(try k.realServers(of: web), [b])
        try k.deleteService(web)
        XCTAssertEqual(try k.services(), [])
        XCTAssertEqual(k.changes, [
            .addService(web), .addRealServer(a, to: web), .addRealServer(b, to: web), .editRealServer(heavier, in: web),
            .editService(rr), .deleteRealServer(a, from: web), .deleteService(web),
        ])
    }

    func testTheKernelsErrnos() throws {
        let k = RecordingIPVS()
        try k.addService(web)
        XCTAssertEqual(errno { try k.addService(web) }, EEXIST)
        let other = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 1)
        XCTAssertEqual(errno { try k.editService(other) }, ESRCH)
        XCTAssertEqual(errno { try k.deleteService(other) }, ESRCH)
        XCTAssertEqual(errno { _ = try k.realServers(of: other) }, ESRCH)
        var unknown = other
        unknown.scheduler = "nosuch"
        XCTAssertEqual(errno { try k.addService(unknown) }, ENOENT)
        try k.addRealServer(a, to: web)
        XCTAssertEqual(errno { try k.addRealServer(a, to: web) }, EEXIST)
        XCTAssertEqual(errno { try k.addRealServer(a, to: other) }, ESRCH)
        XCTAssertEqual(errno { try k.editRealServer(b, in: web) }, ENOENT)
        XCTAssertEqual(errno { try k.deleteRealServer(b, from: web) }, ENOENT)
        var negative = b
        negative.weight = -1
        XCTAssertEqual(errno { try k.addRealServer(negative, to: web) }, ERANGE)
        var thresholds = b
        thresholds.upperThreshold = 5
        thresholds.lowerThreshold = 6
        XCTAssertEqual(errno { try k.addRealServer(thresholds, to: web) }, ERANGE)
        // failed calls are recorded too, and change nothing
        XCTAssertEqual(k.changes.count, 12)
        XCTAssertEqual(try k.realServers(of: web), [a])
    }

    func testTheKeyIsTheIdentityNotTheSettings() throws {
        let k = RecordingIPVS()
        try k.addService(web)
        var sameKey = web
        sameKey.scheduler = "rr"
        sameKey.flags = IPVSConstants.svcPersistent
        XCTAssertEqual(errno { try k.addService(sameKey) }, EEXIST)
        var otherPort = web
        otherPort.port = 8444
        try k.addService(otherPort)
        var udp = web
        udp.proto = IPVSConstants.protoUDP
        try k.addService(udp)
        XCTAssertEqual(try k.services().count, 3)
        // a real server is keyed by address and port within its service
        try k.addRealServer(a, to: web)
        var otherWeight = a
        otherWeight.weight = 9
        XCTAssertEqual(errno { try k.addRealServer(otherWeight, to: web) }, EEXIST)
        try k.addRealServer(a, to: otherPort)
    }

    func testFwmarkServicesKeepOnlyFamilyAndMark() throws {
        let k = RecordingIPVS()
        var s = KernelVirtualService.fwmark(7, family: 2, scheduler: "rr")
        s.proto = 6
        s.address = [1, 2, 3, 4]
        s.port = 99
        try k.addService(s)
        XCTAssertEqual(try k.services(), [.fwmark(7, family: 2, scheduler: "rr")])
        XCTAssertEqual(errno { try k.addService(.fwmark(7, family: 2)) }, EEXIST)
        try k.addService(.fwmark(7, family: 10))
        try k.addRealServer(a, to: .fwmark(7, family: 2))
        XCTAssertEqual(try k.realServers(of: s), [a])
    }

    func testCountersAndHashedFlagAreNotStored() throws {
        let k = RecordingIPVS()
        var s = web
        s.stats = IPVSStats(conns: 1)
        s.flags = IPVSConstants.svcHashed | IPVSConstants.svcPersistent
        try k.addService(s)
        var d = a
        d.activeConns = 3
        d.stats = IPVSStats(inBytes: 9)
        try k.addRealServer(d, to: s)
        XCTAssertEqual(try k.services().first?.flags, IPVSConstants.svcPersistent)
        XCTAssertNil(try k.services().first?.stats)
        XCTAssertEqual(try k.realServers(of: s), [a])
    }

    func testApplyCarriesOnPastFailuresAndListsThem() throws {
        let k = RecordingIPVS()
        let other = KernelVirtualService(family: 2, proto: 6, address: [10, 0, 0, 1], port: 1)
        do {
            try k.apply([.addService(web), .addService(web), .addRealServer(a, to: web), .addRealServer(a, to: other),
                         .addRealServer(b, to: web)])
            XCTFail("expected failures")
        } catch let e as IPVSBatchError {
            XCTAssertEqual(e.failures.map(\.index), [1, 3])
            XCTAssertEqual(e.failures.map(\.error.code), [EEXIST, ESRCH])
            XCTAssertTrue(e.description.contains("2 of the IPVS changes failed"), e.description)
        }
        XCTAssertEqual(try k.realServers(of: web), [a, b])
    }

    func testInjectedFailureAndFlush() throws {
        let k = RecordingIPVS()
        k.failure = { change in
            if case .addRealServer(let d, _) = change, d.address.last == 23 {
                return IPVSError(operation: "add", code: ENOMEM, message: "injected")
            }
            return nil
        }
        try k.addService(web)
        try k.addRealServer(a, to: web)
        XCTAssertEqual(errno { try k.addRealServer(b, to: web) }, ENOMEM)
        XCTAssertEqual(try k.realServers(of: web), [a])
        try k.flush()
        XCTAssertEqual(try k.services(), [])
        XCTAssertEqual(k.calls.last, .flush)
        k.clearCalls()
        XCTAssertEqual(k.calls, [])
    }

    func testSchedulersOfThisKernel() throws {
        let k = RecordingIPVS(schedulers: ["rr"])
        XCTAssertEqual(errno { try k.addService(web) }, ENOENT)
        var rr = web
        rr.scheduler = "rr"
        try k.addService(rr)
        var long = web
        long.port = 2
        long.scheduler = String(repeating: "x", count: 16)
        XCTAssertEqual(errno { try k.addService(long) }, EINVAL)
    }

    func testErrorDescriptionNamesTheOperation() {
        let e = IPVSError(operation: "add service tcp 10.0.0.1:80", code: EEXIST, message: "the service already exists")
        XCTAssertEqual(e.description, "IPVS add service tcp 10.0.0.1:80: the service already exists (error 17)")
    }

    /// The host kernel has no IPVS (lab-notes.md): the error must say so
    /// and name the module. Where IPVS is loaded, the socket must open.
    func testNetlinkIPVSWithoutTheModule() throws {
        var loaded = false
        if let f = fopen("/proc/modules", "r") {
            var line = [CChar](repeating: 0, count: 512)
            while fgets(&line, Int32(line.count), f) != nil {
                if line.starts(with: "ip_vs ".utf8.map { CChar(bitPattern: $0) }) { loaded = true }
            }
            fclose(f)
        }
        do {
            let ipvs = try NetlinkIPVS()
            XCTAssertTrue(loaded || ipvs.familyID > 0)
        } catch let e as IPVSError {
            XCTAssertFalse(loaded, "IPVS is loaded, yet: \(e)")
            XCTAssertEqual(e.message, "IPVS is not available in this kernel (modprobe ip_vs)")
        }
    }
}
