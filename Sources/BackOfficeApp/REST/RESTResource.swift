import Foundation
import ConfigRepo

/// One kind of configuration object as the REST API serves it (`/api/engine/v2/<name>`): its
/// index filters and the words `q` searches. The routes, wire format and writes are the same
/// for every resource (`RESTAPI`, `WireFormat`, `RESTWriter`).
struct RESTResource: Sendable {
    /// The URL segment and `Content-Range` table name (`systems`).
    let name: String
    let kind: Kind
    /// The members whose words `q` matches (the id always).
    let searched: [String]
    /// Index query parameters and what they keep.
    let filters: [IndexFilter]

    /// An index query parameter: `keeps(document, value, snapshot)` says whether an object
    /// stays in the list when the parameter has `value`.
    struct IndexFilter: Sendable {
        let parameter: String
        let keeps: @Sendable (ConfigDocument, String, Snapshot) -> Bool
    }

    /// Comma-separated values (`zone_id=zone-a,zone-b`).
    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let systems = RESTResource(name: "systems", kind: .system, searched: ["name", "description", "email", "display_name", "code"], filters: [
        IndexFilter(parameter: "zone_id") { document, value, _ in
            let zones = Set(document.strings("zones"))
            return list(value).allSatisfy(zones.contains)
        },
        IndexFilter(parameter: "module_id") { document, value, _ in document.strings("modules").contains(value) },
        IndexFilter(parameter: "trigger_id") { document, value, _ in
            SystemView(document).triggerInstances.contains { $0["trigger_id"]?.stringValue == value }
        },
        IndexFilter(parameter: "features") { document, value, _ in
            let features = Set(document.strings("features").map { $0.lowercased() })
            return list(value.lowercased()).allSatisfy(features.contains)
        },
        IndexFilter(parameter: "capacity") { document, value, _ in (document.int("capacity") ?? 0) >= (Int(value) ?? 0) },
        IndexFilter(parameter: "bookable") { document, value, _ in (document.bool("bookable") ?? false) == (value == "true") },
        IndexFilter(parameter: "public") { document, value, _ in (document.bool("public") ?? false) == (value == "true") },
        IndexFilter(parameter: "email") { document, value, _ in
            guard let email = document.string("email")?.lowercased() else { return false }
            return list(value.lowercased()).contains(email)
        },
    ])

    static let modules = RESTResource(name: "modules", kind: .module, searched: ["custom_name", "ip", "uri", "notes"], filters: [
        IndexFilter(parameter: "control_system_id") { document, value, snapshot in
            document.string("control_system_id") == value || snapshot.document(.system, value).map { SystemView($0).moduleIDs.contains(document.id) } == true
        },
        IndexFilter(parameter: "driver_id") { document, value, _ in document.string("driver_id") == value },
        IndexFilter(parameter: "no_logic") { document, value, snapshot in
            value != "true" || snapshot.driver(ofModule: document)?.role != .logic
        },
        IndexFilter(parameter: "running") { document, value, _ in ModuleView(document).running == (value == "true") },
    ])

    static let zones = RESTResource(name: "zones", kind: .zone, searched: ["name", "description", "display_name", "code", "tags"], filters: [
        IndexFilter(parameter: "parent_id") { document, value, _ in
            let parents = list(value)
            guard let parent = document.string("parent_id") else { return parents.contains("root") }
            return parents.contains(parent)
        },
        IndexFilter(parameter: "tags") { document, value, _ in
            let tags = Set(document.strings("tags"))
            return list(value).allSatisfy(tags.contains)
        },
    ])

    static let drivers = RESTResource(name: "drivers", kind: .driver, searched: ["name", "description", "module_name", "file_name"], filters: [
        IndexFilter(parameter: "role") { document, value, _ in document.int("role") == Int(value) },
        IndexFilter(parameter: "repository_id") { document, value, _ in document.string("repository_id") == value },
    ])

    /// Every resource, in the order they are mounted.
    static let all: [RESTResource] = [.systems, .modules, .zones, .drivers]
}
