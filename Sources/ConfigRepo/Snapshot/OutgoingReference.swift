/// A reference from one object to another, with the JSON path where it is written.
public struct OutgoingReference: Sendable, Hashable {
    /// Where in the referring file (`zones[2]`, `triggers[0].trigger_id`).
    public var field: String
    public var target: ObjectRef
}

extension ConfigDocument {
    /// Every reference this object makes, whether or not the target exists.
    public var outgoingReferences: [OutgoingReference] {
        var found: [OutgoingReference] = []
        visitReferences { field, target in found.append(OutgoingReference(field: field(), target: target)) }
        return found
    }

    /// The objects this one refers to, without the fields naming them (indexing 62,000
    /// objects spent most of its time writing field names such as `zones[2]`).
    var referencedObjects: [ObjectRef] {
        var found: [ObjectRef] = []
        visitReferences { _, target in found.append(target) }
        return found
    }

    /// Calls `body(field, target)` for each reference; `field()` builds the field's name.
    private func visitReferences(_ body: (() -> String, ObjectRef) -> Void) {
        for field in kind.referenceFields {
            switch field.type {
            case .reference(let target):
                if let id = string(field.name) { body({ field.name }, ObjectRef(target, id)) }
            case .references(let target):
                for (index, element) in (members[field.name]?.arrayValue ?? []).enumerated() {
                    if let id = element.stringValue { body({ "\(field.name)[\(index)]" }, ObjectRef(target, id)) }
                }
            default:
                break
            }
        }
        if kind == .system, let instances = members["triggers"]?.arrayValue {
            for (index, instance) in instances.enumerated() {
                if let triggerID = instance["trigger_id"]?.stringValue {
                    body({ "triggers[\(index)].trigger_id" }, ObjectRef(.trigger, triggerID))
                }
            }
        }
        if kind == .metadata, let parent = metadataParent {
            body({ "" }, parent)
        }
    }

    /// For metadata: the zone, system or user it belongs to (from its folder name).
    public var metadataParent: ObjectRef? {
        guard kind == .metadata, let slash = id.firstIndex(of: "/") else { return nil }
        let parentID = String(id[..<slash])
        for kind in [Kind.zone, .system, .user] where IdentifierRules.isValidID(parentID, of: kind) {
            return ObjectRef(kind, parentID)
        }
        return nil
    }

    /// For metadata: the name part of its id (the file name without `.json`).
    public var metadataName: String? {
        guard kind == .metadata, let slash = id.firstIndex(of: "/") else { return nil }
        return String(id[id.index(after: slash)...])
    }
}
