import ConfigRepo
import Foundation

/// The module list's filters, applied on the server: name (or id), IP and online state, from
/// the query `?name=…&ip=…&state=online|offline` (`running`/`stopped` are accepted as well).
public struct ModuleFilter: Sendable, Equatable {
    public var name: String?
    public var ip: String?
    public var online: Bool?

    public init(name: String? = nil, ip: String? = nil, online: Bool? = nil) {
        self.name = name
        self.ip = ip
        self.online = online
    }

    /// Reads the filters from query parameters; empty values filter nothing.
    public init(query: (String) -> String?) {
        func text(_ key: String) -> String? {
            guard let value = query(key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        name = text("name")
        ip = text("ip")
        switch text("state") {
        case "online", "running": online = true
        case "offline", "stopped": online = false
        default: online = nil
        }
    }

    public static let parameters = ["name", "ip", "state"]

    public var isEmpty: Bool { name == nil && ip == nil && online == nil }

    public func matches(_ module: ConfigDocument, in snapshot: Snapshot, state: ModuleOnlineState) -> Bool {
        if let name {
            let needle = name.lowercased()
            guard module.id.lowercased().contains(needle) || ObjectLabels.name(module, in: snapshot).lowercased().contains(needle) else {
                return false
            }
        }
        if let ip {
            guard let address = ModuleView(module).ip, address.lowercased().contains(ip.lowercased()) else { return false }
        }
        if let online, state.isOnline(module) != online { return false }
        return true
    }

    /// The filters as a query string (for the pager's links), without `?`.
    public var queryString: String {
        var parts: [String] = []
        if let name { parts.append("name=" + FormEncoding.encode(name)) }
        if let ip { parts.append("ip=" + FormEncoding.encode(ip)) }
        if let online { parts.append("state=" + (online ? "online" : "offline")) }
        return parts.joined(separator: "&")
    }

    /// The values the list template shows in the filter inputs (every key set).
    var values: TemplateValue {
        ["name": .optional(name), "ip": .optional(ip), "online": .bool(online == true), "offline": .bool(online == false)]
    }
}
