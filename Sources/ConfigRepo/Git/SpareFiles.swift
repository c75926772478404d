import Foundation
import Synchronization

/// Files the repository no longer needs (merged packs, replaced versions of a branch file),
/// kept in `.git/backoffice-spare-files/` and written again as new packs and lock files
/// instead of being deleted and created.
///
/// Why: on ext4 without a journal, creating a file scans past every inode of its block
/// group freed in the last minutes (`recently_deleted`); with a pack, an index and a ref
/// lock created and as many freed per commit, creates took a fifth of the write path in
/// `perf` (docs/performance.md). Reusing files frees and allocates no inode.
///
/// A spare is reused only when nothing else holds it: this process takes it with `flock`
/// (another process that wants it too fails), then a write lease proves that no process
/// (git reading an old pack, say) has it open or mapped, its link count proves it is not
/// also a live file (a branch file mid-replacement), and its path proves it was not moved
/// meanwhile. A taken spare stays locked until its writer has moved it into place.
final class SpareFiles: Sendable {
    /// The directory of spares, on the repository's file system.
    let directory: String
    private let state = Mutex(State())
    /// Spares kept at most; more are deleted.
    static let capacity = 512

    private struct State {
        var queue: [String] = []
        var head = 0
        var lastScan = 0.0
        var directoryMade = false
        var unsupported = false
    }

    init(gitDirectory: String) {
        directory = (gitDirectory.hasSuffix("/") ? gitDirectory : gitDirectory + "/") + "backoffice-spare-files"
    }

    /// A file taken to write: its descriptor (open for reading and writing, at offset 0),
    /// its path among the spares, and the size of what it still holds.
    struct Taken {
        var descriptor: Int32
        var path: String
        var size: Int
    }

    /// A file to write, locked for this caller: a spare nobody holds, or a new file. The caller
    /// writes it from the start, cuts it to its length when `size` was larger, moves it into
    /// place with `rename` while still holding the descriptor, then closes it (or gives it
    /// back with ``giveBack(_:path:)``).
    func take() throws(GitError) -> Taken {
        for _ in 0..<8 {
            guard let path = nextCandidate() else { break }
            if let taken = claim(path) { return taken }
        }
        let (descriptor, path) = try create()
        _ = flock(descriptor, LOCK_EX | LOCK_NB)
        return Taken(descriptor: descriptor, path: path, size: 0)
    }

    /// Creates spare files until at least `minimum` wait: the background packer calls this,
    /// so a commit that finds no spare (merges return them in batches) need not create one.
    func replenish(to minimum: Int) {
        var waiting = state.withLock { $0.queue.count - $0.head }
        while waiting < minimum, let (descriptor, path) = try? create() {
            close(descriptor)
            waiting = state.withLock { state in
                state.queue.append(path)
                return state.queue.count - state.head
            }
        }
    }

    private func create() throws(GitError) -> (Int32, String) {
        makeDirectory()
        var template = Array((directory + "/new-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw GitError.system(errno, "create a file in \(directory)") }
        return (descriptor, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Returns a taken file that was not used (still at `path`) and closes it.
    func giveBack(_ descriptor: Int32, path: String) {
        close(descriptor)
        state.withLock { $0.queue.append(path) }
    }

    /// Moves a file that is no longer needed into the spares instead of deleting it (deletes
    /// it when the spares are full or the move fails). A link and an unlink rather than a
    /// rename, which would replace (and free) a file already at the spare's name.
    func retire(_ path: String) {
        guard !unsupported, let spare = reserveName(), link(path, spare) == 0 else {
            unlink(path)
            return
        }
        unlink(path)
        state.withLock { $0.queue.append(spare) }
    }

    /// Gives `path`'s file a second name among the spares, just before a `rename` replaces
    /// it, so the replacement frees nothing. Until then the spare has two names and is never
    /// taken.
    func keep(_ path: String) {
        guard !unsupported, let spare = reserveName() else { return }
        if link(path, spare) == 0 { state.withLock { $0.queue.append(spare) } }
    }

    // MARK: -

    private static let processID = getpid()
    /// Numbers spare names uniquely within this process (several stores may share a repository).
    private static let names = Mutex(0)

    /// Creates the directory the first time this process needs it.
    private func makeDirectory() {
        let missing = state.withLock { state in
            defer { state.directoryMade = true }
            return !state.directoryMade
        }
        if missing { mkdir(directory, 0o755) }
    }

    private func reserveName() -> String? {
        guard state.withLock({ $0.queue.count - $0.head < Self.capacity }) else { return nil }
        let number = Self.names.withLock { number in
            number += 1
            return number
        }
        makeDirectory()
        return directory + "/\(Self.processID)-\(number)"
    }

    /// The oldest spare this process knows of; the directory is listed again (for spares
    /// other processes retired) when none is known, at most once a second.
    private func nextCandidate() -> String? {
        let now = Date().timeIntervalSinceReferenceDate
        let listing: Bool = state.withLock { state in
            guard state.head >= state.queue.count, now - state.lastScan > 1 else { return false }
            state.lastScan = now
            return true
        }
        if listing {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            state.withLock { state in
                let known = Set(state.queue[state.head...])
                state.queue += names.map { directory + "/" + $0 }.filter { !known.contains($0) }
            }
        }
        return state.withLock { state in
            guard state.head < state.queue.count else { return nil }
            defer {
                state.head += 1
                if state.head > 1024 {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
            }
            return state.queue[state.head]
        }
    }

    /// Opens and locks `path` when it is a spare nobody else holds (made writable by everyone's
    /// usual mode); nil otherwise (a spare still open elsewhere goes back to the end of the queue).
    private func claim(_ path: String) -> Taken? {
        var descriptor = open(path, O_RDWR | O_CLOEXEC)
        if descriptor < 0, errno == EACCES {
            chmod(path, 0o644)  // Packs are read-only.
            descriptor = open(path, O_RDWR | O_CLOEXEC)
        }
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        switch Self.openElsewhere(descriptor) {
        case false?:
            break
        case true?:
            // Still open somewhere (a reader of an old pack): try again later.
            close(descriptor)
            state.withLock { $0.queue.append(path) }
            return nil
        case nil:
            // No leases here (another OS, a network file system): nothing proves a spare
            // unused, so none is reused, and files are deleted again as before.
            close(descriptor)
            state.withLock { $0.unsupported = true }
            return nil
        }
        var opened = stat(), named = stat()
        guard fstat(descriptor, &opened) == 0, opened.st_nlink == 1, stat(path, &named) == 0,
              named.st_ino == opened.st_ino, named.st_dev == opened.st_dev else {
            close(descriptor)
            return nil
        }
        if opened.st_mode & 0o777 != 0o644 { fchmod(descriptor, 0o644) }
        return Taken(descriptor: descriptor, path: path, size: Int(opened.st_size))
    }

    /// Whether another open file (in any process, mappings included) refers to the file:
    /// Linux grants a write lease only when none does. Nil where leases are not to be had.
    private static func openElsewhere(_ descriptor: Int32) -> Bool? {
        #if os(Linux)
        let setLease: Int32 = 1024  // F_SETLEASE (F_LINUX_SPECIFIC_BASE), hidden behind _GNU_SOURCE.
        _ = leaseBreaksIgnored
        guard fcntl(descriptor, setLease, Int32(F_WRLCK)) == 0 else { return errno == EAGAIN || errno == EBUSY ? true : nil }
        _ = fcntl(descriptor, setLease, Int32(F_UNLCK))
        return false
        #else
        return nil
        #endif
    }

    /// An open of the file by anyone while the lease is held (between the two calls above)
    /// breaks it, and the kernel tells the holder with SIGIO, whose default action ends the
    /// process. We release the lease at once anyway, so the signal is ignored, once per process.
    private static let leaseBreaksIgnored: Void = { _ = signal(SIGIO, SIG_IGN) }()

    /// Whether leases are missing here (then spares are neither kept nor reused).
    private var unsupported: Bool { state.withLock { $0.unsupported } }
}
