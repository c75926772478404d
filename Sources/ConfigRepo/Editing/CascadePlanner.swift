/// What else must change when an object is deleted, so one user action stays one
/// consistent commit (DESIGN §3.4, PlaceOS semantics):
/// - a zone: its child zones (recursively) and their metadata go; systems drop it;
/// - a system: its logic modules and modules used by no other system go; its metadata go;
/// - a driver: its modules go and systems drop them;
/// - a module: systems drop it;
/// - a repository: its drivers go (with their modules);
/// - a trigger: zones and systems drop it;
/// - a user: their API keys and metadata go.
public struct CascadePlanner {
    public let snapshot: Snapshot
    /// The result so far: ref → new document, or nil for a deletion.
    public private(set) var changes: [ObjectRef: ConfigDocument?] = [:]

    public init(snapshot: Snapshot) {
        self.snapshot = snapshot
    }

    /// The current state of an object, taking the planned changes into account.
    public func current(_ ref: ObjectRef) -> ConfigDocument? {
        if let planned = changes[ref] { return planned }
        return snapshot.document(ref)
    }

    /// Plans the deletion of `ref` and everything it takes with it.
    public mutating func delete(_ ref: ObjectRef) {
        if let planned = changes[ref], planned == nil { return }
        guard current(ref) != nil else { return }
        changes.updateValue(nil, forKey: ref)
        switch ref.kind {
        case .zone:
            for child in snapshot.childZones(of: ref.id) { delete(ObjectRef(.zone, child)) }
            for systemID in snapshot.systems(inZone: ref.id) { removeID(ref.id, from: "zones", of: ObjectRef(.system, systemID)) }
            deleteMetadata(of: ref)
        case .system:
            for moduleID in snapshot.logicModules(ofSystem: ref.id) { delete(ObjectRef(.module, moduleID)) }
            for moduleID in snapshot.document(ref).map({ SystemView($0).moduleIDs }) ?? [] {
                let users = snapshot.systems(usingModule: moduleID).filter { changes[ObjectRef(.system, $0)] != .some(nil) }
                if users.isEmpty { delete(ObjectRef(.module, moduleID)) }
            }
            for triggerID in snapshot.references.referrers(of: ref, ofKind: .trigger) {
                delete(ObjectRef(.trigger, triggerID))
            }
            deleteMetadata(of: ref)
        case .driver:
            for moduleID in snapshot.modules(ofDriver: ref.id) { delete(ObjectRef(.module, moduleID)) }
        case .module:
            for systemID in snapshot.systems(usingModule: ref.id) { removeID(ref.id, from: "modules", of: ObjectRef(.system, systemID)) }
        case .repository:
            for driverID in snapshot.drivers(ofRepository: ref.id) { delete(ObjectRef(.driver, driverID)) }
        case .trigger:
            for referrer in snapshot.references.referrers(of: ref) {
                switch referrer.kind {
                case .zone: removeID(ref.id, from: "triggers", of: referrer)
                case .system: removeTriggerInstances(of: ref.id, from: referrer)
                default: break
                }
            }
        case .user:
            for keyID in snapshot.references.referrers(of: ref, ofKind: .apiKey) { delete(ObjectRef(.apiKey, keyID)) }
            deleteMetadata(of: ref)
        case .schema, .metadata, .domain, .application, .authStrategy, .apiKey, .broker:
            break
        }
    }

    /// Plans a put (create or replace) of a document.
    public mutating func put(_ document: ConfigDocument) {
        changes.updateValue(document, forKey: document.ref)
    }

    private mutating func deleteMetadata(of parent: ObjectRef) {
        for id in snapshot.metadata(of: parent) { delete(ObjectRef(.metadata, id)) }
    }

    private mutating func removeID(_ id: String, from member: String, of ref: ObjectRef) {
        guard var document = current(ref) else { return }
        let remaining = document.strings(member).filter { $0 != id }
        document.set(member, strings: remaining)
        changes.updateValue(document, forKey: ref)
    }

    private mutating func removeTriggerInstances(of triggerID: String, from ref: ObjectRef) {
        guard var document = current(ref), let instances = document["triggers"]?.arrayValue else { return }
        document["triggers"] = .array(instances.filter { $0["trigger_id"]?.stringValue != triggerID })
        changes.updateValue(document, forKey: ref)
    }
}
