import BGPCodec
import FuzzChecks

/// The input is the body of a Open message; the header is made valid so the
/// fuzzer spends its time in the Open decoder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let problems = FuzzChecks.message(UnsafeRawBufferPointer(start: data, count: size), type: .open)
    if !problems.isEmpty { fatalError(problems.joined(separator: "; ")) }
    return 0
}
