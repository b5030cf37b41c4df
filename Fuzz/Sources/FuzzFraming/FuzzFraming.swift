import FuzzChecks

/// The input is a raw TCP byte stream: framing, then every message decoder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let problems = FuzzChecks.framing(UnsafeRawBufferPointer(start: data, count: size))
    if !problems.isEmpty { fatalError(problems.joined(separator: "; ")) }
    return 0
}
