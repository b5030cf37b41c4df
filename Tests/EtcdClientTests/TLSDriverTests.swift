import BGPSession
import Election
import Foundation
import NIOCore
import NIOPosix
import XCTest
@testable import EtcdClient

/// etcd with `--client-cert-auth` (as kubeadm runs it): certificates made
/// with the openssl CLI into the cluster's temp dir.
final class TLSDriverTests: XCTestCase {
    var cluster: EtcdCluster?
    var group: MultiThreadedEventLoopGroup?
    var drivers: [ElectionDriver] = []

    override func tearDown() {
        for d in drivers { _ = try? d.stop().wait() }
        drivers = []
        try? group?.syncShutdownGracefully()
        cluster?.shutdown()
        super.tearDown()
    }

    @discardableResult
    func openssl(_ args: [String], in dir: URL) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "openssl \(args.joined(separator: " "))")
        return p.terminationStatus
    }

    func makeCertificates(in dir: URL) throws -> EtcdCluster.TLSFiles {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=vipd-test-ca"], in: dir)
        for (name, usage) in [("server", "serverAuth,clientAuth"), ("client", "clientAuth")] {
            try openssl(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"], in: dir)
            try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=\(usage)\n"
                .write(to: dir.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "\(name).crt", "-days", "1", "-extfile", "\(name).ext"], in: dir)
        }
        let f = { dir.appendingPathComponent($0).path }
        return .init(ca: f("ca.crt"), serverCert: f("server.crt"), serverKey: f("server.key"),
                     clientCert: f("client.crt"), clientKey: f("client.key"))
    }

    func testElectsOverTLSWithClientCertificatesAndNotWithout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-etcd-tls-\(UUID().uuidString)")
        let files = try makeCertificates(in: dir.appendingPathComponent("pki"))
        let c = try EtcdCluster(tls: files, dir: dir)
        cluster = c
        XCTAssertTrue(c.waitHealthy(), "etcd (TLS) did not become healthy")
        XCTAssertTrue(c.clientURLs.allSatisfy { $0.hasPrefix("https://") })

        let g = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        group = g
        let recorder = Recorder()
        let withCert = EtcdTLS(caFile: files.ca, certFile: files.clientCert, keyFile: files.clientKey)
        let withoutCert = EtcdTLS(caFile: files.ca, certFile: nil, keyFile: nil)
        for (node, tls) in [("node1", withCert), ("node2", withCert), ("nocert", withoutCert)] {
            var driver: ElectionDriver!
            driver = ElectionDriver(eventLoop: g.next(), settings: ElectionSettings(name: "vipd-tls", nodeName: node, leaseTTL: 2),
                                    endpoints: EtcdEndpoints(urls: c.clientURLs, tls: tls),
                                    onOwnership: { owns in
                                        recorder.ownership(node, owns)
                                        if owns { driver.ownershipAnnounced() }
                                    }, onStatus: { recorder.record(node, $0) })
            drivers.append(driver)
            driver.start()
        }
        XCTAssertTrue(waitFor(10) {
            let owners = recorder.owners()
            return owners.count == 1 && owners.isSubset(of: ["node1", "node2"])
                && recorder.status("node1")?.leader == owners.first && recorder.status("node2")?.leader == owners.first
        }, "no leader over TLS")
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(recorder.owners().count, 1)
        // Refused by etcd without a client certificate: never registered.
        XCTAssertFalse(recorder.changes.contains { $0.node == "nocert" })
        XCTAssertEqual(recorder.status("nocert")?.role, .candidate)
        XCTAssertNil(recorder.status("nocert")?.leader)
    }
}
