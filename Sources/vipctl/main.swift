import ArgumentParser
import VipctlKit
#if canImport(Glibc)
import Glibc
#endif

/// vipctl: the operator's command line for vipd: `decode`, and the control
/// API's `neighbors`, `rib` and `vips`.
struct Vipctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vipctl",
        abstract: "Control and inspect vipd, and decode BGP messages.",
        subcommands: [Decode.self, Neighbors.self, Rib.self, Vips.self, Vip.self, Peer.self, Debug.self, Election.self, Drain.self, Undrain.self, LB.self,
                      Reload.self, Stop.self]
    )
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode BGP messages from stdin into JSON Lines.",
        discussion: """
        Input is hex text, one whole message (marker included) per line, or with --raw a \
        binary stream of concatenated messages. The decoding context comes from the flags alone.
        """
    )

    @Flag(help: "Read a binary stream of concatenated messages.") var raw = false
    @Flag(help: "AS numbers in AS_PATH and AGGREGATOR are 2 octets.") var as2 = false
    @Flag(name: .customLong("add-path"), help: "NLRI carry ADD-PATH path identifiers.") var addPath = false
    @Flag(name: .customLong("extended-message"), help: "Allow 65535-byte messages (RFC 8654).") var extendedMessage = false
    @Flag(help: "Print only totals, with the decode time.") var summary = false

    func run() throws {
        let input = readAll(fd: 0)
        let options = DecodeOptions(raw: raw, as2: as2, addPath: addPath, extendedMessage: extendedMessage, summary: summary)
        var out = OutputBuffer()
        DecodeRunner.run(input: input, options: options) { out.line($0) }
        out.flush()
    }
}

/// Reads a file descriptor to its end.
func readAll(fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            out.append(contentsOf: chunk[0..<n])
        } else if n < 0 && errno == EINTR {
            continue
        } else {
            break
        }
    }
    return out
}

/// Buffers output lines and writes them in large blocks.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func line(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        bytes.append(UInt8(ascii: "\n"))
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// interfaces.md: the global options are accepted before or after the
/// command words. ArgumentParser reads a subcommand's options after its
/// name, so options given first are moved behind the command words.
func reorderGlobalOptions(_ args: [String]) -> [String] {
    var globals: [String] = []
    var rest: [String] = []
    var i = 0
    var seenCommand = false
    while i < args.count {
        let a = args[i]
        if !seenCommand && a == "--socket" && i + 1 < args.count {
            globals += [a, args[i + 1]]
            i += 2
            continue
        }
        if !seenCommand && (a == "--json" || a.hasPrefix("--socket=")) {
            globals.append(a)
            i += 1
            continue
        }
        if !a.hasPrefix("-") { seenCommand = true }
        rest.append(a)
        i += 1
    }
    return rest + globals
}

Vipctl.main(reorderGlobalOptions(Array(CommandLine.arguments.dropFirst())))
