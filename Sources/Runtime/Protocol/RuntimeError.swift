import ConfigRepo

/// An error answered to a caller of a module: a driver's own `error` (driver protocol §6) or
/// one the core produces itself (`timeout`, `not_running`, `driver_crashed`, …).
public struct RuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The protocol's error code (`unknown_method`, `bad_arguments`, `timeout`, …).
    public var code: String
    /// Text for a human.
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// The WebSocket control API code (placeos-api §5): 1 bad request, 2 access denied,
    /// 3 request failed, 4 unknown command, 5 system not found, 6 module not found, 7 unexpected.
    public var controlCode: Int {
        switch code {
        case "bad_arguments", "bad_request": 1
        case "access_denied": 2
        case "unknown_method": 4
        case "unknown_system": 5
        case "unknown_module": 6
        case "offline", "timeout", "failed", "not_running", "driver_crashed", "start_failed": 3
        default: 7
        }
    }

    /// The HTTP status a REST caller gets for this error.
    public var httpStatus: Int {
        switch code {
        case "bad_arguments", "bad_request": 400
        case "access_denied": 403
        case "unknown_method", "unknown_system", "unknown_module", "unknown_trigger": 404
        case "not_running": 409
        case "timeout": 504
        case "offline", "failed", "driver_crashed", "start_failed": 502
        default: 500
        }
    }

    static func unknownModule(_ id: String) -> RuntimeError {
        RuntimeError(code: "unknown_module", message: "module \(id) does not exist")
    }
    static func notRunning(_ id: String, _ why: String) -> RuntimeError {
        RuntimeError(code: "not_running", message: "module \(id) is not running (\(why))")
    }

    /// Reads a protocol `error` object; anything malformed becomes a `failed` error saying so.
    static func fromProtocol(_ value: JSONValue?) -> RuntimeError {
        guard let object = value?.objectValue else {
            return RuntimeError(code: "failed", message: "the driver answered an error without an error object")
        }
        return RuntimeError(code: object["code"]?.stringValue ?? "failed",
                            message: object["message"]?.stringValue ?? "the driver gave no message")
    }

    var json: JSONValue { .object(["code": .string(code), "message": .string(message)]) }
}
