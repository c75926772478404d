import CGit2
import Foundation

/// A bare copy of a remote repository (a driver or interface repository) kept in the state
/// directory: fetched on demand, then read at any commit without a working tree.
///
/// Branches are the remote's, as `refs/remotes/origin/*`; `refs/remotes/origin/HEAD` names
/// the remote's default branch. Not `Sendable`: one owner uses an instance from one thread at
/// a time (libgit2 objects are not thread-safe); other threads open their own.
public final class GitMirror {
    /// Where the mirror keeps the remote's branches.
    static let remoteName = "origin"
    static let branchPrefix = "refs/remotes/origin/"

    let repository: GitRepository

    /// The mirror's directory (a bare git directory).
    public let path: String

    private init(repository: GitRepository, path: String) {
        self.repository = repository
        self.path = path
    }

    /// Opens the mirror at `path`, or creates an empty one for `url` when there is none yet.
    /// Nothing is fetched.
    public static func openOrCreate(at path: String, url: String) throws(GitError) -> GitMirror {
        GitLibrary.ensureInitialised()
        if FileManager.default.fileExists(atPath: path + "/HEAD") { return try open(at: path) }
        var created: OpaquePointer?
        try GitError.check(git_repository_init(&created, path, 1), "create mirror \(path)")
        defer { git_repository_free(created) }
        var remote: OpaquePointer?
        try GitError.check(git_remote_create_with_fetchspec(&remote, created, remoteName, url,
                                                            "+refs/heads/*:\(branchPrefix)*"),
                           "add remote \(url)")
        git_remote_free(remote)
        return try open(at: path)
    }

    /// Opens an existing mirror.
    public static func open(at path: String) throws(GitError) -> GitMirror {
        GitMirror(repository: try GitRepository(openAt: path), path: path)
    }

    // MARK: - Fetching

    /// Fetches every branch of `url` (the remote's address may have changed since the last
    /// fetch), drops branches the remote deleted and records its default branch. `progress` is
    /// called while objects arrive; returning false cancels. Blocks until done: call it on a
    /// thread of its own.
    public func fetch(url: String, credentials: GitCredentials = .none,
                      progress: @escaping (GitFetchProgress) -> Bool = { _ in true }) throws(GitError) {
        try GitError.check(git_remote_set_url(repository.pointer, Self.remoteName, url), "set the remote's url")
        var remote: OpaquePointer?
        try GitError.check(git_remote_lookup(&remote, repository.pointer, Self.remoteName), "look up the remote")
        defer { git_remote_free(remote) }

        let session = GitFetchSession(credentials: credentials, progress: progress)
        var options = git_fetch_options()
        try GitError.check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        session.install(into: &options.callbacks)
        let code = withExtendedLifetime(session) { git_remote_fetch(remote, nil, &options, "fetch") }
        if code < 0 { throw session.error(code, "fetch \(url)") }

        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        if git_remote_default_branch(&buffer, remote) == 0, let name = buffer.ptr.map({ String(cString: $0) }),
           name.hasPrefix("refs/heads/") {
            let branch = String(name.dropFirst("refs/heads/".count))
            var reference: OpaquePointer?
            if git_reference_symbolic_create(&reference, repository.pointer, Self.branchPrefix + "HEAD",
                                             Self.branchPrefix + branch, 1, "default branch") == 0 {
                git_reference_free(reference)
            }
        }
    }

    // MARK: - Branches and commits

    /// The remote's branches, sorted.
    public func branches() throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try GitError.check(git_branch_iterator_new(&iterator, repository.pointer, GIT_BRANCH_REMOTE), "list branches")
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        var reference: OpaquePointer?
        var type = GIT_BRANCH_REMOTE
        while git_branch_next(&reference, &type, iterator) == 0 {
            defer { git_reference_free(reference) }
            let full = String(cString: git_reference_name(reference))
            guard full.hasPrefix(Self.branchPrefix), git_reference_type(reference) == GIT_REFERENCE_DIRECT else { continue }
            names.append(String(full.dropFirst(Self.branchPrefix.count)))
        }
        return names.sorted()
    }

    /// The remote's default branch as of the last fetch (nil before one, or for an empty remote).
    public func defaultBranch() -> String? {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, repository.pointer, Self.branchPrefix + "HEAD") == 0 else { return nil }
        defer { git_reference_free(reference) }
        guard let target = git_reference_symbolic_target(reference).map({ String(cString: $0) }),
              target.hasPrefix(Self.branchPrefix) else { return nil }
        return String(target.dropFirst(Self.branchPrefix.count))
    }

    /// The commit a branch of the remote points at, or nil when there is no such branch.
    public func head(ofBranch branch: String) throws(GitError) -> ObjectID? {
        try referenceTarget(Self.branchPrefix + branch)
    }

    /// A commit named by a full or abbreviated id, or by a branch of the remote.
    public func resolve(_ revision: String) throws(GitError) -> ObjectID {
        if let branch = try head(ofBranch: revision) { return branch }
        guard revision.count >= 4, revision.allSatisfy(\.isHexDigit) else {
            throw GitError(code: GIT_ENOTFOUND.rawValue, message: "no branch or commit \"\(revision)\"", operation: "resolve \(revision)")
        }
        do {
            return try repository.resolveCommit(revision)
        } catch {
            throw GitError(code: GIT_ENOTFOUND.rawValue, message: "no commit \"\(revision)\" (fetched so far)",
                           operation: "resolve \(revision)")
        }
    }

    /// Whether `commit` is `ancestor` or comes after it.
    public func contains(_ ancestor: ObjectID, in commit: ObjectID) throws(GitError) -> Bool {
        try repository.contains(ancestor, in: commit)
    }

    /// Commits reachable from `tip` and not from `base`, newest first, that change `path` (a
    /// file or folder; nil or empty: every commit) compared with their first parent; at most
    /// `limit`.
    public func commits(from tip: ObjectID, notIn base: ObjectID? = nil, touching path: String? = nil,
                        limit: Int = 50) throws(GitError) -> [GitCommitSummary] {
        var walk: OpaquePointer?
        try GitError.check(git_revwalk_new(&walk, repository.pointer), "start a history walk")
        defer { git_revwalk_free(walk) }
        try GitError.check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort history")
        var tipOID = tip.oid
        try GitError.check(git_revwalk_push(walk, &tipOID), "walk from \(tip.short)")
        if var baseOID = base?.oid { try GitError.check(git_revwalk_hide(walk, &baseOID), "stop at \(base!.short)") }
        let path = path.flatMap { $0.isEmpty ? nil : $0 }
        var result: [GitCommitSummary] = []
        var oid = git_oid()
        while result.count < limit, git_revwalk_next(&oid, walk) == 0 {
            let summary = try repository.withCommit(ObjectID(oid)) { commit throws(GitError) -> GitCommitSummary? in
                if let path {
                    let mine = try entry(inTree: git_commit_tree_id(commit).pointee, path: path)?.id
                    var parentTree: git_oid?
                    if git_commit_parentcount(commit) > 0, let parent = git_commit_parent_id(commit, 0) {
                        parentTree = try treeID(ofCommit: parent.pointee)
                    }
                    let theirs = try parentTree.flatMap { tree throws(GitError) in try entry(inTree: tree, path: path)?.id }
                    switch (mine, theirs) {
                    case (nil, nil): return nil
                    case let (mine?, theirs?) where git_oid.same(mine, theirs): return nil
                    default: break
                    }
                }
                return Self.summary(of: commit, id: oid)
            }
            if let summary { result.append(summary) }
        }
        return result
    }

    /// One commit's summary.
    public func commit(_ id: ObjectID) throws(GitError) -> GitCommitSummary {
        try repository.withCommit(id) { commit throws(GitError) in Self.summary(of: commit, id: id.oid) }
    }

    private static func summary(of commit: OpaquePointer, id: git_oid) -> GitCommitSummary {
        let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        let subject = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        return GitCommitSummary(id: ObjectID(id), subject: subject, message: message,
                                author: author(of: commit))
    }

    // MARK: - Files

    /// The bytes of the file at `path` in `commit`, or nil when there is no such file.
    public func file(_ path: String, at commit: ObjectID) throws(GitError) -> [UInt8]? {
        let tree = try treeID(ofCommit: commit.oid)
        guard let blob = try entry(inTree: tree, path: path), blob.isBlob else { return nil }
        return try readBytes(blob.id)
    }

    /// Every file of `commit` (submodules skipped), sorted by path.
    public func files(at commit: ObjectID) throws(GitError) -> [GitTreeFile] {
        let root = try treeID(ofCommit: commit.oid)
        var result: [GitTreeFile] = []
        var pending: [(prefix: String, id: git_oid)] = [("", root)]
        while let (prefix, id) = pending.popLast() {
            try withTree(id) { tree throws(GitError) in
                for index in 0..<git_tree_entrycount(tree) {
                    guard let entry = git_tree_entry_byindex(tree, index) else { continue }
                    let name = String(cString: git_tree_entry_name(entry))
                    guard Self.isSafeName(name) else { continue }
                    let path = prefix.isEmpty ? name : prefix + "/" + name
                    let entryID = git_tree_entry_id(entry).pointee
                    switch git_tree_entry_filemode(entry) {
                    case GIT_FILEMODE_TREE: pending.append((path, entryID))
                    case GIT_FILEMODE_BLOB: result.append(GitTreeFile(path: path, blob: ObjectID(entryID), mode: .regular))
                    case GIT_FILEMODE_BLOB_EXECUTABLE:
                        result.append(GitTreeFile(path: path, blob: ObjectID(entryID), mode: .executable))
                    case GIT_FILEMODE_LINK: result.append(GitTreeFile(path: path, blob: ObjectID(entryID), mode: .symbolicLink))
                    default: continue
                    }
                }
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    /// The bytes of a blob.
    public func bytes(of blob: ObjectID) throws(GitError) -> [UInt8] {
        try readBytes(blob.oid)
    }

    /// A name a checkout may create: not empty, `.`, `..` or `.git`, no `/`.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.lowercased() != ".git" && !name.contains("/")
    }
}
