/// The kinds of configuration object, one directory of JSON files each (DESIGN §3.1).
public enum Kind: String, CaseIterable, Sendable, Hashable, Comparable {
    case domain
    case application
    case authStrategy
    case user
    case apiKey
    case repository
    case driver
    case zone
    case system
    case module
    case trigger
    case broker
    case schema
    case metadata

    /// The directory holding this kind's files; also the URL segment of the site.
    public var directory: String {
        switch self {
        case .domain: "domains"
        case .application: "applications"
        case .authStrategy: "auth"
        case .user: "users"
        case .apiKey: "api-keys"
        case .repository: "repositories"
        case .driver: "drivers"
        case .zone: "zones"
        case .system: "systems"
        case .module: "modules"
        case .trigger: "triggers"
        case .broker: "brokers"
        case .schema: "schemas"
        case .metadata: "metadata"
        }
    }

    /// Id prefixes a file name of this kind may start with (metadata is named by its `name`).
    public var idPrefixes: [String] {
        switch self {
        case .domain: ["authority-"]
        case .application: ["app-"]
        case .authStrategy: ["oauth_strat-", "adfs_strat-", "ldap_strat-"]
        case .user: ["user-"]
        case .apiKey: ["key-"]
        case .repository: ["repo-"]
        case .driver: ["driver-"]
        case .zone: ["zone-"]
        case .system: ["sys-"]
        case .module: ["mod-"]
        case .trigger: ["trigger-"]
        case .broker: ["broker-"]
        case .schema: ["schema-"]
        case .metadata: []
        }
    }

    /// The singular noun for messages ("system", "API key").
    public var noun: String {
        switch self {
        case .authStrategy: "auth strategy"
        case .apiKey: "API key"
        default: rawValue
        }
    }

    /// The kind whose files live in `directory`, if any.
    public init?(directory: String) {
        guard let kind = Kind.allCases.first(where: { $0.directory == directory }) else { return nil }
        self = kind
    }

    public static func < (lhs: Kind, rhs: Kind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
