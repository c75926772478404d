import ConfigRepo
import WebServer

/// Which systems each user viewed or controlled: one JSON line per access in
/// `<state>/auth/access.log`, written by the access gate for routes naming a system.
public struct AccessLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public var time: Int
        public var userID: String
        public var systemID: String
        public var action: String  // "view" or "control"
    }

    let file: StateFile

    public init(authDirectory: String) {
        file = StateFile(directory: authDirectory, name: "access.log")
    }

    public func record(_ entry: Entry) {
        file.append(line: JSONWriter.compactString(.object([
            "time": .int(entry.time), "user_id": .string(entry.userID), "system_id": .string(entry.systemID),
            "action": .string(entry.action),
        ])))
    }

    /// A user's entries, newest first, at most `limit`.
    public func entries(userID: String, limit: Int = 100) -> [Entry] {
        guard let bytes = try? file.readBytes() else { return [] }
        var out: [Entry] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")).reversed() {
            guard let json = try? JSONParser.parse(Array(line)), json["user_id"]?.stringValue == userID,
                  let time = json["time"]?.intValue, let system = json["system_id"]?.stringValue else { continue }
            out.append(Entry(time: time, userID: userID, systemID: system, action: json["action"]?.stringValue ?? "view"))
            if out.count >= limit { break }
        }
        return out
    }
}
