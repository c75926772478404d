import ConfigRepo
import Foundation

/// The counters of every instance in the state directory (`<state>/status/triggers.json`), so
/// a restart keeps `trigger_count`, the error counts, when each last fired, whether it was
/// triggered (so it does not fire again) and since when its comparisons have held (so a `for`
/// period goes on). Never in git: it changes all the time and is not configuration.
struct TriggerStateFile: Sendable {
    struct Entry: Sendable, Equatable {
        var counters: TriggerEvaluator.Counters
        var triggered: Bool
        var heldSince: Date?
    }

    let path: String

    func load() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONParser.parse([UInt8](data)), let instances = json.objectValue else { return [:] }
        var entries: [String: Entry] = [:]
        for (id, value) in instances {
            func date(_ key: String) -> Date? { value[key]?.doubleValue.map(Date.init(timeIntervalSince1970:)) }
            entries[id] = Entry(
                counters: .init(triggerCount: value["trigger_count"]?.intValue ?? 0, actionErrors: value["action_errors"]?.intValue ?? 0,
                                comparisonErrors: value["comparison_errors"]?.intValue ?? 0, lastFired: date("last_fired")),
                triggered: value["triggered"]?.boolValue ?? false, heldSince: date("held_since"))
        }
        return entries
    }

    /// Writes through a temporary file and a rename, so a crash leaves the old file or the new one.
    func save(_ entries: [String: Entry]) throws {
        let json = JSONValue.object(entries.mapValues { entry in
            var members: [String: JSONValue] = [
                "trigger_count": .int(entry.counters.triggerCount), "action_errors": .int(entry.counters.actionErrors),
                "comparison_errors": .int(entry.counters.comparisonErrors), "triggered": .bool(entry.triggered),
            ]
            if let fired = entry.counters.lastFired { members["last_fired"] = .double(fired.timeIntervalSince1970) }
            if let since = entry.heldSince { members["held_since"] = .double(since.timeIntervalSince1970) }
            return .object(members)
        })
        let temporary = path + ".tmp"
        try Data(JSONWriter.compactString(json).utf8).write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            throw RuntimeError(code: "failed", message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
