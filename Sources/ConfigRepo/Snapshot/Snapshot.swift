/// Every object of one commit of the configuration, with indexes.
///
/// A snapshot is read from a commit, never from the working tree. It is a value: the
/// runtime and the site keep the one they rendered from while a newer one is built.
public struct Snapshot: Sendable {
    /// The commit this was read from; nil for an empty repository.
    public let commit: ObjectID?
    /// Objects by kind and id.
    private var documents: [Kind: ShardedDictionary<String, ConfigDocument>] = [:]
    /// `backoffice.json`, when present.
    public private(set) var deployment: DeploymentFile?
    /// SVG level maps by file name (`level-2.svg`), as bytes.
    public private(set) var maps: [String: [UInt8]] = [:]
    /// Files that could not be read as objects (broken JSON, bad names), by path.
    public private(set) var unreadable: [String: ValidationProblem] = [:]
    /// The reverse references of every object.
    public private(set) var references = ReferenceIndex()
    /// Which objects claim each unique value.
    private var uniqueClaims = ShardedDictionary<UniqueKey, Set<String>>()
    /// Files not loaded because their object is already read from another file, by path.
    private var duplicates: [String: ObjectRef] = [:]

    /// Reads the objects from the files of a commit. Files are parsed on every core
    /// (``FileDecoding``); they are then placed in order, so which of two copies of an object
    /// is read does not depend on timing.
    public init(commit: ObjectID?, files: [RepoFile]) {
        self.commit = commit
        for (file, decoded) in zip(files, FileDecoding.decode(files)) {
            load(file, decoded)
        }
        for kind in Kind.allCases {
            for document in unordered(kind) {
                index(document)
            }
        }
    }

    /// The snapshot after `changes` (path → new file, or nil for a removed file),
    /// labelled with `commit`. Indexes are updated for the changed objects only.
    public func applying(_ changes: [String: RepoFile?], commit: ObjectID?) -> Snapshot {
        var next = Snapshot(copying: self, commit: commit)
        // Removals first: a file moved into (or out of) a shard folder is one object.
        for (path, file) in changes where file == nil { next.unload(path) }
        for case let file? in changes.values.sorted(by: { ($0?.path ?? "") < ($1?.path ?? "") }) {
            next.reload(file)
        }
        return next
    }

    /// The snapshot with objects replaced or removed in memory, for validating a write
    /// before it is committed. `nil` removes the object.
    public func replacing(_ changes: [ObjectRef: ConfigDocument?]) -> Snapshot {
        var next = Snapshot(copying: self, commit: commit)
        for (ref, document) in changes {
            var placed = document
            placed?.path = path(of: ref)
            next.replace(ref, with: placed)
        }
        return next
    }

    private init(copying other: Snapshot, commit: ObjectID?) {
        self.commit = commit
        documents = other.documents
        deployment = other.deployment
        maps = other.maps
        unreadable = other.unreadable
        references = other.references
        uniqueClaims = other.uniqueClaims
        duplicates = other.duplicates
    }

    // MARK: - Reading

    /// The object, if it exists.
    public func document(_ ref: ObjectRef) -> ConfigDocument? {
        documents[ref.kind]?[ref.id]
    }

    /// The object of `kind` with `id`, if it exists.
    public func document(_ kind: Kind, _ id: String) -> ConfigDocument? {
        documents[kind]?[id]
    }

    /// All objects of a kind, sorted by id.
    public func all(_ kind: Kind) -> [ConfigDocument] {
        unordered(kind).sorted { $0.id < $1.id }
    }

    /// All objects of a kind in no particular order (cheaper than `all` for a full scan).
    public func unordered(_ kind: Kind) -> [ConfigDocument] {
        documents[kind]?.values ?? []
    }

    /// How many objects of a kind exist.
    public func count(_ kind: Kind) -> Int { documents[kind]?.count ?? 0 }

    /// Every object, in kind then id order.
    public var allDocuments: [ConfigDocument] { Kind.allCases.flatMap { all($0) } }

    /// The unique values `document` claims (API key names are scoped by their user's domain).
    public func uniqueKeys(of document: ConfigDocument) -> [UniqueKey] {
        UniqueKey.keys(of: document, scopeOf: uniqueScope)
    }

    /// Ids of the objects that claim the same unique value as `key`.
    public func claimants(of key: UniqueKey) -> Set<String> { uniqueClaims[key] ?? [] }

    /// Where the object's file is, or would be written when new: flat, or sharded when
    /// `backoffice.json` declares its kind sharded.
    public func path(of ref: ObjectRef) -> String {
        if let document = document(ref) { return document.path }
        return deployment?.shardedKinds.contains(ref.kind) == true ? ref.shardedPath : ref.path
    }

    /// Files holding another copy of `ref` that were not loaded (each has an "also at" problem).
    /// When the loaded copy goes, one of these must be read to take its place.
    public func duplicatePaths(of ref: ObjectRef) -> [String] {
        duplicates.filter { $0.value == ref }.map(\.key).sorted()
    }

    /// The blob id of the file at `path` in this snapshot, if any.
    public func version(of ref: ObjectRef) -> ObjectID? { document(ref)?.version }

    // MARK: - Loading

    /// Loads a changed file over what this snapshot had at its path.
    private mutating func reload(_ file: RepoFile) {
        guard case .object(let ref) = RepoPath(file.path), !isOversized(file) else {
            unload(file.path)
            load(file)
            return
        }
        unreadable[file.path] = nil
        duplicates[file.path] = nil
        if let existing = document(ref), existing.path != file.path {
            markDuplicate(ref, at: file.path, alsoAt: existing.path)
            return
        }
        do {
            replace(ref, with: try ConfigDocument.decode(file.bytes, ref: ref, version: file.blob, path: file.path))
        } catch {
            replace(ref, with: nil)
            unreadable[file.path] = ValidationProblem(path: file.path, field: error.location, message: error.message)
        }
    }

    /// Puts `new` (or nothing) where `ref`'s object was, touching only the index entries that
    /// differ: an edit that keeps an object's references does not copy the referrer sets it
    /// is in (10,000 systems refer to one organisation zone).
    private mutating func replace(_ ref: ObjectRef, with new: ConfigDocument?) {
        let old = document(ref)
        let oldKeys = old.map { uniqueKeys(of: $0) } ?? []
        if let new {
            documents[ref.kind, default: ShardedDictionary()][ref.id] = new
        } else if old != nil {
            documents[ref.kind]?.removeValue(forKey: ref.id)
        }
        references.update(ref, from: old, to: new)
        let newKeys = new.map { uniqueKeys(of: $0) } ?? []
        guard oldKeys != newKeys else { return }
        for key in oldKeys { unclaim(key, by: ref.id) }
        for key in newKeys { uniqueClaims[key, default: []].insert(ref.id) }
    }

    private mutating func markDuplicate(_ ref: ObjectRef, at path: String, alsoAt other: String) {
        unreadable[path] = ValidationProblem(path: path, field: "", message: "\(ref.kind.noun) \(ref.id) is also at \(other); an object lives in one file")
        duplicates[path] = ref
    }

    private mutating func load(_ file: RepoFile) {
        load(file, FileDecoding.decode(file))
    }

    private mutating func load(_ file: RepoFile, _ decoded: FileDecoding) {
        switch decoded {
        case .deployment(let result):
            switch result {
            case .success(let deployment): self.deployment = deployment
            case .failure(let error): unreadable[file.path] = ValidationProblem(path: file.path, field: error.location, message: error.message)
            }
        case .object(let ref, let result):
            if let existing = document(ref), existing.path != file.path {
                markDuplicate(ref, at: file.path, alsoAt: existing.path)
                return
            }
            switch result {
            case .success(let document): documents[ref.kind, default: ShardedDictionary()][ref.id] = document
            case .failure(let error): unreadable[file.path] = ValidationProblem(path: file.path, field: error.location, message: error.message)
            }
        case .map(let name):
            maps[name] = file.bytes
        case .invalid(let reason):
            unreadable[file.path] = ValidationProblem(path: file.path, field: "", message: reason)
        case .ignored:
            break
        }
    }

    /// A file over its size limit (`FileLimits`) is a problem and is never decoded.
    private func isOversized(_ file: RepoFile) -> Bool {
        FileLimits.problem(path: file.path, size: file.bytes.count) != nil
    }

    private mutating func unload(_ path: String) {
        unreadable[path] = nil
        duplicates[path] = nil
        switch RepoPath(path) {
        case .deployment:
            deployment = nil
        case .object(let ref):
            if documents[ref.kind]?[ref.id]?.path == path { replace(ref, with: nil) }
        case .map(let name):
            maps[name] = nil
        case .invalid, .ignored:
            break
        }
    }

    private mutating func index(_ document: ConfigDocument) {
        references.add(document)
        for key in uniqueKeys(of: document) {
            uniqueClaims[key, default: []].insert(document.id)
        }
    }

    private mutating func unclaim(_ key: UniqueKey, by id: String) {
        uniqueClaims[key, default: []].remove(id)
        if uniqueClaims[key]?.isEmpty == true { uniqueClaims.removeValue(forKey: key) }
    }

    /// API key names are unique per domain: the domain of the key's user.
    private func uniqueScope(_ document: ConfigDocument) -> String {
        guard document.kind == .apiKey, let userID = document.string("user_id") else { return "" }
        return self.document(.user, userID)?.string("authority_id") ?? ""
    }
}
