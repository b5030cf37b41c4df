import CBZip2
import Foundation

/// Loading the shared MRT sample for MRTTests: read in place from
/// ../shared/testdata (relative to the package root), bunzip2 in memory.
enum MRTTestSupport {
    /// The package root: this file is Tests/InteropVectorTests/<file>.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let samplePath = packageRoot.appendingPathComponent("../shared/testdata/bgpkit-parser-mrt/updates.bz2").standardized.path

    enum BZip2Error: Error, Equatable {
        case unreadable(String)
        case bzip2(Int32)
        case tooLarge(Int)
    }

    /// The decompressed sample dump.
    static func sampleDump() throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: samplePath) else { throw BZip2Error.unreadable(samplePath) }
        return try bunzip2([UInt8](data))
    }

    /// Whole-buffer bzip2 decompression. The output buffer starts at 8x
    /// the input and doubles on BZ_OUTBUFF_FULL, up to `cap` bytes.
    static func bunzip2(_ input: [UInt8], cap: Int = 64 << 20) throws -> [UInt8] {
        var source = input.map { CChar(bitPattern: $0) }
        var capacity = max(4096, input.count * 8)
        while true {
            var output = [CChar](repeating: 0, count: capacity)
            var outLen = UInt32(capacity)
            let rc = source.withUnsafeMutableBufferPointer { src in
                output.withUnsafeMutableBufferPointer { dst in
                    BZ2_bzBuffToBuffDecompress(dst.baseAddress, &outLen, src.baseAddress, UInt32(src.count), 0, 0)
                }
            }
            switch rc {
            case BZ_OK:
                return output[..<Int(outLen)].map { UInt8(bitPattern: $0) }
            case BZ_OUTBUFF_FULL:
                guard capacity < cap else { throw BZip2Error.tooLarge(capacity) }
                capacity = min(capacity * 2, cap)
            default:
                throw BZip2Error.bzip2(rc)
            }
        }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    static func bytes(hex: String) -> [UInt8] {
        let u = Array(hex.utf8)
        return stride(from: 0, to: u.count - 1, by: 2).map { UInt8(String(decoding: u[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }
}
