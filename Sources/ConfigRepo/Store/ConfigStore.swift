import CGit2
import Foundation

/// The git-backed configuration store: reads any commit of a non-bare repository and writes
/// change sets as single commits on the tracked branch, with per-file version checks and a
/// compare-and-swap on the branch, so concurrent writers to different files all land.
///
/// Thread-safe. One `GitRepository` serves every call, one call at a time under `lock`;
/// watchers and the packer use their own.
public final class ConfigStore: @unchecked Sendable {
    // @unchecked: the only mutable state (`repository`, `state`) is read and written with
    // `lock` held, and libgit2 objects never leave a locked section.

    /// The working directory of the repository.
    public let path: String
    /// The tracked branch, e.g. `main`.
    public let branch: String
    /// `refs/heads/<branch>`.
    public var referenceName: String { "refs/heads/\(branch)" }

    /// How many CAS attempts a write makes before giving up with `tooManyRetries`.
    public let maxAttempts = 100
    /// After this many commits the store checks the loose-object count and, above
    /// ``packThreshold``, packs in the background. 0 disables automatic packing.
    public let packCheckInterval: Int
    /// The loose-object count above which automatic packing runs.
    public let packThreshold: Int
    /// Automatic packing waits until no commit has landed for this many seconds, so a burst of
    /// writes never shares the disk with the packer's deletes (see ``packHardLimit``).
    public let packQuietPeriod: Double
    /// Above this many loose objects the packer stops waiting for a quiet moment:
    /// 100 × ``packThreshold`` (200,000 objects, about 18,000 commits, by default).
    public var packHardLimit: Int { packThreshold * 100 }

    /// When the working tree follows our commits.
    public let workingTreeUpdate: WorkingTreeUpdate

    let lock = NSLock()
    /// Notified after each commit this store makes, to wake its watchers.
    let headMoved = HeadSignal()
    /// Held for a whole packing run.
    let packLock = NSLock()
    /// Guards `reader`, the handle reads go through, so reads and writes do not wait on
    /// each other.
    private let readLock = NSLock()
    private var reader: GitRepository
    /// Set when `workingTreeUpdate` is `.background`.
    var follower: WorkingTreeFollower?
    private var repository: GitRepository
    /// Guarded by `lock`.
    var state = State()

    struct State {
        var commitsSincePackCheck = 0
        var packing = false
        /// When the last commit landed (`DispatchTime` uptime nanoseconds).
        var lastCommitAt: UInt64 = 0
        /// The last failure to update the working tree after a commit (the commit stands).
        var lastWorkingTreeError: GitError?
    }

    /// Opens the repository at `path` (its working directory), tracking `branch`.
    /// Every `packCheckInterval` commits (0: never) it packs in the background when more
    /// than `packThreshold` objects are loose, at the first quiet moment of `packQuietPeriod`
    /// seconds.
    public init(path: String, branch: String = "main", packCheckInterval: Int = 100, packThreshold: Int = 2000,
                packQuietPeriod: Double = 1, workingTreeUpdate: WorkingTreeUpdate = .immediate,
                honouringGitEnvironment: Bool = false) throws(StoreError) {
        do {
            repository = try GitRepository(openAt: path, honouringGitEnvironment: honouringGitEnvironment)
            // Under a git hook, objects belong in git's quarantine directory, which the fast
            // backend (fixed to .git/objects) would bypass; the hook only reads anyway.
            if !honouringGitEnvironment { try repository.useFastLooseObjects() }
            reader = try GitRepository(openAt: path, honouringGitEnvironment: honouringGitEnvironment)
        } catch {
            throw StoreError.git(error)
        }
        self.path = path
        self.branch = branch
        self.packCheckInterval = packCheckInterval
        self.packThreshold = packThreshold
        self.packQuietPeriod = packQuietPeriod
        self.workingTreeUpdate = workingTreeUpdate
        if workingTreeUpdate == .background {
            let headTree = try? repository.referenceTarget("refs/heads/\(branch)").map { try repository.treeID(ofCommit: $0) }
            follower = WorkingTreeFollower(path: path, referenceName: "refs/heads/\(branch)", matchedTree: headTree ?? nil) {
                [lock, weak self] error in
                lock.lock()
                self?.state.lastWorkingTreeError = error
                lock.unlock()
            }
        }
    }

    /// Returns once the working tree has caught up with every commit this store made before
    /// the call (immediately with `.immediate`).
    public func waitForWorkingTree() {
        follower?.wait()
    }

    /// Runs `body` with the repository, holding the lock; errors come out as `StoreError`.
    func withRepository<T>(_ body: (GitRepository) throws -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body(repository)
        } catch {
            throw StoreError(error)
        }
    }

    /// Runs a read with the reader handle, holding the read lock; errors come out as
    /// `StoreError`.
    func withReader<T>(_ body: (GitRepository) throws -> T) throws(StoreError) -> T {
        readLock.lock()
        defer { readLock.unlock() }
        do {
            return try body(reader)
        } catch {
            throw StoreError(error)
        }
    }

    /// Runs `body` (which deletes packs) while no call of ours can be reading, then reopens
    /// both handles so neither looks for the deleted packs again.
    func withAllHandlesClosed<T>(_ body: () -> T) -> T {
        lock.lock()
        readLock.lock()
        defer {
            readLock.unlock()
            lock.unlock()
        }
        let result = body()
        if let fresh = try? GitRepository(openAt: path) { repository = fresh }
        if let fresh = try? GitRepository(openAt: path) { reader = fresh }
        return result
    }

    /// Turns fsync of objects and refs on or off for the whole process (off by default).
    /// With it on, a commit that returned survives a power cut, at about 2–3× the latency.
    public static func setFsync(_ enabled: Bool) throws(StoreError) {
        do { try GitLibrary.setFsync(enabled) } catch { throw StoreError.git(error) }
    }

    /// The last error met while updating the working tree after a commit, if any.
    public var lastWorkingTreeError: GitError? {
        lock.lock()
        defer { lock.unlock() }
        return state.lastWorkingTreeError
    }

    // MARK: Reading

    /// The commit at the tip of the tracked branch; nil when the branch does not exist.
    public func head() -> ObjectID? {
        try? withReader { repo in try repo.referenceTarget(referenceName).map(ObjectID.init) }
    }

    /// Resolves any revspec (full or short sha, `HEAD~1`, a branch name) to a commit id.
    public func resolve(_ revision: String) throws(StoreError) -> ObjectID {
        try withReader { repo in
            do {
                return ObjectID(try repo.resolveCommit(revision))
            } catch {
                if let error = error as? GitError, error.isNotFound || error.code == GIT_EAMBIGUOUS.rawValue || error.code == GIT_EINVALIDSPEC.rawValue {
                    throw StoreError.notFound("revision \(revision): \(error.message)")
                }
                throw error
            }
        }
    }

    /// Every file of a commit's tree, with its blob id and bytes, depth first in tree order.
    ///
    /// Reads go through their own repository handle, so a large snapshot load never holds
    /// up writers.
    public func files(at commit: ObjectID) throws(StoreError) -> [RepoFile] {
        try withReader { repo in try repo.readAllFiles(inTree: try repo.treeID(ofCommit: commit.oid)) }
    }

    /// One file of a commit; nil when `path` is absent or names a directory.
    public func file(at commit: ObjectID, path: String) throws(StoreError) -> RepoFile? {
        try withReader { repo in
            guard let blob = try repo.blobID(inTree: try repo.treeID(ofCommit: commit.oid), path: path) else { return nil }
            return RepoFile(path: path, blob: ObjectID(blob), bytes: try repo.readObjectBytes(blob))
        }
    }

    /// The bytes of a blob.
    public func blob(_ id: ObjectID) throws(StoreError) -> [UInt8] {
        try withReader { repo in try repo.readObjectBytes(id.oid) }
    }

    /// Paths of files added, modified or deleted between two commits (`old` nil: everything
    /// in `new`), sorted.
    public func changes(from old: ObjectID?, to new: ObjectID) throws(StoreError) -> [String] {
        try withReader { repo in
            let oldTree = try old.map { try repo.treeID(ofCommit: $0.oid) }
            return try repo.changedPaths(from: oldTree, to: try repo.treeID(ofCommit: new.oid))
        }
    }

    /// The description of one commit.
    public func commitInfo(_ id: ObjectID) throws(StoreError) -> CommitInfo {
        try withReader { repo in try repo.commitInfo(id.oid) }
    }
}

extension GitRepository {
    /// Copies a commit's id, author, message and parents out of libgit2.
    func commitInfo(_ id: git_oid) throws(GitError) -> CommitInfo {
        try withCommit(id) { commit throws(GitError) in
            var parents: [ObjectID] = []
            for index in 0..<git_commit_parentcount(commit) {
                if let parent = git_commit_parent_id(commit, index) { parents.append(ObjectID(parent.pointee)) }
            }
            return CommitInfo(id: ObjectID(id), author: Signature(git_commit_author(commit)),
                              message: git_commit_message(commit).map { String(cString: $0) } ?? "",
                              parents: parents)
        }
    }
}
