import CGit2
#if canImport(Glibc)
import Glibc
#endif

/// The configuration repository's upstream remote (GitHub, GitLab, Gitea…): fetches its
/// tracked branch into `refs/remotes/upstream/<branch>` of the repository itself, so the
/// fetched commits can be validated and fast-forwarded to without a second clone.
///
/// The remote is anonymous (nothing is written to `.git/config`: the URL may change with each
/// call and credentials never touch a file). Not `Sendable`: one owner, one thread at a time.
public final class GitUpstream {
    /// Where fetched upstream branches are kept.
    public static let referencePrefix = "refs/remotes/upstream/"

    let repository: GitRepository

    /// Opens the repository at `path` (its working tree or git directory).
    public init(repositoryPath path: String) throws(GitError) {
        GitLibrary.ensureInitialised()
        repository = try GitRepository(openAt: path)
    }

    /// Fetches `branch` of `url` (forced: a rewritten upstream is seen as it is, and refused by
    /// the caller) and returns the commit it points at, or nil when the remote has no such branch.
    public func fetch(url: String, branch: String, credentials: GitCredentials) throws(GitError) -> ObjectID? {
        var remote: OpaquePointer?
        try GitError.check(git_remote_create_anonymous(&remote, repository.pointer, url), "open the upstream \(url)")
        defer { git_remote_free(remote) }
        let session = GitFetchSession(credentials: credentials, progress: { _ in true })
        var options = git_fetch_options()
        try GitError.check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        session.install(into: &options.callbacks)
        let local = Self.referencePrefix + branch
        let code = withExtendedLifetime(session) {
            Self.withStrings(["+refs/heads/\(branch):\(local)"]) { refspecs in
                git_remote_fetch(remote, &refspecs, &options, "upstream: fetch")
            }
        }
        if code < 0 { throw session.error(code, "fetch \(branch) from \(url)") }
        return try reference(local)
    }

    /// What a push did.
    public enum PushOutcome: Sendable, Equatable {
        case pushed
        /// The remote refused the update (it moved: not a fast-forward), with its reason.
        case rejected(String)
    }

    /// Pushes `commit` to `branch` of `url` without forcing: the remote takes it only as a
    /// fast-forward of what it has.
    public func push(_ commit: ObjectID, url: String, branch: String, credentials: GitCredentials) throws(GitError) -> PushOutcome {
        // A push names a local reference: a private one pointing at the commit.
        let staging = "refs/backoffice/push"
        var oid = commit.oid
        var staged: OpaquePointer?
        try GitError.check(git_reference_create(&staged, repository.pointer, staging, &oid, 1, "upstream: push"), "stage the push")
        git_reference_free(staged)
        var remote: OpaquePointer?
        try GitError.check(git_remote_create_anonymous(&remote, repository.pointer, url), "open the upstream \(url)")
        defer { git_remote_free(remote) }
        let session = GitFetchSession(credentials: credentials, progress: { _ in true })
        var options = git_push_options()
        try GitError.check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "push options")
        session.install(into: &options.callbacks)
        options.callbacks.push_update_reference = gitPushUpdateReference
        let code = withExtendedLifetime(session) {
            Self.withStrings(["\(staging):refs/heads/\(branch)"]) { refspecs in git_remote_push(remote, &refspecs, &options) }
        }
        if code < 0 {
            let error = session.error(code, "push to \(branch) of \(url)")
            // libgit2 checks fast-forwards itself (GIT_ENONFASTFORWARD, or "commits that are not
            // present locally" when the upstream moved past what we fetched); a remote that checks
            // too says "non-fast-forward" / "fetch first".
            let moved = ["non-fast-forward", "nonfastforward", "non-fastforwardable", "fetch first", "not present locally"]
            if code == GIT_ENONFASTFORWARD.rawValue || moved.contains(where: { error.message.lowercased().contains($0) }) {
                return .rejected(error.message)
            }
            throw error
        }
        if let refused = session.pushRefusal { return .rejected(refused) }
        // As git does: the remote-tracking branch now names what the upstream holds.
        var tracking: OpaquePointer?
        if git_reference_create(&tracking, repository.pointer, Self.referencePrefix + branch, &oid, 1, "upstream: pushed") == 0 {
            git_reference_free(tracking)
        }
        return .pushed
    }

    /// The commit a fetched upstream branch points at.
    public func head(ofBranch branch: String) throws(GitError) -> ObjectID? {
        try reference(Self.referencePrefix + branch)
    }

    /// Whether `commit` is `ancestor` or comes after it.
    public func contains(_ ancestor: ObjectID, in commit: ObjectID) throws(GitError) -> Bool {
        try repository.contains(ancestor, in: commit)
    }

    /// How many commits `local` has that `upstream` has not, and the other way round.
    public func aheadBehind(local: ObjectID, upstream: ObjectID) throws(GitError) -> (ahead: Int, behind: Int) {
        var ahead = 0, behind = 0
        var localOID = local.oid, upstreamOID = upstream.oid
        try GitError.check(git_graph_ahead_behind(&ahead, &behind, repository.pointer, &localOID, &upstreamOID), "count commits")
        return (ahead, behind)
    }

    private func reference(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, repository.pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(code, "read \(name)")
        return ObjectID(oid)
    }

    /// Calls `body` with a `git_strarray` of `strings`, valid for the call.
    private static func withStrings<T>(_ strings: [String], _ body: (inout git_strarray) -> T) -> T {
        var pointers = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return body(&array)
        }
    }
}

/// A reference the remote refused to update names its reason here (`status` non-nil).
private let gitPushUpdateReference: git_push_update_reference_cb = { _, status, payload in
    guard let status, let payload else { return 0 }
    Unmanaged<GitFetchSession>.fromOpaque(payload).takeUnretainedValue().pushRefusal = String(cString: status)
    return 0
}
