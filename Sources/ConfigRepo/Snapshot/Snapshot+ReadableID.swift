extension Snapshot {
    /// A readable id for a new object from its name, when nobody has it yet: `sys-l1-cafe` for
    /// the system "L1 Café", `mod-l1-cafe-display` for the module "Display" (its custom name, or
    /// its driver's module name) of that system (`system`, else its `control_system_id`). Nil
    /// for a nameless object or a name already taken: the caller keeps a random id
    /// (`IdentifierRules.newID(for:)`).
    public func readableID(for document: ConfigDocument, system: String? = nil) -> String? {
        var words: [String] = []
        if document.kind == .module {
            if let room = (system ?? document.string("control_system_id")).flatMap({ self.document(.system, $0) }) {
                words.append(room.displayName)
            }
            guard let name = ModuleView(document).customName ?? driver(ofModule: document)?.moduleName else { return nil }
            words.append(name)
        } else {
            guard let name = document.string("name") else { return nil }
            words.append(name)
        }
        return IdentifierRules.readableID(for: document.kind, named: words, taken: { self.document(document.kind, $0) != nil })
    }
}
