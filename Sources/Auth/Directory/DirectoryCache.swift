#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Synchronization
import WebServer

/// The identity directory of the configuration head, re-checked at most once a second so the
/// gate does not touch git on every request, and rebuilt only when the head moved. A user or
/// key added by a commit is seen within a second.
public final class DirectoryCache: Sendable {
    private let load: (@Sendable () -> Snapshot?)?
    private let cached: Mutex<(at: UInt64, directory: IdentityDirectory)>
    private let refreshNanoseconds: UInt64 = 1_000_000_000

    public init(repository: ConfigRepository) {
        load = { try? repository.headSnapshot() }
        let snapshot = (try? repository.headSnapshot()) ?? Snapshot(commit: nil, files: [])
        cached = Mutex((Monotonic.nanoseconds(), IdentityDirectory(snapshot: snapshot)))
    }

    /// A fixed directory (tests, benchmarks).
    public init(snapshot: Snapshot) {
        load = nil
        cached = Mutex((0, IdentityDirectory(snapshot: snapshot)))
    }

    public var current: IdentityDirectory {
        let hit = cached.withLock { $0 }
        guard let load else { return hit.directory }
        let now = Monotonic.nanoseconds()
        if now &- hit.at < refreshNanoseconds { return hit.directory }
        guard let snapshot = load() else { return hit.directory }
        let directory = snapshot.commit == hit.directory.snapshot.commit ? hit.directory : IdentityDirectory(snapshot: snapshot)
        cached.withLock { $0 = (now, directory) }
        return directory
    }

    /// Re-reads the head at the next request (after this process itself committed a change).
    public func invalidate() { cached.withLock { $0.at = 0 } }
}

enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
