#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import WebServer

/// Which systems each user viewed or controlled: one JSON line per access in
/// `<state>/auth/access.log`, written by the access gate for routes naming a system that exists
/// (and by `SystemAccessRecorder` for the control WebSocket).
///
/// Bounded: past `rotationBytes` the file becomes `access.log.1` (the one older generation kept,
/// the previous one dropped), so the log holds at most twice that. A user's history is read from
/// the end backwards and stops at `limit` entries: the newest cost the same in a full log.
public struct AccessLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public var time: Int
        public var userID: String
        public var systemID: String
        public var action: String  // "view" or "control"
    }

    /// When the log is renamed to `access.log.1` and started again (4 MiB: ~40,000 accesses).
    public static let rotationBytes = 4 << 20

    let file: StateFile
    let rotationBytes: Int

    public init(authDirectory: String, rotationBytes: Int = AccessLog.rotationBytes) {
        file = StateFile(directory: authDirectory, name: "access.log")
        self.rotationBytes = rotationBytes
    }

    /// The older generation.
    var previousPath: String { file.path + ".1" }

    public func record(_ entry: Entry) {
        let size = file.append(line: JSONWriter.compactString(.object([
            "time": .int(entry.time), "user_id": .string(entry.userID), "system_id": .string(entry.systemID),
            "action": .string(entry.action),
        ])))
        // Whoever crosses the cap renames; appends racing it land in the older generation.
        if let size, size > rotationBytes { rename(file.path, previousPath) }
    }

    /// A user's entries, newest first, at most `limit`: the current file, then the older one,
    /// each read backwards in blocks; a line is parsed only when it names the user.
    public func entries(userID: String, limit: Int = 100) -> [Entry] {
        var out: [Entry] = []
        let needle = Array(JSONWriter.compactString(.object(["user_id": .string(userID)])).utf8.dropFirst().dropLast())
        for path in [file.path, previousPath] where out.count < limit {
            BackwardLines.read(path: path) { line in
                guard line.count > needle.count, contains(line, needle),
                      let json = try? JSONParser.parse(line), json["user_id"]?.stringValue == userID,
                      let time = json["time"]?.intValue, let system = json["system_id"]?.stringValue else { return true }
                out.append(Entry(time: time, userID: userID, systemID: system, action: json["action"]?.stringValue ?? "view"))
                return out.count < limit
            }
        }
        return out
    }

    private func contains(_ line: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, line.count >= needle.count else { return false }
        var index = 0
        while index + needle.count <= line.count {
            if line[index] == first && line[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
