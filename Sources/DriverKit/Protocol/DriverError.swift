import DriverProtocol

/// An error a driver reports to the core (`docs/driver-protocol.md` §6).
public struct DriverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The protocol's error codes (`DriverProtocol`, shared with the core).
    public typealias Code = DriverErrorCode

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func failed(_ message: String) -> DriverError { DriverError(.failed, message) }
    public static func badArguments(_ message: String) -> DriverError { DriverError(.badArguments, message) }

    public var description: String { "\(code.rawValue): \(message)" }

    public var json: JSON { ["code": .string(code.rawValue), "message": .string(message)] }

    /// Any thrown error as a driver error (`failed` with its description unless it is one already).
    public static func from(_ error: any Error) -> DriverError {
        if let driverError = error as? DriverError { return driverError }
        if let remote = error as? RemoteError { return DriverError(.failed, remote.description) }
        return DriverError(.failed, String(describing: error))
    }
}

/// An error the core returned for a request this driver made (`exec`, `subscribe`, `setting`).
public struct RemoteError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public var description: String { "\(code): \(message)" }
}
