import Auth
import ConfigRepo
import WebServer

/// One request of the WebSocket control API (placeos-api §5):
/// `{id, cmd, sys, mod, index, name, args}`.
struct ControlRequest: Sendable {
    enum Command: String, Sendable {
        case bind, unbind, exec, debug, ignore
    }

    static let allowedKeys: Set<String> = ["id", "cmd", "sys", "mod", "index", "name", "args"]

    var id: Int
    var command: Command
    var system: String
    var module: String
    var index: Int
    var name: String
    var args: JSONValue

    var meta: ControlMeta { ControlMeta(system: system, module: module, index: index, name: name) }

    /// Parses a text message; the error carries the API code (0 parse error, 1 bad request) and the id if known.
    static func parse(_ text: String) -> Result<ControlRequest, ControlError> {
        guard let json = try? JSONParser.parse(text), let members = json.objectValue else {
            return .failure(ControlError(id: nil, code: 0, message: "a request must be a JSON object"))
        }
        guard let id = members["id"]?.intValue else {
            return .failure(ControlError(id: nil, code: 0, message: "`id` must be an integer"))
        }
        func bad(_ message: String) -> Result<ControlRequest, ControlError> {
            .failure(ControlError(id: id, code: 1, message: message))
        }
        if members.keys.contains(where: { !allowedKeys.contains($0) }),
           let unknown = members.keys.sorted().first(where: { !allowedKeys.contains($0) }) {
            return bad("unknown key `\(unknown)` (allowed: \(allowedKeys.sorted().joined(separator: ", ")))")
        }
        guard let commandName = members["cmd"]?.stringValue, let command = Command(rawValue: commandName) else {
            return bad("`cmd` must be one of bind, unbind, exec, debug, ignore")
        }
        var index = 1
        if let value = members["index"], !value.isNull {
            guard let number = value.intValue, number >= 1 else { return bad("`index` must be an integer from 1") }
            index = number
        }
        let system = members["sys"]?.stringValue ?? ""
        let module = members["mod"]?.stringValue ?? ""
        let name = members["name"]?.stringValue ?? ""
        if command != .debug && command != .ignore && system.isEmpty { return bad("`sys` is required") }
        if module.isEmpty { return bad("`mod` is required") }
        if (command == .bind || command == .unbind || command == .exec) && name.isEmpty {
            return bad("`name` is required (\(command == .exec ? "the function" : "the status key"))")
        }
        var args = JSONValue.array([])
        if let value = members["args"], !value.isNull {
            guard command == .exec else { return bad("`args` is only for exec") }
            guard value.arrayValue != nil || value.objectValue != nil else { return bad("`args` must be an array (or an object of named arguments)") }
            args = value
        }
        return .success(ControlRequest(id: id, command: command, system: system, module: module, index: index, name: name, args: args))
    }
}

/// The `meta` of every response: which binding or call it is about.
struct ControlMeta: Sendable, Hashable {
    var system: String
    var module: String
    var index: Int
    var name: String

    var json: JSONValue {
        .object(["sys": .string(system), "mod": .string(module), "index": .int(index), "name": .string(name)])
    }
}

/// An error answer: API code 0–7 and a message.
struct ControlError: Error, Sendable {
    var id: Int?
    var code: Int
    var message: String
}
