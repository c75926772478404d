import CMosquitto
#if canImport(Glibc)
import Glibc
#endif

/// Something that went wrong talking MQTT, in words fit for a broker's or module's page.
public struct MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// A libmosquitto result code in words; for `MOSQ_ERR_ERRNO` the system error, read at once
    /// (so call this right after the failing call).
    static func library(_ code: Int32, doing action: String) -> MQTTError {
        let reason: String
        if code == MOSQ_ERR_ERRNO.rawValue {
            reason = String(cString: strerror(errno))
        } else {
            reason = String(cString: mosquitto_strerror(code))
        }
        return MQTTError("\(action): \(reason.trimmingSuffix("."))")
    }
}

extension String {
    /// The string without one trailing `suffix`, for libmosquitto's messages that end in a period.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
