import Testing
@testable import KernelRoutes
