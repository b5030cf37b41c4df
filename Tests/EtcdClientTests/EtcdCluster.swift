import Foundation
import XCTest

/// A throw-away etcd cluster on 127.0.0.1: unique ports, a temp data dir,
/// raft timings tuned for fast failover (heartbeat 20 ms, election 200 ms).
/// `shutdown()` kills every member; call it from tearDown.
final class EtcdCluster {
    struct TLSFiles {
        var ca: String, serverCert: String, serverKey: String, clientCert: String, clientKey: String
    }

    let dir: URL
    let clientPorts: [Int]
    let peerPorts: [Int]
    let tls: TLSFiles?
    var processes: [Process] = []

    var scheme: String { tls == nil ? "http" : "https" }
    var clientURLs: [String] { clientPorts.map { "\(scheme)://127.0.0.1:\($0)" } }

    init(members: Int = 3, tls: TLSFiles? = nil, dir: URL? = nil) throws {
        self.dir = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("vipd-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.dir, withIntermediateDirectories: true)
        let base = 30_000 + Int.random(in: 0..<2_500) * 8
        clientPorts = (0..<members).map { base + 2 * $0 }
        peerPorts = (0..<members).map { base + 2 * $0 + 1 }
        self.tls = tls
        let cluster = (0..<members).map { "m\($0)=http://127.0.0.1:\(peerPorts[$0])" }.joined(separator: ",")
        for i in 0..<members {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
            var args = [
                "--name", "m\(i)", "--data-dir", self.dir.appendingPathComponent("m\(i)").path,
                "--listen-client-urls", clientURLs[i], "--advertise-client-urls", clientURLs[i],
                "--listen-peer-urls", "http://127.0.0.1:\(peerPorts[i])",
                "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPorts[i])",
                "--initial-cluster", cluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", self.dir.lastPathComponent,
                "--heartbeat-interval", "20", "--election-timeout", "200",
            ]
            if let tls {
                args += ["--cert-file", tls.serverCert, "--key-file", tls.serverKey,
                         "--trusted-ca-file", tls.ca, "--client-cert-auth"]
            }
            p.arguments = args
            let log = self.dir.appendingPathComponent("m\(i).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            processes.append(p)
        }
    }

    /// etcdctl against the cluster (with the client certificate if TLS).
    func etcdctl(_ args: [String], endpoints: [String]? = nil) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        var a = ["--endpoints", (endpoints ?? clientURLs).joined(separator: ","), "--dial-timeout", "1s", "--command-timeout", "1s"]
        if let tls { a += ["--cacert", tls.ca, "--cert", tls.clientCert, "--key", tls.clientKey] }
        p.arguments = a + args
        p.environment = ["ETCDCTL_API": "3"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out   // `endpoint health` reports on stderr
        guard (try? p.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits (bounded) until every member reports healthy.
    func waitHealthy(timeout: TimeInterval = 15) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            let out = etcdctl(["endpoint", "health"])
            if out.components(separatedBy: "is healthy").count - 1 == clientURLs.count { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// The index of the member that is raft leader (`endpoint status`'s
    /// "is leader" column).
    func raftLeader() -> Int? {
        for line in etcdctl(["endpoint", "status", "-w", "simple"]).split(separator: "\n") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count > 4, fields[4] == "true" else { continue }
            return clientURLs.firstIndex { $0.hasSuffix(fields[0]) }
        }
        return nil
    }

    func signal(_ sig: Int32, member: Int) {
        if processes[member].isRunning { kill(processes[member].processIdentifier, sig) }
    }

    func signalAll(_ sig: Int32) { for i in processes.indices { signal(sig, member: i) } }

    func shutdown() {
        for p in processes where p.isRunning {
            kill(p.processIdentifier, SIGCONT)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        processes = []
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { shutdown() }
}
