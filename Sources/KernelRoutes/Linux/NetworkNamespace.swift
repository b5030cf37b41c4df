import CNLRoute
#if canImport(Glibc)
import Glibc
#endif

/// Network namespaces, as the namespace tests use them.
public enum NetworkNamespace {
    /// Moves the calling thread, and only it, into a new, empty network
    /// namespace (unshare(CLONE_NEWNET)); it has just a `lo`, down. Netlink
    /// sockets created on this thread afterwards act there. The namespace
    /// goes away when the thread has ended and the last socket in it is
    /// closed. Needs CAP_SYS_ADMIN. Never call it on a thread you do not own
    /// (a pool's or the main thread): it cannot be undone.
    public static func unshareCurrentThread() throws {
        if cnl_unshare_network_namespace() != 0 {
            let code = errno
            throw KernelError(operation: "unshare(CLONE_NEWNET)", code: 0,
                              message: String(cString: strerror(code)))
        }
    }
}
