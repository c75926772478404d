/// A value that must be unique among objects of a kind within a scope
/// (zone names, domain hosts, user emails per domain, …).
public struct UniqueKey: Hashable, Sendable {
    public var kind: Kind
    /// The field whose value must be unique (`name`, `email`).
    public var field: String
    /// The scope the value is unique in (a domain id, a repository type), or "".
    public var scope: String
    /// The value, compared case-insensitively.
    public var value: String

    /// The unique keys `document` claims, given the object it belongs to.
    static func keys(of document: ConfigDocument, scopeOf: (ConfigDocument) -> String) -> [UniqueKey] {
        func key(_ field: String, scope: String = "") -> UniqueKey? {
            guard let value = document.string(field), !value.isEmpty else { return nil }
            return UniqueKey(kind: document.kind, field: field, scope: scope, value: value.lowercased())
        }
        switch document.kind {
        case .zone: return [key("name")].compactMap { $0 }
        case .system: return [key("name"), key("email")].compactMap { $0 }
        case .domain: return [key("domain")].compactMap { $0 }
        case .user:
            let scope = document.string("authority_id") ?? ""
            return ["email", "login_name", "staff_id", "card_number"].compactMap { key($0, scope: scope) }
        case .apiKey: return [key("name", scope: scopeOf(document))].compactMap { $0 }
        case .repository: return [key("folder_name", scope: document.string("repo_type") ?? "")].compactMap { $0 }
        case .broker: return [key("name")].compactMap { $0 }
        default: return []
        }
    }
}
