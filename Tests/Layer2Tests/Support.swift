import BGPCodec
import Foundation
import KernelRoutes
import Layer2Frames
import TestSupport

func mac(_ text: String) -> MACAddress { MACAddress(text)! }
func v4(_ text: String) -> IPv4Address { IPv4Address(text)! }
func v6(_ text: String) -> IPv6Address { IPv6Address(text)! }
func k(_ text: String) -> KernelAddress { KernelAddress(text)! }

/// `ip ARGS...` (iproute2).
@discardableResult
func ip(_ arguments: String...) throws -> CommandResult {
    try runCommand(["/usr/sbin/ip"] + arguments)
}

/// Polls `probe` every 50 ms until it returns a value `done` accepts or
/// `seconds` have passed; returns the last value seen either way.
func poll<T>(for seconds: Double = 2, _ probe: () throws -> T, until done: (T) -> Bool) rethrows -> T {
    let deadline = Date().addingTimeInterval(seconds)
    var value = try probe()
    while !done(value) && Date() < deadline {
        Thread.sleep(forTimeInterval: 0.05)
        value = try probe()
    }
    return value
}
