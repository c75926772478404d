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

    /// Sets a string value in the repository's own config (`.git/config`).
    public func setConfig(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try GitError.check(git_repository_config(&config, pointer), "git_repository_config")
        defer { git_config_free(config) }
        try GitError.check(git_config_set_string(config, key, value), "set config \(key)")
    }

    /// Resolves any revspec (`HEAD~1`, a short sha, a branch) and peels it to a commit.
    func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try GitError.check(git_revparse_single(&object, pointer, revision), "resolve \(revision)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try GitError.check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel \(revision) to a commit")
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// Looks up a commit, passes it to `body` and frees it.
    func withCommit<T>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var oid = id.oid
        var commit: OpaquePointer?
        try GitError.check(git_commit_lookup(&commit, pointer, &oid), "look up commit \(id)")
        defer { git_commit_free(commit) }
        return try body(commit!)
    }

    /// An object read through libgit2's own object database (objects only libgit2 holds,
    /// such as the in-memory results of a merge).
    func readObject(_ id: ObjectID) throws(GitError) -> GitObject {
        var oid = id.oid
        var object: OpaquePointer?
        try GitError.check(git_odb_read(&object, try odb(), &oid), "read object \(id)")
        defer { git_odb_object_free(object) }
        guard let type = ObjectType(rawValue: UInt8(truncatingIfNeeded: git_odb_object_type(object).rawValue)) else {
            throw GitError.corrupt("object \(id) has an unknown type")
        }
        let size = git_odb_object_size(object)
        guard size > 0, let data = git_odb_object_data(object) else { return GitObject(type: type, bytes: []) }
        return GitObject(type: type, bytes: [UInt8](UnsafeRawBufferPointer(start: data, count: size)))
    }

    /// Sends every object libgit2 writes through this handle to memory instead of the disk
    /// (a merge's results), where ``readObject(_:)`` finds them.
    func keepWritesInMemory() throws(GitError) {
        var backend: OpaquePointer?
        try GitError.check(git_mempack_new(&backend), "git_mempack_new")
        try GitError.check(git_odb_add_backend(try odb(), backend, 1000), "git_odb_add_backend")
    }

    /// Whether `commit` is `ancestor` or comes after it.
    func contains(_ ancestor: ObjectID, in commit: ObjectID) throws(GitError) -> Bool {
        if ancestor == commit { return true }
        var commitOID = commit.oid, ancestorOID = ancestor.oid
        let code = git_graph_descendant_of(pointer, &commitOID, &ancestorOID)
        try GitError.check(code, "compare \(commit.short) with \(ancestor.short)")
        return code == 1
    }
}
