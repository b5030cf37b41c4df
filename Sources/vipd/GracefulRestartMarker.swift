import Foundation

/// The record of a graceful stop in `state_dir`, read by the next start to
/// set the RFC 4724 Restart State and Forwarding State bits.
enum GracefulRestartMarker {
    static func path(_ stateDir: String) -> String { stateDir + "/graceful-restart" }

    static func write(stateDir: String) {
        try? FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let now = Int(Date().timeIntervalSince1970)
        _ = FileManager.default.createFile(atPath: path(stateDir), contents: Data("\(now)\n".utf8))
    }

    /// True when a graceful stop happened less than `maxAge` seconds ago (the
    /// longest restart time promised to a peer). The record is used once.
    static func take(stateDir: String, maxAge: Int) -> Bool {
        let p = path(stateDir)
        guard let data = FileIO.readBytes(p) else { return false }
        unlink(p)
        guard let then = Int(String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }) else { return false }
        let age = Int(time(nil)) - then
        return age >= 0 && age <= maxAge
    }
}
