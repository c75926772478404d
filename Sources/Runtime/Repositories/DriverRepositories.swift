import ConfigRepo
import Dispatch
import Foundation
import Synchronization

/// Drivers and interfaces from git (DESIGN §5, docs/driver-repositories.md): the one object the
/// server holds for them. It keeps the configuration's git repositories fetched
/// (`RepositoryManager`), builds the drivers modules need (`DriverBuildService`), checks
/// interface repositories out, and resolves a driver to its binary for the runtime: the binary
/// of its pinned commit (or of its branch's head) once built, and until then — or when that
/// commit does not build — the last binary that did, so a bad commit never stops what runs.
/// Repositories that are folders on this machine (`bundled:`, `file://`) go to `standard`.
///
/// When a fetch moves a branch or a build finishes it calls its change handler; the server
/// points that at `RuntimeEngine.reapply()`, which restarts only the modules whose binary changed.
public final class DriverRepositories: DriverBinaryResolver {
    public let repositories: RepositoryManager
    public let builds: DriverBuildService
    let standard: StandardDriverResolver
    let box: SecretBox
    let interfaces: InterfaceCheckouts
    let lastGood: LastGoodBinaries

    struct State {
        var onChange: (@Sendable () -> Void)?
        var changePending = false
        /// What each git driver asked for at the last resolve.
        var wanted: [String: DriverBuildKey] = [:]
        /// Interface repositories of the running snapshot, and the last checkout problem of each.
        var interfaceSources: [String: RepositorySource] = [:]
        var interfaceErrors: [String: String] = [:]
        var watchTokens: (repositories: Int, builds: Int)?
    }

    let state = Mutex(State())
    private let changes = DispatchQueue(label: "backoffice.driver-repositories.changes")
    private let checkouts = DispatchQueue(label: "backoffice.driver-repositories.interfaces")

    /// `stateDirectory` gets `repositories/` (the copies), `drivers/` (DriverKit, builds,
    /// last good binaries) and `interfaces/`. `toolchain` finds how Swift drivers are built, or
    /// says why they cannot be here (executable drivers still run); it is called once, when a
    /// Swift driver first needs it.
    public init(stateDirectory: String, secretBox: SecretBox,
                toolchain: @escaping @Sendable () -> Result<DriverKitToolchain, RuntimeError>,
                standard: StandardDriverResolver = StandardDriverResolver(),
                fetchTimeLimit: Double = 300, compileTimeLimit: Double = 300) {
        let repositories = RepositoryManager(directory: stateDirectory + "/repositories", fetchTimeLimit: fetchTimeLimit)
        self.repositories = repositories
        builds = DriverBuildService(buildsDirectory: stateDirectory + "/drivers", toolchain: toolchain,
                                    compileTimeLimit: compileTimeLimit, mirrors: { try repositories.mirror($0) })
        self.standard = standard
        box = secretBox
        interfaces = InterfaceCheckouts(root: stateDirectory + "/interfaces")
        lastGood = LastGoodBinaries(path: stateDirectory + "/drivers/last-good.json")
        let repositoryToken = repositories.watch { [weak self] status in
            guard let self, !status.fetching else { return }
            self.fetchEnded(status)
        }
        let buildToken = builds.watch { [weak self] key, new in
            guard let self, new.isFinished, self.state.withLock({ $0.wanted.values.contains(key) }) else { return }
            self.changed()
        }
        state.withLock { $0.watchTokens = (repositoryToken, buildToken) }
    }

    /// Who to tell when a driver may resolve to another binary (a fetch or a build ended).
    /// Calls are coalesced and made on a queue of their own.
    public func onChange(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.onChange = handler }
    }

    /// Stops polling and building.
    public func close() {
        repositories.close()
        builds.close()
    }

    // MARK: - DriverBinaryResolver

    public func prepare(for snapshot: Snapshot) {
        let sources = snapshot.unordered(.repository).compactMap { RepositorySource($0, box: box) }
        repositories.sync(sources)
        let interfaceSources = sources.filter { $0.kind == .interface }
        let previous = state.withLock { state in
            defer { state.interfaceSources = Dictionary(interfaceSources.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
            return state.interfaceSources
        }
        for source in interfaceSources where previous[source.id] != source { updateInterface(source) }
    }

    public func executable(for driver: DriverView, repository: ConfigDocument?) -> Result<String, RuntimeError> {
        guard let repository, let source = RepositorySource(repository, box: box) else {
            return standard.executable(for: driver, repository: repository)
        }
        let file = driver.document.string("file_name") ?? ""
        let commit: ObjectID
        switch wantedCommit(of: driver, in: source) {
        case .failure(let error):
            state.withLock { $0.wanted[driver.id] = nil }
            return fallback(driver, source: source, file: file, error)
        case .success(let found): commit = found
        }
        let key = builds.key(repositoryID: source.id, file: file, commit: commit)
        state.withLock { $0.wanted[driver.id] = key }
        switch builds.request(key) {
        case .built(let built):
            lastGood.record(driver: driver.id, .init(repositoryID: source.id, file: file, commit: commit, executable: built.executable))
            return .success(built.executable)
        case .failed(let failure):
            return fallback(driver, source: source, file: file,
                            RuntimeError(code: "start_failed", message: "\(file) at \(commit.short): \(failure.message)"))
        case .queued, .building:
            return fallback(driver, source: source, file: file,
                            RuntimeError(code: "start_failed", message: "waiting for \(file) at \(commit.short) to be built"))
        }
    }

    /// The last good binary of the driver, or the error.
    private func fallback(_ driver: DriverView, source: RepositorySource, file: String, _ error: RuntimeError) -> Result<String, RuntimeError> {
        if let good = lastGood.executable(driver: driver.id, repositoryID: source.id, file: file) { return .success(good.executable) }
        return .failure(error)
    }

    /// The commit a driver runs: its own `commit`, else its repository's `commit_hash`, else the
    /// head of the repository's branch.
    func wantedCommit(of driver: DriverView, in source: RepositorySource) -> Result<ObjectID, RuntimeError> {
        wantedCommit(pin: RepositorySource.pin(driver.document.string("commit")) ?? source.pinnedCommit, source: source)
    }

    func wantedCommit(pin: String?, source: RepositorySource) -> Result<ObjectID, RuntimeError> {
        let status = repositories.status(source.id)
        if let pin {
            if let mirror = try? repositories.mirror(source.id), let commit = try? mirror.resolve(pin) { return .success(commit) }
            if status?.lastFetch == nil { return .failure(RuntimeError(code: "start_failed", message: "waiting for the first fetch of \(source.displayURI)")) }
            if let error = status?.error { return .failure(RuntimeError(code: "start_failed", message: error)) }
            return .failure(RuntimeError(code: "start_failed", message: "commit \(pin) is not in \(source.displayURI)"))
        }
        if let head = status?.head { return .success(head) }
        if let error = status?.error { return .failure(RuntimeError(code: "start_failed", message: error)) }
        return .failure(RuntimeError(code: "start_failed", message: "waiting for the first fetch of \(source.displayURI)"))
    }

    // MARK: - Changes

    private func fetchEnded(_ status: RepositoryStatus) {
        if let source = state.withLock({ $0.interfaceSources[status.id] }) { updateInterface(source) }
        changed()
    }

    /// Tells the change handler once, shortly after a burst of changes.
    func changed() {
        let schedule = state.withLock { state -> Bool in
            guard state.onChange != nil, !state.changePending else { return false }
            state.changePending = true
            return true
        }
        guard schedule else { return }
        changes.asyncAfter(deadline: .now() + 0.1) { [weak self] in
            guard let self else { return }
            let handler = self.state.withLock { state in
                state.changePending = false
                return state.onChange
            }
            handler?()
        }
    }

    private func updateInterface(_ source: RepositorySource) {
        checkouts.async { [weak self] in
            guard let self else { return }
            guard case .success(let commit) = self.wantedCommit(pin: source.pinnedCommit, source: source) else { return }
            var problem: String?
            if self.interfaces.commit(folder: source.folderName) != commit {
                do {
                    try self.interfaces.checkout(repositoryID: source.id, folder: source.folderName, commit: commit,
                                                 mirror: try self.repositories.mirror(source.id))
                } catch {
                    problem = "cannot check \(source.folderName) out at \(commit.short): \(error)"
                }
            }
            self.state.withLock { $0.interfaceErrors[source.id] = problem }
        }
    }
}
