import CGit2
import Foundation

/// An open libgit2 repository: owns the `git_repository` pointer and frees it in `deinit`.
///
/// Not `Sendable`: libgit2 objects must not be used from two threads at once, so an owner
/// (``ConfigStore``) uses it only under its lock, or a single thread owns its own instance.
public final class GitRepository {
    /// The `git_repository *`; never escapes this module's git layer.
    let pointer: OpaquePointer
    private var cachedODB: OpaquePointer?

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        if let cachedODB { git_odb_free(cachedODB) }
        git_repository_free(pointer)
    }

    /// Opens the repository at `path` (a working directory or a git directory), without
    /// searching parent directories.
    ///
    /// With `honouringGitEnvironment`, git's `GIT_DIR`, `GIT_OBJECT_DIRECTORY` and
    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES` win over `path`: that is how a pre-receive hook sees
    /// the pushed objects, which git keeps in a quarantine directory until the hook accepts them.
    public convenience init(openAt path: String, honouringGitEnvironment: Bool = false) throws(GitError) {
        GitLibrary.ensureInitialised()
        var repo: OpaquePointer?
        var flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        if honouringGitEnvironment { flags |= GIT_REPOSITORY_OPEN_FROM_ENV.rawValue }
        let code = git_repository_open_ext(&repo, path, flags, nil)
        try GitError.check(code, "open repository \(path)")
        guard let repo else { throw GitError(code: -1, message: "no repository", operation: "open \(path)") }
        self.init(pointer: repo)
    }

    /// Creates a new non-bare repository at `path` whose HEAD points at `refs/heads/<branch>`
    /// (unborn until the first commit).
    public static func create(at path: String, branch: String) throws(GitError) -> GitRepository {
        GitLibrary.ensureInitialised()
        var options = git_repository_init_options()
        try GitError.check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                           "init options")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        var repo: OpaquePointer?
        let code = branch.withCString { head -> Int32 in
            options.initial_head = head
            return git_repository_init_ext(&repo, path, &options)
        }
        try GitError.check(code, "init repository \(path)")
        guard let repo else { throw GitError(code: -1, message: "no repository", operation: "init \(path)") }
        return GitRepository(pointer: repo)
    }

    /// The `.git` directory, with a trailing `/`.
    public var gitDirectory: String { String(cString: git_repository_path(pointer)) }

    /// The working directory with a trailing `/`, or nil for a bare repository.
    public var workingDirectory: String? { git_repository_workdir(pointer).map { String(cString: $0) } }

    /// The object database handle, looked up once.
    func odb() throws(GitError) -> OpaquePointer {
        if let cachedODB { return cachedODB }
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, pointer), "git_repository_odb")
        cachedODB = odb
        return odb!
    }

    /// Writes new loose objects with zlib `level` (1 = fastest) instead of libgit2's default 6.
    ///
    /// A form commit in a 50,000-module repository rewrites a tree of tens of thousands of
    /// entries; compressing it dominated the write. Packing recompresses everything later, so
    /// the loose copy need not be small. Durability is unchanged: libgit2's process-wide fsync
    /// setting (``ConfigStore/setFsync(_:)``) still decides whether objects are synced. Adds a loose backend
    /// with a higher priority than the default ones, so writes go to it; reads of packed
    /// objects cost one extra `stat`.
    public func useFastLooseObjects(level: Int32 = 1) throws(GitError) {
        let objects = gitDirectory + "objects"
        var backend: OpaquePointer?
        try GitError.check(git_odb_backend_loose(&backend, objects, level, 0, 0, 0), "git_odb_backend_loose")
        try GitError.check(git_odb_add_backend(try odb(), backend, 3), "git_odb_add_backend")
    }

    /// Sets a string value in the repository's own config (`.git/config`).
    public func setConfig(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try GitError.check(git_repository_config(&config, pointer), "git_repository_config")
        defer { git_config_free(config) }
        try GitError.check(git_config_set_string(config, key, value), "set config \(key)")
    }

    /// The id a reference points at (following symbolic refs), or nil when it does not exist.
    func referenceTarget(_ name: String) throws(GitError) -> git_oid? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(code, "read reference \(name)")
        return oid
    }

    /// Resolves any revspec (`HEAD~1`, a short sha, a branch) and peels it to a commit.
    func resolveCommit(_ revision: String) throws(GitError) -> git_oid {
        var object: OpaquePointer?
        try GitError.check(git_revparse_single(&object, pointer, revision), "resolve \(revision)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try GitError.check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel \(revision) to a commit")
        defer { git_object_free(commit) }
        return git_object_id(commit).pointee
    }

    /// Looks up a commit, passes it to `body` and frees it.
    func withCommit<T>(_ id: git_oid, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var id = id
        var commit: OpaquePointer?
        try GitError.check(git_commit_lookup(&commit, pointer, &id), "look up commit \(ObjectID(id))")
        defer { git_commit_free(commit) }
        return try body(commit!)
    }

    /// The root tree id of a commit.
    func treeID(ofCommit id: git_oid) throws(GitError) -> git_oid {
        try withCommit(id) { commit throws(GitError) in git_commit_tree_id(commit).pointee }
    }

    /// Looks up a tree, passes it to `body` and frees it.
    func withTree<T>(_ id: git_oid, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var id = id
        var tree: OpaquePointer?
        try GitError.check(git_tree_lookup(&tree, pointer, &id), "look up tree \(ObjectID(id))")
        defer { git_tree_free(tree) }
        return try body(tree!)
    }

    /// Writes `bytes` as a blob and returns its id.
    func writeBlob(_ bytes: [UInt8]) throws(GitError) -> git_oid {
        var oid = git_oid()
        let code = bytes.withUnsafeBytes { raw in
            git_blob_create_from_buffer(&oid, pointer, raw.baseAddress, raw.count)
        }
        try GitError.check(code, "write blob")
        return oid
    }

    /// The raw bytes of an object (normally a blob), read from the object database.
    func readObjectBytes(_ id: git_oid) throws(GitError) -> [UInt8] {
        var id = id
        var object: OpaquePointer?
        try GitError.check(git_odb_read(&object, try odb(), &id), "read object \(ObjectID(id))")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        guard size > 0, let data = git_odb_object_data(object) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    }

    /// Creates a commit object (moves no reference). Author and committer are `author`.
    func createCommit(tree: git_oid, parents: [git_oid], author: Signature, message: String) throws(GitError) -> git_oid {
        var treeID = tree
        var treeObject: OpaquePointer?
        try GitError.check(git_tree_lookup(&treeObject, pointer, &treeID), "look up tree for commit")
        defer { git_tree_free(treeObject) }

        var parentObjects: [OpaquePointer?] = []
        defer { for parent in parentObjects { git_commit_free(parent) } }
        for parent in parents {
            var parentID = parent
            var commit: OpaquePointer?
            try GitError.check(git_commit_lookup(&commit, pointer, &parentID), "look up parent commit")
            parentObjects.append(commit)
        }

        let signature = try author.makeGitSignature()
        defer { git_signature_free(signature) }

        var oid = git_oid()
        let code = parentObjects.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&oid, pointer, nil, signature, signature, "UTF-8", message,
                              treeObject, buffer.count, buffer.baseAddress)
        }
        try GitError.check(code, "git_commit_create")
        return oid
    }

    /// The outcome of a compare-and-swap on a reference.
    enum ReferenceUpdate {
        /// The reference now points at the new commit.
        case updated
        /// Someone moved the reference first (`GIT_EMODIFIED`, or `GIT_EEXISTS` for an
        /// unborn branch that was born meanwhile).
        case moved
        /// Another writer holds `<ref>.lock` (`GIT_ELOCKED`).
        case locked
    }

    /// Points `name` at `new` only if it still points at `old` (nil: only if it does not exist).
    func compareAndSwap(reference name: String, to new: git_oid, from old: git_oid?,
                        logMessage: String) throws(GitError) -> ReferenceUpdate {
        var new = new
        var reference: OpaquePointer?
        let code: Int32
        if var old {
            code = git_reference_create_matching(&reference, pointer, name, &new, 1, &old, logMessage)
        } else {
            code = git_reference_create(&reference, pointer, name, &new, 0, logMessage)
        }
        if code == 0 {
            git_reference_free(reference)
            return .updated
        }
        switch code {
        case GIT_EMODIFIED.rawValue, GIT_EEXISTS.rawValue: return .moved
        case GIT_ELOCKED.rawValue: return .locked
        default: throw GitError.last(code, "update \(name)")
        }
    }

    /// Re-scans the object database (new packs written by another process or by the packer).
    func refreshObjectDatabase() {
        if let odb = try? odb() { _ = git_odb_refresh(odb) }
    }
}
