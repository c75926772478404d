import ConfigRepo

/// `Name_index` addressing per system (`Snapshot.moduleAddresses(ofSystem:)`, the PlaceOS rule),
/// kept as lookups for the running configuration.
public struct SystemDirectory: Sendable, Equatable {
    public struct Entry: Sendable, Hashable {
        public var moduleID: String
        public var name: String
        public var index: Int
    }

    /// Entries per system, in module order.
    public private(set) var systems: [String: [Entry]] = [:]

    public init() {}

    public init(snapshot: Snapshot) {
        for system in snapshot.unordered(.system) {
            systems[system.id] = snapshot.moduleAddresses(ofSystem: system.id).map {
                Entry(moduleID: $0.moduleID, name: $0.name, index: $0.index)
            }
        }
    }

    public func contains(system: String) -> Bool { systems[system] != nil }

    /// The module at `name`/`index` of `system`, or nil.
    public func module(system: String, name: String, index: Int) -> String? {
        systems[system]?.first { $0.name == name && $0.index == index }?.moduleID
    }

    /// Systems whose lookups differ between two directories (re-ordered, added or removed modules).
    public func changedSystems(comparedTo other: SystemDirectory) -> Set<String> {
        var changed = Set<String>()
        for id in Set(systems.keys).union(other.systems.keys) where systems[id] != other.systems[id] {
            changed.insert(id)
        }
        return changed
    }

    /// Splits `Display_2` into (`Display`, 2); a name without a numeric suffix is index 1.
    public static func parse(_ reference: String) -> (name: String, index: Int) {
        if let underscore = reference.lastIndex(of: "_"), let index = Int(reference[reference.index(after: underscore)...]), index > 0 {
            return (String(reference[..<underscore]), index)
        }
        return (reference, 1)
    }
}
