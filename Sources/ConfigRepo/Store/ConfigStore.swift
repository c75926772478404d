import Foundation
import Synchronization

/// The git-backed configuration store: reads any commit of a non-bare repository and writes
/// change sets as single commits on the tracked branch, with per-file version checks and a
/// compare-and-swap on the branch, so concurrent writers to different files all land.
///
/// Thread-safe. Reads go straight to the object database (``ObjectDatabase``, no lock of
/// the store); writes take the writer lock for one commit each. Each commit is stored as one
/// small pack, and a background packer merges small packs into bigger ones.
public final class ConfigStore: Sendable {
    /// The working directory of the repository.
    public let path: String
    /// The tracked branch, e.g. `main`.
    public let branch: String
    /// `refs/heads/<branch>`.
    public var referenceName: String { "refs/heads/\(branch)" }

    /// How many CAS attempts a write makes before giving up with `tooManyRetries`.
    public let maxAttempts = 100
    /// Every this many commits the store looks for packs to merge, and merges them in the
    /// background. 0 disables automatic packing.
    public let packCheckInterval: Int
    /// When the working tree follows our commits.
    public let workingTreeUpdate: WorkingTreeUpdate
    /// Where the store keeps what it can rebuild from the repository (the path-history index);
    /// nil keeps it in memory only.
    public let cacheDirectory: String?

    /// Whether git's environment names the object directories (inside a git hook).
    let honouringGitEnvironment: Bool
    /// Every object of the repository.
    let objects: ObjectDatabase
    /// The branch's references, as files.
    let references: ReferenceFiles
    /// The commit path: one commit at a time, with its hasher and compressor.
    let writer = Mutex(Writer())
    /// Notified after each commit this store makes, to wake its watchers.
    let headMoved = HeadSignal()
    /// Set when `workingTreeUpdate` is `.background`.
    let follower: WorkingTreeFollower?
    /// Which commits changed which paths, for ``history(of:limit:)``.
    let pathHistory: PathHistoryIndex
    /// The last failure to update the working tree after a commit (the commit stands).
    let workingTreeError: WorkingTreeErrorSlot
    let packing = Mutex(PackingState())

    struct PackingState {
        var commitsSinceCheck = 0
        var running = false
        /// When the background packer last listed loose objects (uptime nanoseconds; 0: never).
        var lastLooseScan: UInt64 = 0
    }

    /// What a commit needs besides the repository: kept across commits so they allocate nothing.
    final class Writer {
        let hasher = SHA1()
        let deflater = Deflater()
    }

    /// Opens the repository at `path` (its working directory), tracking `branch`.
    /// Every `packCheckInterval` commits (0: never) it merges small packs in the background.
    /// `cacheDirectory` (created when missing) keeps indexes across restarts.
    public init(path: String, branch: String = "main", cacheDirectory: String? = nil, packCheckInterval: Int = 8,
                workingTreeUpdate: WorkingTreeUpdate = .immediate, honouringGitEnvironment: Bool = false) throws(StoreError) {
        let gitDirectory: String
        do {
            gitDirectory = try GitRepository(openAt: path, honouringGitEnvironment: honouringGitEnvironment).gitDirectory
        } catch {
            throw StoreError.git(error)
        }
        if let cacheDirectory {
            do { try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true) } catch {
                throw StoreError.io(path: cacheDirectory, message: "\(error)")
            }
        }
        self.path = path
        self.branch = branch
        self.cacheDirectory = cacheDirectory
        self.packCheckInterval = packCheckInterval
        self.workingTreeUpdate = workingTreeUpdate
        self.honouringGitEnvironment = honouringGitEnvironment
        // Inside a hook the store only reads; elsewhere it writes into spare files.
        let spares = honouringGitEnvironment ? nil : SpareFiles(gitDirectory: gitDirectory)
        let objects = ObjectDatabase.of(gitDirectory: gitDirectory, honouringGitEnvironment: honouringGitEnvironment, spares: spares)
        let references = ReferenceFiles(gitDirectory: gitDirectory, spares: spares)
        self.objects = objects
        self.references = references
        pathHistory = PathHistoryIndex(file: cacheDirectory.map { $0 + "/" + PathHistoryIndex.fileName })
        let workingTreeError = WorkingTreeErrorSlot()
        self.workingTreeError = workingTreeError
        if workingTreeUpdate == .background {
            let head = try? references.target(of: "refs/heads/\(branch)")
            let headTree = head.flatMap { try? objects.treeID(ofCommit: $0) }
            follower = WorkingTreeFollower(path: path, referenceName: "refs/heads/\(branch)", objects: objects,
                                           references: references, matchedTree: headTree, errors: workingTreeError)
        } else {
            follower = nil
        }
    }

    /// Returns once the working tree has caught up with every commit this store made before
    /// the call (immediately with `.immediate`).
    public func waitForWorkingTree() {
        follower?.wait()
    }

    /// Runs `body` with the writer lock held; errors come out as `StoreError`.
    func withWriter<T: Sendable>(_ body: (Writer) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.withLock { writer throws in try body(writer) }
        } catch {
            throw StoreError(error)
        }
    }

    /// A libgit2 handle for one operation. Never kept: libgit2 keeps every pack it has read
    /// open for as long as a handle lives, and the packer replaces packs all the time.
    func libgit2Handle() throws(GitError) -> GitRepository {
        try GitRepository(openAt: path, honouringGitEnvironment: honouringGitEnvironment)
    }

    /// Runs a read; errors come out as `StoreError`.
    func reading<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do { return try body() } catch { throw StoreError(error) }
    }

    /// Turns fsync of objects and refs on or off for the whole process (off by default).
    /// With it on, a commit that returned survives a power cut, at about 2–3× the latency.
    public static func setFsync(_ enabled: Bool) throws(StoreError) {
        do { try GitLibrary.setFsync(enabled) } catch { throw StoreError.git(error) }
    }

    /// The last error met while updating the working tree after a commit, if any.
    public var lastWorkingTreeError: GitError? {
        workingTreeError.error
    }

    // MARK: Reading

    /// The commit at the tip of the tracked branch; nil when the branch does not exist.
    public func head() -> ObjectID? {
        try? references.target(of: referenceName)
    }

    /// Resolves any revspec (full or short sha, `HEAD~1`, a branch name) to a commit id.
    public func resolve(_ revision: String) throws(StoreError) -> ObjectID {
        do {
            return try libgit2Handle().resolveCommit(revision)
        } catch {
            if error.isNotFound || error.isAmbiguous || error.isInvalidSpec {
                throw StoreError.notFound("revision \(revision): \(error.message)")
            }
            throw StoreError.git(error)
        }
    }

    /// The root tree of a commit.
    public func tree(of commit: ObjectID) throws(StoreError) -> ObjectID {
        try reading { try objects.treeID(ofCommit: commit) }
    }

    /// Every file of a commit's tree, with its blob id and bytes: a folder's files, then its
    /// folders, each the same way.
    public func files(at commit: ObjectID) throws(StoreError) -> [RepoFile] {
        try reading { try objects.readAllFiles(inTree: try objects.treeID(ofCommit: commit)) }
    }

    /// One file of a commit; nil when `path` is absent or names a directory.
    public func file(at commit: ObjectID, path: String) throws(StoreError) -> RepoFile? {
        try reading {
            guard let blob = try objects.blobID(inTree: try objects.treeID(ofCommit: commit), path: path) else { return nil }
            return RepoFile(path: path, blob: blob, bytes: try objects.read(blob).bytes)
        }
    }

    /// The bytes of a blob.
    public func blob(_ id: ObjectID) throws(StoreError) -> [UInt8] {
        try reading { try objects.read(id).bytes }
    }

    /// Paths of files added, modified or deleted between two commits (`old` nil: everything
    /// in `new`), sorted.
    public func changes(from old: ObjectID?, to new: ObjectID) throws(StoreError) -> [String] {
        try reading {
            let oldTree = try old.map { try objects.treeID(ofCommit: $0) }
            return try objects.changedPaths(from: oldTree, to: try objects.treeID(ofCommit: new))
        }
    }

    /// Paths of files that differ between two trees (`old` nil: the empty tree), sorted.
    public func changes(fromTree old: ObjectID?, toTree new: ObjectID) throws(StoreError) -> [String] {
        try reading { try objects.changedPaths(from: old, to: new) }
    }

    /// The description of one commit.
    public func commitInfo(_ id: ObjectID) throws(StoreError) -> CommitInfo {
        try reading { try objects.commitInfo(id) }
    }
}
