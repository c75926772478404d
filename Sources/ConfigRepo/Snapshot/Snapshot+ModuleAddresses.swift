/// A module as its system addresses it: `Name_index` (`Display_2`).
public struct SystemModuleAddress: Sendable, Hashable {
    public var moduleID: String
    public var name: String
    public var index: Int

    public init(moduleID: String, name: String, index: Int) {
        self.moduleID = moduleID
        self.name = name
        self.index = index
    }

    /// `Name_index`.
    public var text: String { "\(name)_\(index)" }
}

extension Snapshot {
    /// The `Name_index` of each module of a system, in module order (PlaceOS rule, DESIGN §5): a
    /// module's name is its `custom_name` or its driver's `module_name`; the index counts the
    /// modules of that name from 1 in the system's module order.
    public func moduleAddresses(ofSystem systemID: String) -> [SystemModuleAddress] {
        var counts: [String: Int] = [:]
        return modules(ofSystem: systemID).map { module in
            let name = ModuleView(module).customName ?? driver(ofModule: module)?.moduleName ?? module.id
            counts[name, default: 0] += 1
            return SystemModuleAddress(moduleID: module.id, name: name, index: counts[name]!)
        }
    }
}
