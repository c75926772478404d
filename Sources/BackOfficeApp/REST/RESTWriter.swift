import Auth
import ConfigRepo

/// Turns a REST write into the same validated write a form makes: one `ConfigRepository.apply`
/// authored by the caller, with cascades, sealed secrets and the validation gate, and the
/// caller's right to edit checked on every object it changes (cascades included). A body is
/// merged onto the stored object member by member (PlaceOS's PUT and PATCH both do: a member
/// set to `null` is removed, members not sent are kept, unknown members are kept).
struct RESTWriter {
    let repository: ConfigRepository
    let resource: RESTResource
    let principal: Principal
    let snapshot: Snapshot
    let format: WireFormat

    /// The JSON object of a request body.
    static func object(_ body: [UInt8]) throws(RESTError) -> [String: JSONValue] {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw .badRequest("the body is not JSON: line \(error.line), column \(error.column): \(error.message)",
                              parameter: "body", restriction: "a JSON object")
        }
        guard let members = value.objectValue else {
            throw .badRequest("the body must be a JSON object, not \(value.typeName)", parameter: "body", restriction: "a JSON object")
        }
        return members
    }

    /// `body` merged onto `base` (see the type's documentation).
    func merged(_ body: [String: JSONValue], onto base: ConfigDocument) throws(RESTError) -> ConfigDocument {
        var document = base
        let fields = Dictionary(resource.kind.fields.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        let derived = WireFormat.derivedMembers(of: resource.kind).union(WireFormat.hiddenMembers(of: resource.kind))
        for key in body.keys.sorted() where !derived.contains(key) {
            let value = body[key]!
            switch fields[key] {
            case .settings?:
                if let settings = try settings(value, stored: base[key], objectID: base.id) {
                    document.members[key] = settings
                } else {
                    document.members.removeValue(forKey: key)
                }
            case .secret? where value == base[key]:
                break
            default:
                if value.isNull { document.members.removeValue(forKey: key) } else { document.members[key] = value }
            }
        }
        return document
    }

    /// The settings to store from those sent: levels the caller may edit (as their form would:
    /// up to their role, never `never_display`) are taken as sent, an unchanged secret keeping
    /// its ciphertext; other levels must come back as they were shown (or not at all) and are
    /// kept as stored.
    func settings(_ value: JSONValue, stored: JSONValue?, objectID: String) throws(RESTError) -> JSONValue? {
        // `null` clears what the caller may edit and keeps the rest.
        guard let sent = value.isNull ? [:] : value.objectValue else {
            throw .invalid(field: "settings", reason: "must be an object of levels")
        }
        for key in sent.keys where SettingsLevel(key: key) == nil {
            throw .invalid(field: "settings.\(key)", reason: "is not a settings level (none, support, admin, never_display)")
        }
        let storedSettings = Settings.parse(stored ?? .object([:])).settings
        let opened = (repository.secretBox.flatMap { try? storedSettings.opened(objectID: objectID, box: $0, upTo: principal.role) }) ?? storedSettings
        let shown = format.settings(stored ?? .object([:]), objectID: objectID).objectValue ?? [:]
        var result = storedSettings
        for level in SettingsLevel.allCases {
            let editable = level != .neverDisplay && principal.mayRead(level)
            guard editable else {
                if let members = sent[level.key], members != shown[level.key] ?? .object([:]) {
                    throw RESTError.forbidden
                }
                continue
            }
            guard let members = sent[level.key] else {
                result.levels[level] = nil
                continue
            }
            guard let values = members.objectValue else {
                throw .invalid(field: "settings.\(level.key)", reason: "must be an object of settings")
            }
            var kept: [String: JSONValue] = [:]
            for (key, value) in values {
                if level.isEncrypted, opened[level][key] == value, let envelope = storedSettings[level][key] {
                    kept[key] = envelope
                } else {
                    kept[key] = value
                }
            }
            result.levels[level] = kept.isEmpty ? nil : kept
        }
        if result.isEmpty { return nil }
        return result.json
    }

    /// Applies `edits` as one commit by the caller; a refusal becomes PlaceOS's status and body.
    func apply(_ edits: [Edit], target: ObjectRef) throws(RESTError) -> WriteResult {
        let principal = principal
        do {
            return try repository.apply(edits, author: principal.signature, permits: { principal.mayEdit($0.kind) },
                                        actingAs: principal.role)
        } catch {
            throw Self.refusal(error, target: target, format: format)
        }
    }

    static func refusal(_ error: WriteError, target: ObjectRef, format: WireFormat) -> RESTError {
        switch error {
        case .invalid(let problems):
            return .invalid(problems, target: target.path)
        case .conflict(_, _, let current):
            guard let current else { return RESTError(status: .conflict, body: .object(["error": .string(error.description)])) }
            return RESTError(status: .conflict, body: format.json(current))
        case .notFound(let ref):
            return .notFound("\(ref) does not exist")
        case .forbidden:
            return .forbidden
        default:
            let refusal = WriteRefusal(error, .save, subject: "the \(target.kind.noun)")
            return RESTError(status: refusal.status, body: .object(["error": .string(refusal.message)]))
        }
    }
}
