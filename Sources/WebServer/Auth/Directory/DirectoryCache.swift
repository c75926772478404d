#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Synchronization

/// The identity directory of the configuration head, re-read at most once a second so the
/// gate does not touch git on every request. A user or key added by a commit is seen within
/// a second.
public final class DirectoryCache: Sendable {
    private let load: @Sendable () -> Snapshot?
    private let cached = Mutex<(at: UInt64, directory: IdentityDirectory)?>(nil)
    private let refreshNanoseconds: UInt64 = 1_000_000_000

    public init(repository: ConfigRepository) {
        load = { try? repository.headSnapshot() }
    }

    /// A fixed directory (tests).
    public init(snapshot: Snapshot) {
        load = { snapshot }
    }

    public var current: IdentityDirectory {
        let now = Monotonic.nanoseconds()
        if let hit = cached.withLock({ $0 }), now &- hit.at < refreshNanoseconds { return hit.directory }
        let directory = IdentityDirectory(snapshot: load() ?? Snapshot(commit: nil, files: []))
        cached.withLock { $0 = (now, directory) }
        return directory
    }

    /// Forgets the cached directory (after this process itself committed a change).
    public func invalidate() { cached.withLock { $0 = nil } }
}

enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
