import CGit2
import CGit2Shim
import Synchronization

/// Process-wide libgit2 set-up: `git_libgit2_init` once, and global options.
enum GitLibrary {
    /// Runs `git_libgit2_init` the first time it is read; a Swift static is initialised once,
    /// thread-safely.
    private static let initialised: Bool = {
        git_libgit2_init()
        // libgit2 caches trees only up to 4 KiB by default; a directory of 50,000 files is
        // a 2.5 MB tree that every write and lookup would otherwise inflate and parse again.
        // Keep each repository's cache modest so parsed big trees cannot grow the RSS by
        // libgit2's default 256 MB.
        _ = cgit2_set_cache_object_limit(Int32(GIT_OBJECT_TREE.rawValue), 16 << 20)
        _ = cgit2_set_cache_max_size(64 << 20)
        return true
    }()

    /// Makes sure libgit2 is initialised. Cheap after the first call.
    static func ensureInitialised() {
        _ = initialised
    }

    /// Turns fsync of objects, refs and packs in the git directory on or off (process-wide,
    /// off by default). With it on, an acknowledged commit survives a power loss, at roughly
    /// 2–3× the write latency.
    static func setFsync(_ enabled: Bool) throws(GitError) {
        ensureInitialised()
        try GitError.check(cgit2_enable_fsync(enabled ? 1 : 0), "enable fsync")
        fsync.withLock { $0 = enabled }
    }

    /// Whether our own pack writes sync their files (see ``setFsync(_:)``).
    static var fsyncEnabled: Bool { fsync.withLock { $0 } }
    private static let fsync = Mutex(false)
}
