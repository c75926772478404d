import Synchronization

/// Every problem of the branch head, as ``ConfigRepository/validate(revision:)`` finds them,
/// followed from one head to the next: after a commit that changed only objects, just the
/// objects it can have affected (``Validator/affectedObjects(by:before:after:)``, the set the
/// write gate checks) are validated again and the other problems are kept. In a 10,000-room tree
/// a commit then costs a few objects instead of 60,000 (the site's banner re-checks the head after
/// every commit). Anything else changed (the deployment file, a map, a misnamed file) validates
/// the whole tree again.
public final class HeadProblems: Sendable {
    private let repository: ConfigRepository
    private let last = Mutex<Validated?>(nil)

    /// A head and its problems: the validator's, and the envelopes' (which bind to their own object only).
    private struct Validated: Sendable {
        var snapshot: Snapshot
        var rules: [ValidationProblem]
        var envelopes: [ValidationProblem]
        var all: [ValidationProblem] { (rules + envelopes).sorted() }
    }

    public init(repository: ConfigRepository) {
        self.repository = repository
    }

    /// The problems of the current head, sorted. Callers are serialised.
    public func current() throws(StoreError) -> [ValidationProblem] {
        try last.withLock { last throws(StoreError) -> [ValidationProblem] in
            let head = try repository.headSnapshot()
            if let previous = last, previous.snapshot.commit == head.commit { return previous.all }
            if let previous = last, let from = previous.snapshot.commit, let to = head.commit,
               let next = carry(previous, to: head, changedPaths: try repository.store.changes(from: from, to: to)) {
                last = next
                return next.all
            }
            let (snapshot, rules) = try repository.validatedHead()
            let envelopes = repository.secretBox.map { EnvelopeVerifier(box: $0).problems(in: snapshot) } ?? []
            let next = Validated(snapshot: snapshot, rules: rules, envelopes: envelopes)
            last = next
            return next.all
        }
    }

    /// `previous`'s problems carried to `new`; nil when a changed path is not an object's file,
    /// or when so much changed (a large push) that validating everything is as quick.
    private func carry(_ previous: Validated, to new: Snapshot, changedPaths: [String]) -> Validated? {
        guard changedPaths.count <= max(1_000, Kind.allCases.reduce(0) { $0 + new.count($1) } / 20) else { return nil }
        var changed = Set<ObjectRef>()
        for path in changedPaths {
            switch RepoPath(path) {
            case .object(let ref): changed.insert(ref)
            case .ignored: continue
            case .deployment, .map, .invalid: return nil
            }
        }
        let affected = Validator.affectedObjects(by: changed, before: previous.snapshot, after: new)
        let revalidated = Self.paths(of: affected)
        let rules = previous.rules.filter { !revalidated.contains($0.path) } + Validator(snapshot: new).validate(affected)
        var envelopes = previous.envelopes
        if let box = repository.secretBox {
            let paths = Self.paths(of: changed)
            envelopes = envelopes.filter { !paths.contains($0.path) }
            let verifier = EnvelopeVerifier(box: box)
            for ref in changed { if let document = new.document(ref) { envelopes += verifier.problems(in: document) } }
        }
        return Validated(snapshot: new, rules: rules, envelopes: envelopes)
    }

    /// Both files an object may live in (flat and sharded).
    private static func paths(of refs: Set<ObjectRef>) -> Set<String> {
        var paths = Set<String>()
        for ref in refs { paths.insert(ref.path); paths.insert(ref.shardedPath) }
        return paths
    }
}
