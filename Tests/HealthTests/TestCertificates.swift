import Foundation
import Testing

/// A CA and two server certificates made with the `openssl` CLI in a temp
/// dir, once per test run: `server` has the IP SAN 127.0.0.1 (what a probe of
/// https://127.0.0.1 must verify); `otherIP` has 127.0.0.2 and the DNS SAN
/// kubernetes.default, so a probe of 127.0.0.1 must refuse it unless it asks
/// for that name.
struct TestCertificates: Sendable {
    var dir: String
    var caFile: String
    var serverCert: String
    var serverKey: String
    var otherIPCert: String
    var otherIPKey: String

    /// Set once, by `make()`, before any test reads `shared`.
    nonisolated(unsafe) private static var madeDir: String?

    static let shared: Result<TestCertificates, CertificateError> = Result { try make() }
        .mapError { $0 as? CertificateError ?? CertificateError(message: "\($0)") }

    struct CertificateError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The certificates, or a test failure that says why there are none.
    static func get() throws -> TestCertificates {
        switch shared {
        case let .success(c): return c
        case let .failure(e):
            Issue.record("\(e)")
            throw e
        }
    }

    static func findOpenSSL() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/openssl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func make() throws -> TestCertificates {
        guard let openssl = findOpenSSL() else {
            throw CertificateError(message: "the openssl CLI is not installed (not on PATH): the HTTPS probe tests "
                + "need it to make their certificates; install openssl (apt-get install openssl)")
        }
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("vipd-health-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Used by path until the test process ends; removed then.
        madeDir = dir
        atexit { if let d = TestCertificates.madeDir { try? FileManager.default.removeItem(atPath: d) } }

        func run(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: openssl)
            p.arguments = args
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw CertificateError(message: "openssl \(args.joined(separator: " ")) failed: \(text)")
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                 "-subj", "/CN=vipd health test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        for (name, san) in [("server", "IP:127.0.0.1"), ("other", "IP:127.0.0.2,DNS:kubernetes.default")] {
            try "subjectAltName=\(san)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: "\(dir)/\(name).ext", atomically: true, encoding: .utf8)
            try run(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "\(name).crt", "-days", "2", "-extfile", "\(name).ext"])
        }
        return TestCertificates(dir: dir, caFile: "\(dir)/ca.crt", serverCert: "\(dir)/server.crt",
                                serverKey: "\(dir)/server.key", otherIPCert: "\(dir)/other.crt",
                                otherIPKey: "\(dir)/other.key")
    }
}
