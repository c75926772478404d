import ConfigRepo
import Foundation

/// A driver's build as its page shows it: what it should run, where that build is, what runs
/// meanwhile, and whether its branch has moved on.
public struct DriverBuildReport: Sendable {
    /// The build the driver asks for (nil while its commit is unknown, e.g. before the first fetch).
    public var wanted: DriverBuildKey?
    /// Its state (nil: not requested yet).
    public var state: DriverBuildState?
    /// The binary the driver's modules run now when it is not `wanted`'s (the last good one).
    public var running: (commit: ObjectID, executable: String)?
    /// Why the driver has no commit to build, when it has none.
    public var problem: String?

    public init(wanted: DriverBuildKey? = nil, state: DriverBuildState? = nil, running: (commit: ObjectID, executable: String)? = nil,
                problem: String? = nil) {
        self.wanted = wanted
        self.state = state
        self.running = running
        self.problem = problem
    }
}

/// Commits on a driver's branch after the commit it is pinned to that change its folder
/// (PlaceOS `update_available` and `update_info`), newest first.
public struct DriverUpdate: Sendable {
    public var pinned: ObjectID
    public var head: ObjectID
    public var commits: [GitCommitSummary]
}

/// Read-only questions about a repository, for the REST routes and pages of phase 2. Each
/// opens the repository's copy on the calling thread and reads local git objects (no network);
/// `details` may wait for a build, without holding a thread.
extension DriverRepositories {
    /// The repository's copy, or an error naming an unknown or never fetched repository.
    private func mirror(_ repositoryID: String) throws -> GitMirror {
        guard let status = repositories.status(repositoryID) else {
            throw RuntimeError(code: "unknown_repository", message: "repository \(repositoryID) is not a git repository of the configuration")
        }
        guard status.lastSuccess != nil || status.head != nil else {
            throw RuntimeError(code: "not_fetched", message: status.error ?? "repository \(repositoryID) has not been fetched yet")
        }
        return try repositories.mirror(repositoryID)
    }

    /// The remote's branches (`GET repositories/:id/branches`).
    public func branches(_ repositoryID: String) throws -> [String] { try mirror(repositoryID).branches() }

    /// The remote's default branch (`GET repositories/:id/default_branch`).
    public func defaultBranch(_ repositoryID: String) throws -> String? { try mirror(repositoryID).defaultBranch() }

    /// A commit of the repository named by a branch or a (short) id; nil → the followed branch's head.
    public func commit(_ repositoryID: String, revision: String?) throws -> ObjectID {
        let mirror = try mirror(repositoryID)
        if let revision, !revision.isEmpty, revision.uppercased() != "HEAD" { return try mirror.resolve(revision) }
        guard let head = repositories.status(repositoryID)?.head else {
            throw RuntimeError(code: "not_fetched", message: repositories.status(repositoryID)?.error ?? "the branch has no commit")
        }
        return head
    }

    /// Commits of a branch (default: the followed one), newest first, that touch `file`'s
    /// folder when given (`GET repositories/:id/commits?branch&driver&limit`).
    public func commits(_ repositoryID: String, branch: String? = nil, file: String? = nil, limit: Int = 50) throws -> [GitCommitSummary] {
        let tip = try commit(repositoryID, revision: branch)
        return try mirror(repositoryID).commits(from: tip, touching: file.map(Self.historyPath), limit: limit)
    }

    /// The drivers the repository holds at a branch or commit (`GET repositories/:id/drivers`).
    public func drivers(_ repositoryID: String, revision: String? = nil) throws -> [DiscoveredDriver] {
        let mirror = try mirror(repositoryID)
        let commit = try commit(repositoryID, revision: revision)
        return try DriverDiscovery.drivers(in: try mirror.files(at: commit), read: { try mirror.bytes(of: $0.blob) })
    }

    /// A driver's metadata at a commit, building it first when needed
    /// (`GET repositories/:id/details?driver&commit`).
    public func details(_ repositoryID: String, file: String, revision: String? = nil) async throws -> DriverMetadata {
        let key = builds.key(repositoryID: repositoryID, file: file, commit: try commit(repositoryID, revision: revision))
        switch await builds.finished(key) {
        case .built(let built): return built.metadata
        case .failed(let failure): throw failure
        case .queued, .building: throw RuntimeError(code: "failed", message: "the build did not finish")
        }
    }

    /// Fetches a repository now and waits for the fetch (`POST repositories/:id/pull`).
    public func pull(_ repositoryID: String) async -> RepositoryStatus? { await repositories.pulled(repositoryID) }

    /// Each interface repository's folder and checked-out commit (`GET repositories/interfaces`).
    public func interfaceCommits() -> [String: String] {
        let sources = state.withLock { Array($0.interfaceSources.values) }
        var result: [String: String] = [:]
        for source in sources { result[source.folderName] = interfaces.commit(folder: source.folderName)?.hex ?? "" }
        return result
    }

    /// The checked-out tree of the interface served at `/<folder>/` (serve files from it with
    /// `InterfaceFiles.file(for:in:)`), or nil.
    public func interfaceDirectory(folder: String) -> String? {
        guard state.withLock({ $0.interfaceSources.values.contains { $0.folderName == folder } }) else { return nil }
        return interfaces.directory(folder: folder)
    }

    /// Why an interface repository could not be checked out, if it could not.
    public func interfaceProblem(_ repositoryID: String) -> String? { state.withLock { $0.interfaceErrors[repositoryID] } }

    /// Where a driver's build is (`GET drivers/:id/compiled`: built → 200, failed → 503 with
    /// the output, otherwise 404).
    public func buildReport(for driver: DriverView, repository: ConfigDocument?) -> DriverBuildReport {
        guard let repository, let source = RepositorySource(repository, box: box) else {
            return DriverBuildReport(problem: "drivers of \(repository?.string("uri") ?? "this repository") are not built")
        }
        let file = driver.document.string("file_name") ?? ""
        var report = DriverBuildReport()
        switch wantedCommit(of: driver, in: source) {
        case .failure(let error): report.problem = error.message
        case .success(let commit):
            let key = builds.key(repositoryID: source.id, file: file, commit: commit)
            report.wanted = key
            report.state = builds.state(of: key)
        }
        if let good = lastGood.executable(driver: driver.id, repositoryID: source.id, file: file), good.commit != report.wanted?.commit {
            report.running = (good.commit, good.executable)
        }
        return report
    }

    /// Builds the driver's wanted commit again (`POST drivers/:id/recompile`); its modules move
    /// to the new binary when it is built.
    @discardableResult
    public func recompile(_ driver: DriverView, repository: ConfigDocument?) -> DriverBuildState? {
        guard let key = buildReport(for: driver, repository: repository).wanted else { return nil }
        return builds.rebuild(key)
    }

    /// Commits after the driver's pinned commit on its branch that touch its folder; nil when
    /// the driver follows the branch, or is up to date.
    public func update(for driver: DriverView, repository: ConfigDocument?, limit: Int = 50) -> DriverUpdate? {
        guard let repository, let source = RepositorySource(repository, box: box),
              let pin = RepositorySource.pin(driver.document.string("commit")) ?? source.pinnedCommit,
              let head = repositories.status(source.id)?.head,
              let mirror = try? repositories.mirror(source.id), let pinned = try? mirror.resolve(pin), pinned != head,
              let commits = try? mirror.commits(from: head, notIn: pinned,
                                                touching: Self.historyPath(driver.document.string("file_name") ?? ""), limit: limit),
              !commits.isEmpty else { return nil }
        return DriverUpdate(pinned: pinned, head: head, commits: commits)
    }

    /// The path whose changes are a driver's history: a Swift driver's folder (all of it is
    /// compiled), an executable's own file.
    static func historyPath(_ file: String) -> String {
        file.hasSuffix(".swift") ? (file as NSString).deletingLastPathComponent : file
    }
}
