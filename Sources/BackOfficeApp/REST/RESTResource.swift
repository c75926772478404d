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
    /// The id prefixes of this resource's objects: the kind's, or some of them (the three
    /// kinds of auth strategy share `auth/`).
    let prefixes: [String]
    /// Another way a client may name an object (a system's email, a user's email).
    let alias: (@Sendable (Snapshot, String) -> ConfigDocument?)?

    init(name: String, kind: Kind, searched: [String], filters: [IndexFilter] = [], prefixes: [String]? = nil,
         alias: (@Sendable (Snapshot, String) -> ConfigDocument?)? = nil) {
        self.name = name
        self.kind = kind
        self.searched = searched
        self.filters = filters
        self.prefixes = prefixes ?? kind.idPrefixes
        self.alias = alias
    }

    /// Whether `id` is one of this resource's (right prefix).
    func owns(_ id: String) -> Bool { prefixes.contains { id.hasPrefix($0) } }

    /// The first object of `kind` whose `member` equals `value`, ignoring case.
    static func first(_ kind: Kind, _ members: [String], _ value: String, in snapshot: Snapshot) -> ConfigDocument? {
        let wanted = value.lowercased()
        // The lowest id among those that match, without sorting every object of the kind.
        return snapshot.unordered(kind).lazy.filter { document in members.contains { document.string($0)?.lowercased() == wanted } }
            .min { $0.id < $1.id }
    }

    /// An index query parameter: `keeps(document, value, snapshot)` says whether an object
    /// stays in the list when the parameter has `value`; `narrows(value, snapshot)`, where the
    /// snapshot's reference index knows, lists the only objects that can (so an index of 50,000
    /// modules by system looks at that system's five).
    struct IndexFilter: Sendable {
        let parameter: String
        var narrows: (@Sendable (String, Snapshot) -> [ConfigDocument])? = nil
        let keeps: @Sendable (ConfigDocument, String, Snapshot) -> Bool
    }

    /// Comma-separated values (`zone_id=zone-a,zone-b`).
    static func list(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Systems: `:id` may also be the system's email.
    static let systems = RESTResource(name: "systems", kind: .system, searched: ["name", "description", "email", "display_name", "code"], filters: [
        IndexFilter(parameter: "zone_id") { document, value, _ in
            let zones = Set(document.strings("zones"))
            return list(value).allSatisfy(zones.contains)
        },
        IndexFilter(parameter: "module_id", narrows: { value, snapshot in
            snapshot.systems(usingModule: value).compactMap { snapshot.document(.system, $0) }
        }) { document, value, _ in document.strings("modules").contains(value) },
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
    ], alias: { snapshot, id in first(.system, ["email"], id, in: snapshot) })

    static let modules = RESTResource(name: "modules", kind: .module, searched: ["custom_name", "ip", "uri", "notes"], filters: [
        IndexFilter(parameter: "control_system_id", narrows: { value, snapshot in
            snapshot.modules(ofSystem: value) + snapshot.logicModules(ofSystem: value).compactMap { snapshot.document(.module, $0) }
        }) { document, value, snapshot in
            document.string("control_system_id") == value || snapshot.document(.system, value).map { SystemView($0).moduleIDs.contains(document.id) } == true
        },
        IndexFilter(parameter: "driver_id", narrows: { value, snapshot in
            snapshot.modules(ofDriver: value).compactMap { snapshot.document(.module, $0) }
        }) { document, value, _ in document.string("driver_id") == value },
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

    /// MQTT brokers (docs/mqtt.md): secrets leave only as ciphertext, to admins (`WireFormat`).
    static let brokers = RESTResource(name: "brokers", kind: .broker, searched: ["name", "description", "host"], filters: [])

    static let repositories = RESTResource(name: "repositories", kind: .repository, searched: ["name", "description", "folder_name", "uri"], filters: [
        IndexFilter(parameter: "repo_type") { document, value, _ in document.string("repo_type") == value },
    ])

    static let triggers = RESTResource(name: "triggers", kind: .trigger, searched: ["name", "description"], filters: [
        IndexFilter(parameter: "control_system_id") { document, value, _ in document.string("control_system_id") == value },
    ])

    /// Users: `:id` may also be an email, login name or staff id; `include_deleted` shows the
    /// ones marked `deleted`.
    static let users = RESTResource(name: "users", kind: .user, searched: ["name", "email", "login_name", "first_name", "last_name"],
                                    filters: [
                                        IndexFilter(parameter: "authority_id") { document, value, _ in document.string("authority_id") == value },
                                    ],
                                    alias: { snapshot, id in first(.user, ["email", "login_name", "staff_id"], id, in: snapshot) })

    static let apiKeys = RESTResource(name: "api_keys", kind: .apiKey, searched: ["name", "description"], filters: [
        IndexFilter(parameter: "user_id") { document, value, _ in document.string("user_id") == value },
    ])

    static let domains = RESTResource(name: "domains", kind: .domain, searched: ["name", "domain", "description"])

    static let oauthApps = RESTResource(name: "oauth_apps", kind: .application, searched: ["name", "redirect_uri"], filters: [
        IndexFilter(parameter: "authority_id") { document, value, _ in document.string("owner_id") == value },
    ])

    static let schemas = RESTResource(name: "schema", kind: .schema, searched: ["name", "description"])

    static func authStrategies(_ name: String, prefix: String) -> RESTResource {
        RESTResource(name: name, kind: .authStrategy, searched: ["name"], filters: [
            IndexFilter(parameter: "authority_id") { document, value, _ in document.string("authority_id") == value },
        ], prefixes: [prefix])
    }

    /// Every resource, in the order they are mounted.
    static let all: [RESTResource] = [
        .systems, .modules, .zones, .drivers, .brokers, .repositories, .triggers, .users, .apiKeys, .domains, .oauthApps, .schemas,
        authStrategies("oauth_auths", prefix: "oauth_strat-"), authStrategies("saml_auths", prefix: "adfs_strat-"),
        authStrategies("ldap_auths", prefix: "ldap_strat-"),
    ]
}
