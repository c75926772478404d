/// Checks a snapshot against the rules of docs/config-format.md (DESIGN §3.5).
///
/// `validateAll` checks every object; `validate(_:)` checks only the objects a write can
/// have affected, which is what keeps a one-object write fast in a 60,000-object tree.
public struct Validator: Sendable {
    public let snapshot: Snapshot

    public init(snapshot: Snapshot) {
        self.snapshot = snapshot
    }

    /// Every problem of the tree, sorted by file and field.
    public func validateAll() -> [ValidationProblem] {
        var problems = Array(snapshot.unreadable.values)
        problems += validateDeploymentFile()
        for kind in Kind.allCases {
            for document in snapshot.unordered(kind) {
                problems += validate(document)
            }
        }
        return problems.sorted()
    }

    /// The problems of the given objects only (absent ones are skipped), sorted.
    public func validate(_ refs: Set<ObjectRef>) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        for ref in refs {
            for path in [ref.path, ref.shardedPath] {
                if let problem = snapshot.unreadable[path] { problems.append(problem) }
            }
            if let document = snapshot.document(ref) { problems += validate(document) }
        }
        return problems.sorted()
    }

    /// Objects whose validity can change when `changed` objects change: themselves,
    /// what refers to them, what they refer to (before and after), and objects that share
    /// a unique value with them.
    public static func affectedObjects(by changed: Set<ObjectRef>, before: Snapshot, after: Snapshot) -> Set<ObjectRef> {
        var affected = changed
        for ref in changed {
            for snapshot in [before, after] {
                affected.formUnion(snapshot.references.referrers(of: ref))
                guard let document = snapshot.document(ref) else { continue }
                for reference in document.outgoingReferences {
                    affected.insert(reference.target)
                    // A system's modules decide the logic-module rule of its siblings.
                    if reference.target.kind == .system {
                        affected.formUnion(snapshot.references.referrers(of: reference.target).filter { $0.kind == .module })
                    }
                }
                affected.formUnion(triggerBindings(of: document, in: snapshot))
                for key in snapshot.uniqueKeys(of: document) {
                    for id in after.claimants(of: key) { affected.insert(ObjectRef(ref.kind, id)) }
                }
            }
        }
        return affected
    }

    /// Objects whose trigger bindings (TriggerBindingRules) can change with `document`: a
    /// trigger's systems through the zones that apply it; the triggers that run in a system
    /// whose modules or zones changed, or that holds a changed module; a driver's systems and
    /// their triggers (its `module_name` is part of their `Name_index` lookups).
    private static func triggerBindings(of document: ConfigDocument, in snapshot: Snapshot) -> [ObjectRef] {
        func systemsAndTriggers(_ systems: [String]) -> [ObjectRef] {
            systems.flatMap { system in [ObjectRef(.system, system)] + snapshot.triggers(ofSystem: system).map { ObjectRef(.trigger, $0) } }
        }
        switch document.kind {
        case .trigger:
            return snapshot.references.referrers(of: document.ref, ofKind: .zone)
                .flatMap { snapshot.systems(inZone: $0) }.map { ObjectRef(.system, $0) }
        case .system:
            return systemsAndTriggers([document.id])
        case .module:
            return systemsAndTriggers(snapshot.systems(usingModule: document.id))
        case .driver:
            return systemsAndTriggers(snapshot.modules(ofDriver: document.id).flatMap { snapshot.systems(usingModule: $0) })
        default:
            return []
        }
    }

    /// The problems of one object.
    public func validate(_ document: ConfigDocument) -> [ValidationProblem] {
        var report = ProblemReport(path: document.path)
        if let id = document.members["id"] {
            if id.stringValue != document.id {
                report.add("id", "the id inside the file must match the file name \"\(document.id)\"")
            }
        }
        FieldRules(snapshot: snapshot).check(document, into: &report)
        switch document.kind {
        case .module: ModuleRules(snapshot: snapshot).check(document, into: &report)
        case .zone:
            ZoneRules(snapshot: snapshot).check(document, into: &report)
            TriggerBindingRules(snapshot: snapshot).checkZone(document, into: &report)
        case .system:
            SystemRules(snapshot: snapshot).check(document, into: &report)
            TriggerBindingRules(snapshot: snapshot).checkSystem(document, into: &report)
        case .driver: DriverRules(snapshot: snapshot).check(document, into: &report)
        case .trigger:
            TriggerRules().check(document, into: &report)
            TriggerBindingRules(snapshot: snapshot).checkTrigger(document, into: &report)
        case .metadata: MetadataRules(snapshot: snapshot).check(document, into: &report)
        case .repository: RepositoryRules().check(document, into: &report)
        case .user: UserRules().check(document, into: &report)
        case .schema: SchemaRules().check(document, into: &report)
        case .broker: BrokerRules().check(document, into: &report)
        case .authStrategy: AuthStrategyRules().check(document, into: &report)
        default: break
        }
        UniquenessRule(snapshot: snapshot).check(document, into: &report)
        return report.problems
    }

    /// The problems of `backoffice.json` (none when there is no such file).
    public func validateDeploymentFile() -> [ValidationProblem] {
        guard let file = snapshot.deployment else { return [] }
        var report = ProblemReport(path: RepoPath.deploymentFile)
        // `default_domain`: the domain a Host no domain claims signs in to (Auth's DefaultDomain).
        let fields = [FieldSpec("title", .string), FieldSpec("branch", .string), FieldSpec("settings", .settings),
                      FieldSpec("default_domain", .string)]
        FieldRules(snapshot: snapshot).check(members: file.members, fields: fields, into: &report)
        checkLayout(file.members["layout"], into: &report)
        if let mail = file.members["mail"] {
            for problem in MailServerSettings.problems(in: mail) { report.add(problem.field, problem.message) }
        }
        return report.problems
    }

    /// `layout: {"sharded": ["modules", …]}` names kind directories (not metadata).
    private func checkLayout(_ layout: JSONValue?, into report: inout ProblemReport) {
        guard let layout else { return }
        guard let members = layout.objectValue else { return report.add("layout", "must be an object") }
        for key in members.keys where key != "sharded" {
            report.add("layout.\(key)", "unknown layout option; the only one is \"sharded\"")
        }
        guard let sharded = members["sharded"] else { return }
        guard let names = sharded.arrayValue else { return report.add("layout.sharded", "must be a list of directory names") }
        for (index, name) in names.enumerated() {
            guard let text = name.stringValue, let kind = Kind(directory: text), kind != .metadata else {
                let directories = Kind.allCases.filter { $0 != .metadata }.map(\.directory).joined(separator: ", ")
                report.add("layout.sharded[\(index)]", "must name a directory of objects: one of \(directories)")
                continue
            }
        }
    }
}

/// The problems found in one file so far.
struct ProblemReport {
    let path: String
    private(set) var problems: [ValidationProblem] = []

    init(path: String) { self.path = path }

    mutating func add(_ field: String, _ message: String) {
        problems.append(ValidationProblem(path: path, field: field, message: message))
    }
}
