import ConfigRepo

/// The page for a system's modules or zones: the ordered list with up, down and remove
/// buttons on each row, and a form to add one. Rendered per request (its forms carry a token).
public struct SystemMembersPage {
    public let snapshot: Snapshot
    /// Offer a select of candidates when the kind has at most this many objects (else an id input).
    static let selectLimit = 300

    public init(snapshot: Snapshot) { self.snapshot = snapshot }

    public func values(system: ConfigDocument, list: SystemMembership.List, token: String, version: String?,
                       error: String?) -> [String: TemplateValue] {
        let ids = system.strings(list.member)
        let rows: [TemplateValue] = ids.enumerated().map { offset, id in
            let ref = ObjectRef(list.kind, id)
            let document = snapshot.document(ref)
            var detail = ""
            var dot: TemplateValue = .null
            if let document, list == .modules {
                let view = ModuleView(document)
                let driver = view.driverID.map { ObjectLabels.name(ObjectRef(.driver, $0), in: snapshot) } ?? ""
                let address = view.ip.map { ip in view.port.map { "\(ip):\($0)" } ?? ip } ?? view.uri ?? ""
                detail = [driver, address].filter { !$0.isEmpty }.joined(separator: " · ")
                dot = .string(view.running ? "running" : "stopped")
            } else if let document {
                detail = ZoneView(document).tags.joined(separator: ", ")
            }
            return ["position": .int(offset + 1), "id": .string(id), "text": .string(ObjectLabels.name(ref, in: snapshot)),
                    "href": document == nil ? .null : .string(SiteURL.detail(ref)), "missing": .bool(document == nil),
                    "detail": .string(detail), "dot": dot, "first": .bool(offset == 0), "last": .bool(offset == ids.count - 1)]
        }
        var candidates: [TemplateValue] = []
        if snapshot.count(list.kind) <= Self.selectLimit {
            let present = Set(ids)
            candidates = snapshot.unordered(list.kind).filter { !present.contains($0.id) }
                .map { (id: $0.id, text: ObjectLabels.name($0, in: snapshot)) }
                .sorted { ($0.text, $0.id) < ($1.text, $1.id) }
                .map { ["id": .string($0.id), "text": .string($0.text == $0.id ? $0.id : "\($0.text) (\($0.id))")] }
        }
        let name = ObjectLabels.name(system, in: snapshot)
        return [
            "systemName": .string(name), "id": .string(system.id), "systemURL": .string(SiteURL.detail(system.ref)),
            "listURL": .string(SiteURL.list(.system)),
            "heading": .string(list == .modules ? "Modules" : "Zones"), "noun": .string(list.kind.noun),
            "isModules": .bool(list == .modules), "isZones": .bool(list == .zones),
            "action": .string(SiteURL.members(system: system.id, list)), "token": .string(token), "version": .optional(version),
            "rows": .list(rows), "candidates": .list(candidates), "hasCandidates": .bool(!candidates.isEmpty),
            "newModuleURL": .string(SiteURL.new(.module) + "?system=" + system.id), "error": .optional(error),
        ]
    }
}
