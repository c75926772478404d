import ConfigRepo

/// `Name_index` addressing per system (PlaceOS rule, DESIGN §5): a module's name is its
/// `custom_name` or its driver's `module_name`; the index counts modules of that name from 1
/// in the system's module order.
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
            var counts: [String: Int] = [:]
            var entries: [Entry] = []
            for module in snapshot.modules(ofSystem: system.id) {
                let name = ModuleView(module).customName ?? snapshot.driver(ofModule: module)?.moduleName ?? module.id
                counts[name, default: 0] += 1
                entries.append(Entry(moduleID: module.id, name: name, index: counts[name]!))
            }
            systems[system.id] = entries
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
