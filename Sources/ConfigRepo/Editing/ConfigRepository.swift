import Synchronization

/// The configuration repository as the product uses it: snapshots of the tracked branch,
/// validated writes with cascades and sealed secrets, history, revert and watching.
///
/// Thread-safe: the head snapshot is cached and refreshed incrementally; concurrent
/// writers meet in the store's compare-and-swap on the branch.
public final class ConfigRepository: Sendable {
    public let store: ConfigStore
    /// Seals and opens secrets; nil when the deployment secret is not available (then
    /// writes that carry plain secrets are refused).
    public let secretBox: SecretBox?
    private let cache = Mutex<Snapshot?>(nil)
    /// The files of a recent head, for a cold start (nil without a cache directory).
    private let snapshotCache: SnapshotCache?
    /// Validation results by tree (nil without a cache directory).
    private let problemCache: ProblemCache?
    /// Serialises snapshot refreshes so a slow older refresh never replaces a newer one.
    private let refreshLock = Mutex<Void>(())
    /// How often a write is re-planned when a cascaded object moved underneath it.
    private let maximumReplans = 20

    /// The repository over `store`; its caches live in the store's cache directory.
    public init(store: ConfigStore, secretBox: SecretBox?) {
        self.store = store
        self.secretBox = secretBox
        snapshotCache = store.cacheDirectory.map(SnapshotCache.init(directory:))
        problemCache = store.cacheDirectory.map { ProblemCache(directory: $0) }
    }

    /// Opens the repository at `path`, tracking `branch`.
    public convenience init(path: String, branch: String = "main", secretBox: SecretBox?) throws(StoreError) {
        self.init(store: try ConfigStore(path: path, branch: branch), secretBox: secretBox)
    }

    // MARK: - Reading

    /// The snapshot of the branch head, read incrementally from the last one.
    public func headSnapshot() throws(StoreError) -> Snapshot {
        try refreshLock.withLock { _ throws(StoreError) -> Snapshot in
            let head = store.head()
            let cached = cache.withLock { $0 }
            if let cached, cached.commit == head { return cached }
            let next: Snapshot
            if let cached, let previous = cached.commit, let head {
                var changes: [String: RepoFile?] = [:]
                for path in try store.changes(from: previous, to: head) {
                    changes[path] = .some(try store.file(at: head, path: path))
                }
                next = try advance(cached, by: changes, to: head)
            } else if let head {
                next = try loadSnapshot(at: head)
            } else {
                next = Snapshot(commit: nil, files: [])
            }
            cache.withLock { $0 = next }
            return next
        }
    }

    /// The head snapshot if it is in memory: the cached snapshot while it is still the branch's
    /// head (one small ref-file read, no git object read, no waiting on a refresh); nil when
    /// `headSnapshot()` has to read. For handlers that answer on an event loop.
    public func headSnapshotInMemory() -> Snapshot? {
        guard let cached = cache.withLock({ $0 }), let commit = cached.commit, commit == store.head() else { return nil }
        return cached
    }

    /// The snapshot of `head` when none is cached in memory (a cold start): from the snapshot
    /// cache when it holds this tree, or an older one not too far behind (plus what changed
    /// since); else from git, and the cache is written for the next start.
    private func loadSnapshot(at head: ObjectID) throws(StoreError) -> Snapshot {
        let tree = try store.tree(of: head)
        if let snapshotCache, let cached = snapshotCache.load() {
            if cached.tree == tree { return Snapshot(commit: head, files: cached.files) }
            if let changed = try? store.changes(fromTree: cached.tree, toTree: tree), changed.count <= max(1_000, cached.files.count / 20) {
                var changes: [String: RepoFile?] = [:]
                for path in changed { changes[path] = .some(try store.file(at: head, path: path)) }
                return try advance(Snapshot(commit: nil, files: cached.files), by: changes, to: head)
            }
        }
        let files = try store.files(at: head)
        snapshotCache?.save(tree: tree, files: files)
        return Snapshot(commit: head, files: files)
    }

    /// `snapshot` with `changes` (path → new file, nil when removed) applied, labelled `commit`.
    private func advance(_ snapshot: Snapshot, by changes: [String: RepoFile?], to commit: ObjectID) throws(StoreError) -> Snapshot {
        var changes = changes
        // A removed copy of a duplicated object: the copy left behind is read again so
        // it takes the object's place (and loses its "also at" problem).
        for case (let path, nil) in changes {
            guard case .object(let ref) = RepoPath(path) else { continue }
            for other in snapshot.duplicatePaths(of: ref) where changes[other] == nil {
                changes[other] = .some(try store.file(at: commit, path: other))
            }
        }
        return snapshot.applying(changes, commit: commit)
    }

    /// The snapshot after a commit this repository just made on `base`: `base` with the files
    /// the commit wrote, nothing read back from git. When the cache has moved past `base`
    /// meanwhile (another writer's commit was read first), the head is read as usual.
    private func snapshot(after commit: CommitInfo, wrote files: [FileChange], on base: Snapshot) throws(StoreError) -> Snapshot {
        guard !commit.isUnchangedHead, let parent = base.commit, commit.parents == [parent] else { return try headSnapshot() }
        let advanced = try refreshLock.withLock { _ throws(StoreError) -> Snapshot? in
            guard cache.withLock({ $0?.commit }) == parent else { return nil }
            var changes: [String: RepoFile?] = [:]
            for file in files {
                changes[file.path] = .some(file.content.map { RepoFile(path: file.path, blob: .blob($0), bytes: $0) })
            }
            let next = try advance(base, by: changes, to: commit.id)
            cache.withLock { $0 = next }
            return next
        }
        if let advanced { return advanced }
        return try headSnapshot()
    }

    /// The snapshot of any revision (`HEAD~2`, a commit id, a branch name).
    public func snapshot(at revision: String) throws(StoreError) -> Snapshot {
        let commit = try store.resolve(revision)
        if let cached = cache.withLock({ $0 }), cached.commit == commit { return cached }
        return Snapshot(commit: commit, files: try store.files(at: commit))
    }

    /// The head snapshot and every problem in it, as ``Validator/validateAll()`` finds them.
    /// The problems of a tree are remembered in the cache directory (``ProblemCache``), so a
    /// restart onto a head it validated before does not validate it again.
    public func validatedHead() throws(StoreError) -> (snapshot: Snapshot, problems: [ValidationProblem]) {
        let snapshot = try headSnapshot()
        guard let problemCache, let commit = snapshot.commit else { return (snapshot, Validator(snapshot: snapshot).validateAll()) }
        let tree = try store.tree(of: commit)
        if let known = problemCache.problems(for: tree) { return (snapshot, known) }
        let problems = Validator(snapshot: snapshot).validateAll()
        problemCache.save(problems, for: tree)
        return (snapshot, problems)
    }

    /// Every problem of the tree at `revision` (default: the head). With the secret
    /// available, encrypted values are also checked to open for their object.
    public func validate(revision: String? = nil) throws(StoreError) -> [ValidationProblem] {
        let snapshot: Snapshot
        var problems: [ValidationProblem]
        if let revision {
            snapshot = try self.snapshot(at: revision)
            problems = Validator(snapshot: snapshot).validateAll()
        } else {
            (snapshot, problems) = try validatedHead()
        }
        if let secretBox { problems += EnvelopeVerifier(box: secretBox).problems(in: snapshot) }
        return problems.sorted()
    }

    // MARK: - Writing

    /// Applies `edits` as one commit authored by `author`, with cascades, sealed
    /// secrets and the validation gate. `message` defaults to a description in words.
    ///
    /// With a role (`actingAs`: a person through the site or the API), each object the edits
    /// name and the deployment file are checked with ``ChangeClearance`` against what the write
    /// really changes, and the write is refused (`.notPermitted`) unless the role meets all of
    /// it. Cascades follow from a delete the role may make and are not held against it. Trusted
    /// callers (the command line, the runtime) pass no role. `permits` is asked in addition about
    /// every object the write would change, cascades included, before anything is committed; one
    /// it refuses ends the write with ``WriteError/forbidden(_:)``.
    @discardableResult
    public func apply(_ edits: [Edit], author: Signature, message: String? = nil,
                      permits: (ObjectRef) -> Bool = { _ in true },
                      actingAs role: Role? = nil) throws(WriteError) -> WriteResult {
        var attempt = 0
        while true {
            attempt += 1
            let base: Snapshot
            do { base = try headSnapshot() } catch { throw .store(error) }
            let plan = try plan(edits, on: base)
            if let refused = plan.changes.keys.sorted().first(where: { !permits($0) }) { throw .forbidden(refused) }
            if plan.changes.isEmpty && plan.deployment == nil && plan.maps.isEmpty {
                guard let head = base.commit else { throw .store(.notFound("the branch has no commit")) }
                do {
                    return WriteResult(commit: try store.commitInfo(head), changed: [], snapshot: base)
                } catch { throw .store(error) }
            }
            var candidate = base.replacing(plan.changes)
            if let deployment = plan.deployment { candidate = candidate.replacingDeployment(deployment) }
            if !plan.maps.isEmpty { candidate = candidate.replacingMaps(plan.maps) }
            if let role {
                var requirements: [ClearanceRequirement] = []
                for ref in plan.explicit.sorted() {
                    guard let new = plan.changes[ref] else { continue }
                    requirements += ChangeClearance.forObject(ref, old: base.document(ref), new: new, after: candidate)
                }
                if plan.deployment != nil { requirements += ChangeClearance.forFile(RepoPath.deploymentFile) }
                for name in plan.maps.keys.sorted() { requirements += ChangeClearance.forFile(RepoPath.mapPath(name)) }
                let refused = requirements.unmet(by: role)
                if !refused.isEmpty { throw .notPermitted(refused) }
            }
            // A replaced map is checked with the zones that show it (their systems' `map_id`s).
            let mapZones = plan.maps.isEmpty ? [] : candidate.all(.zone).filter { plan.maps[$0.string("map_id") ?? ""] != nil }.map(\.ref)
            let affected = Validator.affectedObjects(by: Set(plan.changes.keys).union(mapZones), before: base, after: candidate)
            let before = Set(Validator(snapshot: base).validate(affected))
            var introduced = Validator(snapshot: candidate).validate(affected).filter { !before.contains($0) }
            if plan.deployment != nil {
                let problemsBefore = Set(Validator(snapshot: base).validateDeploymentFile())
                introduced += Validator(snapshot: candidate).validateDeploymentFile().filter { !problemsBefore.contains($0) }
            }
            if !introduced.isEmpty { throw .invalid(introduced.sorted()) }

            let entries = plan.changes.map { ref, document in
                CommitMessage.Entry(ref: ref, old: base.document(ref), new: document)
            }
            let text = message ?? describe(entries, plan: plan, base: base)
            do {
                let files = plan.fileChanges
                let info = try store.commit(files, author: author, message: text)
                let snapshot = try self.snapshot(after: info, wrote: files, on: base)
                return WriteResult(commit: info, changed: plan.changes.keys.sorted(), changedDeployment: plan.deployment != nil,
                                   snapshot: snapshot)
            } catch .conflict(let path, let expected, _) where path == RepoPath.deploymentFile {
                let basedOn: ObjectID? = if case .version(let id) = expected { id } else { nil }
                throw .deploymentConflict(basedOn: basedOn, current: try? headSnapshot().deployment)
            } catch .conflict(let path, let expected, _) {
                if case .object(let ref) = RepoPath(path), plan.explicit.contains(ref) {
                    let current = try? headSnapshot().document(ref)
                    let basedOn: ObjectID? = if case .version(let id) = expected { id } else { nil }
                    throw .conflict(ref: ref, basedOn: basedOn, current: current)
                }
                // A cascaded object moved underneath us: plan again on the new head.
                if attempt >= maximumReplans { throw .store(.tooManyRetries(attempt)) }
            } catch {
                throw .store(error)
            }
        }
    }

    /// The changes a list of edits makes to `base`, after cascades and sealing.
    private func plan(_ edits: [Edit], on base: Snapshot) throws(WriteError) -> WritePlan {
        var planner = CascadePlanner(snapshot: base)
        var plan = WritePlan()
        for edit in edits {
            switch edit {
            case .save(let document), .overwrite(let document):
                let current = base.document(document.ref)
                if case .save = edit, current?.version != document.version {
                    throw .conflict(ref: document.ref, basedOn: document.version, current: current)
                }
                var stored = document
                stored.members["id"] = nil
                if let box = secretBox {
                    stored = SecretSealer(box: box).seal(stored)
                }
                planner.put(stored)
                plan.explicit.insert(document.ref)
                plan.expected[document.ref] = if case .save = edit {
                    document.version.map(ExpectedVersion.version) ?? .absent
                } else { .any }
            case .saveDeployment(let file):
                let current = base.deployment
                if current?.version != file.version {
                    throw .deploymentConflict(basedOn: file.version, current: current)
                }
                let stored = secretBox.map { SecretSealer(box: $0).seal(file) } ?? file
                // Unchanged members: no change.
                if stored.members != current?.members {
                    plan.deployment = stored
                    plan.deploymentExpected = file.version.map(ExpectedVersion.version) ?? .absent
                }
            case .saveMap(let name, let svg):
                guard case .map = RepoPath(RepoPath.mapPath(name)) else { throw .invalid([ValidationProblem(path: RepoPath.mapPath(name), field: "", message: "a map is maps/<name>.svg")]) }
                if base.maps[name] != svg { plan.maps[name] = svg }
            case .delete(let ref, let version):
                guard let current = base.document(ref) else { throw .notFound(ref) }
                if let version, current.version != version {
                    throw .conflict(ref: ref, basedOn: version, current: current)
                }
                planner.delete(ref)
                plan.explicit.insert(ref)
                plan.expected[ref] = version.map(ExpectedVersion.version) ?? .any
            }
        }
        for (ref, document) in planner.changes {
            let old = base.document(ref)
            // Unchanged members: no change (a save of what is there is not a commit).
            if let document, let old, document.members == old.members { continue }
            if document == nil, old == nil { continue }
            plan.changes.updateValue(document, forKey: ref)
            // A cascaded change expects what it was planned from: if that object moved
            // meanwhile, the store refuses and the write is planned again on the new head.
            if plan.expected[ref] == nil {
                plan.expected[ref] = old?.version.map(ExpectedVersion.version) ?? .absent
            }
            plan.paths[ref] = base.path(of: ref)
            // A deleted object goes from every file that holds it, so an unread second copy
            // does not take its place at the next read.
            if document == nil { plan.strayCopies += base.duplicatePaths(of: ref) }
        }
        return plan
    }

    /// The commit message in words for a plan: the objects' changes, and the deployment file's.
    private func describe(_ entries: [CommitMessage.Entry], plan: WritePlan, base: Snapshot) -> String {
        let objects = CommitMessage.describe(entries, primary: plan.explicit)
        guard let deployment = plan.deployment else { return objects ?? "update configuration" }
        let line = CommitMessage.deploymentLine(old: base.deployment, new: deployment)
        guard let objects else { return line }
        return line + "\n\nAlso:\n" + objects
    }
}

/// The file changes one `apply` call commits.
private struct WritePlan {
    var changes: [ObjectRef: ConfigDocument?] = [:]
    /// Objects the user named (a conflict on them is the user's to resolve).
    var explicit: Set<ObjectRef> = []
    var expected: [ObjectRef: ExpectedVersion] = [:]
    /// Where each changed object's file is (existing objects stay where they are).
    var paths: [ObjectRef: String] = [:]
    /// Unread second copies of deleted objects (each an "also at" problem), deleted with them.
    var strayCopies: [String] = []
    /// The new `backoffice.json`, when it changes, and the version it was based on.
    var deployment: DeploymentFile?
    var deploymentExpected: ExpectedVersion = .any
    /// Level maps written, by file name (`level-4.svg`).
    var maps: [String: [UInt8]] = [:]

    var fileChanges: [FileChange] {
        var files = changes.map { ref, document in
            FileChange(path: paths[ref] ?? ref.path, expected: expected[ref] ?? .any, content: document?.canonicalBytes)
        }
        files += strayCopies.map { FileChange.delete($0) }
        if let deployment {
            files.append(FileChange(path: RepoPath.deploymentFile, expected: deploymentExpected, content: deployment.canonicalBytes))
        }
        files += maps.map { FileChange(path: RepoPath.mapPath($0.key), expected: .any, content: $0.value) }
        return files.sorted { $0.path < $1.path }
    }
}
