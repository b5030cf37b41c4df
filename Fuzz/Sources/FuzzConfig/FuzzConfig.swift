import FuzzChecks

/// The input is a config file: read, refused with reasons or printed and
/// read back to the same config.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let problems = FuzzChecks.config(UnsafeRawBufferPointer(start: data, count: size))
    if !problems.isEmpty { fatalError(problems.joined(separator: "; ")) }
    return 0
}
