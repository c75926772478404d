#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Small files already checked and read, shared by every `StaticFiles` of the process and keyed by
/// the path as requested under a root.
///
/// "An edited file is served at once" holds two ways:
/// - **Watched** entries (the path has no symlinks and the file one link): every directory from `/`
///   down to the file is watched with inotify. The kernel queues the event before the editor's
///   write or rename returns, so a lookup that finds the queue empty (one `ioctl`, no path walk)
///   knows nothing changed since the entry was read; otherwise it applies the events first.
/// - **Other** entries are revalidated with a `stat` of the path on every use (same device,
///   inode, size and modification time), as all entries were before.
final class StaticFileCache: Sendable {
    static let maxCachedBytes = 1024 * 1024
    static let maxEntries = 1024

    /// The process's cache.
    static let shared = StaticFileCache(watching: true)

    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modifiedSeconds: Int
        var modifiedNanos: Int
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int(info.st_size)
            modifiedSeconds = Int(info.st_mtim.tv_sec)
            modifiedNanos = Int(info.st_mtim.tv_nsec)
        }
    }

    struct File: Sendable {
        var identity: Identity
        var etag: String
        var lastModified: String
        var modifiedSeconds: Int
        var contentType: String
        var size: Int
        var body: [UInt8]?
        /// Kept fresh by the directory watch, so no `stat` is needed (set by `store`).
        var isWatched = false
        /// The file's real path, whose directories are watched (set by `store`).
        var realPath = ""

        /// `ETag`, `Last-Modified` and `Cache-Control`: what a 304 carries.
        var validatorHeaders: HTTPHeaders {
            ["ETag": etag, "Last-Modified": lastModified, "Cache-Control": "no-cache"]
        }
        /// What a 200 carries, built once per file rather than per request (`withHeaders()`).
        var headers = HTTPHeaders()

        /// The file with `headers` filled in.
        func withHeaders() -> File {
            var file = self
            file.headers = validatorHeaders
            file.headers.add("Content-Type", contentType)
            return file
        }
    }

    /// Taken before a file is read (`prepare`) and handed to `store`: the entry is stored only if
    /// no change to its path was seen in between.
    struct Ticket {
        fileprivate var generation: UInt64
        fileprivate var realPath: String
        fileprivate var isWatched: Bool
    }

    private struct WatchedDirectory {
        var path: String
        /// Entries on the way to a cached file; events about other names are ignored.
        var names: Set<String> = []
    }

    private struct State {
        var entries: [String: File] = [:]
        var directories: [Int32: WatchedDirectory] = [:]
        /// Counts relevant changes, so a file read while its path changed is not stored.
        var generation: UInt64 = 0
    }

    private let watch: DirectoryWatch?
    private let state = Mutex(State())

    /// A cache; with `watching` false (or no inotify instance to be had) every entry uses `stat`.
    init(watching: Bool) {
        watch = watching ? DirectoryWatch() : nil
    }

    /// The entry for `path` if it still describes the file there.
    func lookup(_ path: String) -> File? {
        let pending = watch?.hasPendingEvents ?? false
        let file = state.withLock { state -> File? in
            if pending { applyChanges(&state) }
            return state.entries[path]
        }
        guard let file else { return nil }
        if file.isWatched { return file }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Identity(info) == file.identity else { return nil }
        return file
    }

    /// Call before reading the file at `realPath` to store it afterwards. With `watchable` (the
    /// requested path reached it without a symlink) its directories are watched.
    func prepare(realPath: String, watchable: Bool) -> Ticket {
        state.withLock { state in
            if watch?.hasPendingEvents == true { applyChanges(&state) }
            let watched = watchable && watchDirectories(of: realPath, &state)
            return Ticket(generation: state.generation, realPath: realPath, isWatched: watched)
        }
    }

    /// Stores a file read after `prepare`; `links` is its hard link count (an edit through another
    /// link reaches no watched directory, so such a file is revalidated with `stat`).
    func store(_ path: String, _ file: File, links: Int, ticket: Ticket) {
        var file = file
        file.isWatched = ticket.isWatched && links == 1
        file.realPath = ticket.realPath
        state.withLock { state in
            if watch?.hasPendingEvents == true { applyChanges(&state) }
            if file.isWatched && state.generation != ticket.generation { return }
            if state.entries.count >= Self.maxEntries { state.entries.removeAll() }
            state.entries[path] = file
        }
    }

    /// Watches every directory from `/` to the file's: the file's own for writes too, the others
    /// for entries renamed, replaced or removed on the way. False if one cannot be watched.
    private func watchDirectories(of realPath: String, _ state: inout State) -> Bool {
        guard let watch else { return false }
        let components = realPath.utf8.split(separator: UInt8(ascii: "/")).map { String(Substring($0)) }
        guard !components.isEmpty else { return false }
        var directory = "/"
        for (index, name) in components.enumerated() {
            let isParent = index == components.count - 1
            guard let descriptor = watch.add(directory, mask: isParent ? DirectoryWatch.contentChanges : DirectoryWatch.entryChanges) else {
                return false
            }
            if let known = state.directories[descriptor], known.path != directory {
                // The same directory under a new name (one above it was renamed): events must map
                // to the name it has now, and nothing is cached under the old one any more.
                forget(under: known.path + "/", &state)
                state.directories[descriptor] = nil
            }
            state.directories[descriptor, default: WatchedDirectory(path: directory)].names.insert(name)
            directory = directory == "/" ? "/" + name : directory + "/" + name
        }
        return true
    }

    /// Drops the entries the queued events may have changed.
    private func applyChanges(_ state: inout State) {
        guard let watch else { return }
        watch.drain { event in
            if event.isOverflow {
                state.entries.removeAll()
                state.generation &+= 1
                return
            }
            guard let directory = state.directories[event.watch] else { return }
            if event.endsWatch {
                state.directories[event.watch] = nil
                if event.mask & UInt32(IN_IGNORED) == 0 { watch.remove(event.watch) }
                forget(under: directory.path == "/" ? "/" : directory.path + "/", &state)
                return
            }
            guard directory.names.contains(event.name) else { return }
            let changed = directory.path == "/" ? "/" + event.name : directory.path + "/" + event.name
            forget(exactly: changed, &state)
            forget(under: changed + "/", &state)
        }
    }

    private func forget(exactly realPath: String, _ state: inout State) {
        state.generation &+= 1
        state.entries = state.entries.filter { $0.value.realPath != realPath }
    }

    private func forget(under prefix: String, _ state: inout State) {
        state.generation &+= 1
        state.entries = state.entries.filter { !$0.value.realPath.hasPrefix(prefix) }
    }
}
