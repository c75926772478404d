import ConfigRepo

/// Pickers for the references of an object form, so nobody types or looks up an id: a
/// reference to one object is a select of names (`FormPage`), a list of references (a system's
/// zones and modules) keeps its ordered text box and gets a list of names to tick beside it
/// (`FIELD.add.ID` checkboxes, appended in the list's order on submit; `app.js` adds a filter
/// and appends a ticked name at once). Where an id is expected, a name is accepted when
/// exactly one object of the kind has it; an ambiguous name is refused naming the candidates.
public enum ReferencePicker {
    /// The checkbox of one candidate of a references field.
    public static func pickName(_ field: String, _ id: String) -> String { field + ".add." + id }

    /// The kind a field refers to, and whether it holds a list.
    static func target(of type: FieldType) -> (kind: Kind, list: Bool)? {
        switch type {
        case .reference(let kind): (kind, false)
        case .references(let kind): (kind, true)
        case .nullable(let wrapped): target(of: wrapped)
        default: nil
        }
    }

    /// The objects of a kind in picking order: zones as their tree (each parent before its
    /// children, siblings by name), others by name.
    public static func ordered(_ kind: Kind, in snapshot: Snapshot) -> [ConfigDocument] {
        let byName = snapshot.unordered(kind).sorted {
            (ObjectLabels.name($0, in: snapshot).lowercased(), $0.id) < (ObjectLabels.name($1, in: snapshot).lowercased(), $1.id)
        }
        guard kind == .zone else { return byName }
        var children: [String: [ConfigDocument]] = [:]
        var roots: [ConfigDocument] = []
        for zone in byName {
            if let parent = ZoneView(zone).parentID, snapshot.document(.zone, parent) != nil { children[parent, default: []].append(zone) } else { roots.append(zone) }
        }
        var ordered: [ConfigDocument] = []
        var seen: Set<String> = []
        func visit(_ zone: ConfigDocument) {
            guard seen.insert(zone.id).inserted else { return }
            ordered.append(zone)
            for child in children[zone.id] ?? [] { visit(child) }
        }
        roots.forEach(visit)
        byName.forEach(visit)   // zones in a parent cycle
        return ordered
    }

    /// The submitted inputs with ticked picks appended to their lists and names replaced by ids;
    /// errors by field name for names more than one object has.
    public static func resolve(_ inputs: [String: String], fields: [FieldSpec], in snapshot: Snapshot)
        -> (inputs: [String: String], errors: [String: String]) {
        var inputs = inputs
        var errors: [String: String] = [:]
        for field in fields {
            guard let (kind, list) = target(of: field.type) else { continue }
            let text = (inputs[field.name] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            var items = list ? text.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
                             : [text.trimmingCharacters()].filter { !$0.isEmpty }
            for (index, item) in items.enumerated() where snapshot.document(kind, item) == nil {
                let matches = snapshot.unordered(kind).filter {
                    ObjectLabels.name($0, in: snapshot).lowercased() == item.lowercased() || $0.displayName.lowercased() == item.lowercased()
                }
                if matches.count == 1 {
                    items[index] = matches[0].id
                } else if matches.count > 1 {
                    let ids = matches.map(\.id).sorted()
                    errors[field.name] = "“\(item)” names \(matches.count) \(kind.directory) (\(ids.prefix(5).joined(separator: ", "))): pick one from the list"
                }
            }
            if list {
                let prefix = field.name + ".add."
                let picked = Set(inputs.keys.filter { $0.hasPrefix(prefix) && !(inputs[$0] ?? "").isEmpty }.map { String($0.dropFirst(prefix.count)) })
                if !picked.isEmpty {
                    for document in ordered(kind, in: snapshot) where picked.contains(document.id) && !items.contains(document.id) {
                        items.append(document.id)
                    }
                }
                for key in inputs.keys where key.hasPrefix(prefix) { inputs[key] = nil }
            }
            if inputs[field.name] != nil || !items.isEmpty { inputs[field.name] = items.joined(separator: "\n") }
        }
        return (inputs, errors)
    }
}
