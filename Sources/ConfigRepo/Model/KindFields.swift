/// The fields each kind declares (docs/config-format.md), with PlaceOS names.
///
/// Members not listed here are kept and written back untouched; they are not validated.
extension Kind {
    public static let driverRoles: [Int: String] = [0: "SSH", 1: "Device", 2: "Service", 3: "Websocket", 99: "Logic"]
    /// PlaceOS's `Broker.auth_type` values.
    public static let brokerAuthTypes: [Int: String] = [0: "client certificate", 1: "no authentication", 2: "username and password"]

    /// The declared fields of this kind (computed once).
    public var fields: [FieldSpec] { Kind.fieldTable[self]! }

    /// The fields of a `.reference`/`.references` type, for the reference index.
    var referenceFields: [FieldSpec] { Kind.referenceFieldTable[self]! }

    private static let fieldTable: [Kind: [FieldSpec]] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, $0.declaredFields) })

    private static let referenceFieldTable: [Kind: [FieldSpec]] = Dictionary(
        uniqueKeysWithValues: allCases.map { kind in
            (kind, kind.declaredFields.filter { field in
                switch field.type {
                case .reference, .references: true
                default: false
                }
            })
        })

    private var declaredFields: [FieldSpec] {
        switch self {
        case .domain:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string),
             FieldSpec("domain", .string, required: true), FieldSpec("login_url", .string),
             FieldSpec("logout_url", .string), FieldSpec("email_domains", .stringList),
             FieldSpec("config", .object), FieldSpec("internals", .object)]
        case .application:
            [FieldSpec("name", .string, required: true), FieldSpec("owner_id", .reference(.domain), required: true),
             FieldSpec("redirect_uri", .url, required: true), FieldSpec("uid", .string),
             FieldSpec("secret", .secret), FieldSpec("scopes", .string),
             FieldSpec("confidential", .bool), FieldSpec("skip_authorization", .bool),
             FieldSpec("allow_implicit_flow", .bool), FieldSpec("allow_code_without_pkce", .bool)]
        case .authStrategy:
            [FieldSpec("name", .string, required: true), FieldSpec("authority_id", .reference(.domain), required: true),
             FieldSpec("client_id", .string), FieldSpec("client_secret", .secret), FieldSpec("site", .string),
             FieldSpec("authorize_url", .string), FieldSpec("token_url", .string), FieldSpec("scope", .string),
             FieldSpec("token_method", .oneOf(["post", "get"])), FieldSpec("auth_scheme", .oneOf(["request_body", "basic_auth"])),
             FieldSpec("raw_info_url", .string), FieldSpec("info_mappings", .object), FieldSpec("authorize_params", .object),
             FieldSpec("ensure_matching", .object),
             FieldSpec("issuer", .string), FieldSpec("idp_sso_target_url", .string), FieldSpec("idp_sso_target_url_runtime_params", .object),
             FieldSpec("idp_cert", .string), FieldSpec("idp_cert_fingerprint", .string),
             FieldSpec("assertion_consumer_service_url", .string), FieldSpec("name_identifier_format", .string),
             FieldSpec("uid_attribute", .string), FieldSpec("attribute_statements", .object), FieldSpec("request_attributes", .json),
             FieldSpec("idp_slo_target_url", .string), FieldSpec("slo_default_relay_state", .string),
             FieldSpec("host", .string), FieldSpec("port", .int(1...65535)), FieldSpec("auth_method", .oneOf(["plain", "ssl", "tls"])),
             FieldSpec("uid", .string), FieldSpec("base", .string), FieldSpec("bind_dn", .string),
             FieldSpec("password", .secret), FieldSpec("filter", .string)]
        case .user:
            [FieldSpec("name", .string, required: true), FieldSpec("email", .string, required: true),
             FieldSpec("authority_id", .reference(.domain), required: true), FieldSpec("sys_admin", .bool),
             FieldSpec("support", .bool), FieldSpec("groups", .stringList), FieldSpec("login_name", .string),
             FieldSpec("staff_id", .string), FieldSpec("card_number", .string), FieldSpec("first_name", .string),
             FieldSpec("last_name", .string), FieldSpec("phone", .string), FieldSpec("department", .string),
             FieldSpec("building", .string)]
        case .apiKey:
            [FieldSpec("name", .string, required: true), FieldSpec("user_id", .reference(.user), required: true),
             FieldSpec("description", .string), FieldSpec("scopes", .stringList),
             FieldSpec("permissions", .nullable(.intCase([0: "user", 1: "support", 2: "admin", 3: "support and admin"]))),
             FieldSpec("expires_at", .nullable(.int(0...Int.max))), FieldSpec("secret_hash", .string)]
        case .repository:
            [FieldSpec("name", .string, required: true), FieldSpec("repo_type", .oneOf(["driver", "interface"]), required: true),
             FieldSpec("folder_name", .string, required: true), FieldSpec("uri", .string, required: true),
             FieldSpec("branch", .string), FieldSpec("commit_hash", .string), FieldSpec("description", .string),
             FieldSpec("username", .string), FieldSpec("password", .secret), FieldSpec("root_path", .string)]
        case .driver:
            [FieldSpec("name", .string, required: true), FieldSpec("repository_id", .reference(.repository), required: true),
             FieldSpec("file_name", .string, required: true), FieldSpec("role", .intCase(Kind.driverRoles), required: true),
             FieldSpec("commit", .string), FieldSpec("module_name", .string, required: true),
             FieldSpec("description", .string), FieldSpec("default_port", .int(1...65535)),
             FieldSpec("default_uri", .string), FieldSpec("ignore_connected", .bool),
             FieldSpec("json_schema", .object), FieldSpec("settings", .settings)]
        case .zone:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string),
             FieldSpec("tags", .stringList), FieldSpec("parent_id", .reference(.zone)), FieldSpec("map_id", .string),
             FieldSpec("location", .string), FieldSpec("display_name", .string), FieldSpec("code", .string),
             FieldSpec("type", .string), FieldSpec("count", .int(0...Int.max)), FieldSpec("capacity", .int(0...Int.max)),
             FieldSpec("timezone", .string), FieldSpec("images", .stringList),
             FieldSpec("triggers", .references(.trigger)), FieldSpec("settings", .settings)]
        case .system:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string), FieldSpec("email", .string),
             FieldSpec("capacity", .int(0...Int.max)), FieldSpec("bookable", .bool), FieldSpec("public", .bool),
             FieldSpec("features", .stringList), FieldSpec("support_url", .string),
             FieldSpec("installed_ui_devices", .int(0...Int.max)), FieldSpec("display_name", .string),
             FieldSpec("code", .string), FieldSpec("type", .string), FieldSpec("timezone", .string),
             FieldSpec("images", .stringList), FieldSpec("map_id", .string),
             FieldSpec("zones", .references(.zone)), FieldSpec("modules", .references(.module)),
             FieldSpec("triggers", .triggerInstances), FieldSpec("settings", .settings)]
        case .module:
            [FieldSpec("driver_id", .reference(.driver), required: true), FieldSpec("custom_name", .string),
             FieldSpec("ip", .string), FieldSpec("port", .int(1...65535)), FieldSpec("tls", .bool),
             FieldSpec("udp", .bool), FieldSpec("makebreak", .bool), FieldSpec("uri", .string),
             FieldSpec("notes", .string), FieldSpec("ignore_connected", .bool), FieldSpec("running", .bool),
             FieldSpec("control_system_id", .reference(.system)), FieldSpec("settings", .settings)]
        case .trigger:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string),
             FieldSpec("enabled", .bool), FieldSpec("debounce_period", .int(0...Int.max)), FieldSpec("important", .bool),
             FieldSpec("enable_webhook", .bool), FieldSpec("supported_methods", .stringList),
             FieldSpec("control_system_id", .reference(.system)),
             FieldSpec("conditions", .object), FieldSpec("actions", .object)]
        case .broker:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string),
             FieldSpec("host", .string, required: true), FieldSpec("port", .int(1...65535)), FieldSpec("tls", .bool),
             FieldSpec("auth_type", .intCase(Kind.brokerAuthTypes)), FieldSpec("username", .string),
             FieldSpec("password", .secret), FieldSpec("certificate", .string),
             FieldSpec("client_certificate", .string), FieldSpec("client_key", .secret),
             FieldSpec("secret", .secret), FieldSpec("filters", .stringList)]
        case .schema:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string),
             FieldSpec("schema", .object, required: true)]
        case .metadata:
            [FieldSpec("name", .string, required: true), FieldSpec("description", .string),
             FieldSpec("details", .json, required: true), FieldSpec("editors", .stringList),
             FieldSpec("schema_id", .reference(.schema))]
        }
    }

    /// The fields of the object with `id`: an auth strategy's are those of its prefix
    /// (`oauth_strat-`, `adfs_strat-`, `ldap_strat-`); every other kind's are `fields`.
    public func fields(forID id: String?) -> [FieldSpec] {
        guard self == .authStrategy, let id else { return fields }
        let own: Set<String>
        if id.hasPrefix("oauth_strat-") {
            own = ["client_id", "client_secret", "site", "authorize_url", "token_url", "token_method", "auth_scheme", "scope",
                   "raw_info_url", "info_mappings", "authorize_params", "ensure_matching"]
        } else if id.hasPrefix("adfs_strat-") {
            own = ["issuer", "idp_sso_target_url", "idp_sso_target_url_runtime_params", "idp_cert", "idp_cert_fingerprint",
                   "assertion_consumer_service_url", "name_identifier_format", "uid_attribute", "attribute_statements",
                   "request_attributes", "idp_slo_target_url", "slo_default_relay_state"]
        } else if id.hasPrefix("ldap_strat-") {
            own = ["host", "port", "auth_method", "uid", "base", "bind_dn", "password", "filter"]
        } else {
            return fields
        }
        return fields.filter { ["name", "authority_id"].contains($0.name) || own.contains($0.name) }
    }

    /// Whether this kind carries `settings`.
    public var hasSettings: Bool { fields.contains { $0.type == .settings } }
}
