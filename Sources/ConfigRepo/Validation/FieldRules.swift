/// Presence, type, range and reference checks driven by each kind's declared fields.
struct FieldRules {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        check(members: document.members, fields: document.kind.fields, into: &report)
    }

    func check(members: [String: JSONValue], fields: [FieldSpec], into report: inout ProblemReport) {
        for field in fields {
            guard let value = members[field.name] else {
                if field.required { report.add(field.name, "is required") }
                continue
            }
            check(value, as: field.type, at: field.name, into: &report)
            if field.required, case .string(let text) = value, text.trimmingWhitespace().isEmpty {
                report.add(field.name, "must not be empty")
            }
        }
    }

    func check(_ value: JSONValue, as type: FieldType, at path: String, into report: inout ProblemReport) {
        switch type {
        case .nullable(let inner):
            if !value.isNull { check(value, as: inner, at: path, into: &report) }
        case .string:
            expect(value.stringValue != nil, value, "a string", at: path, into: &report)
        case .bool:
            expect(value.boolValue != nil, value, "true or false", at: path, into: &report)
        case .number:
            expect(value.doubleValue != nil, value, "a number", at: path, into: &report)
        case .object:
            expect(value.objectValue != nil, value, "an object", at: path, into: &report)
        case .json:
            break
        case .int(let range):
            guard let number = value.intValue else {
                return report.add(path, "must be a whole number, found \(describe(value))")
            }
            if let range, !range.contains(number) {
                if range.upperBound == Int.max {
                    report.add(path, "must be \(range.lowerBound) or more, found \(number)")
                } else {
                    report.add(path, "must be from \(range.lowerBound) to \(range.upperBound), found \(number)")
                }
            }
        case .stringList:
            guard let elements = value.arrayValue else { return report.add(path, "must be a list of strings, found \(describe(value))") }
            for (index, element) in elements.enumerated() where element.stringValue == nil {
                report.add("\(path)[\(index)]", "must be a string, found \(describe(element))")
            }
        case .oneOf(let allowed):
            guard let text = value.stringValue, allowed.contains(text) else {
                return report.add(path, "must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), found \(describe(value))")
            }
        case .intCase(let names):
            guard let number = value.intValue, names[number] != nil else {
                let allowed = names.keys.sorted().map { "\($0) (\(names[$0]!))" }.joined(separator: ", ")
                return report.add(path, "must be one of \(allowed), found \(describe(value))")
            }
        case .reference(let kind):
            guard let id = value.stringValue else { return report.add(path, "must be a \(kind.noun) id, found \(describe(value))") }
            checkReference(id, to: kind, at: path, into: &report)
        case .references(let kind):
            guard let elements = value.arrayValue else {
                return report.add(path, "must be a list of \(kind.noun) ids, found \(describe(value))")
            }
            var seen = Set<String>()
            for (index, element) in elements.enumerated() {
                guard let id = element.stringValue else {
                    report.add("\(path)[\(index)]", "must be a \(kind.noun) id, found \(describe(element))")
                    continue
                }
                if !seen.insert(id).inserted {
                    report.add("\(path)[\(index)]", "\"\(id)\" is listed more than once")
                }
                checkReference(id, to: kind, at: "\(path)[\(index)]", into: &report)
            }
        case .url:
            guard let text = value.stringValue else { return report.add(path, "must be a URL, found \(describe(value))") }
            if !(text.hasPrefix("http://") || text.hasPrefix("https://")) || text.count < 10 || text.contains(" ") {
                report.add(path, "must be an absolute http:// or https:// URL, found \"\(text)\"")
            }
        case .secret:
            guard let text = value.stringValue, SecretBox.isEnvelope(text) else {
                return report.add(path, "must be an encrypted value (enc:v1:…); plain text is not stored — save it through the site or `backoffice secret seal`")
            }
        case .settings:
            SettingsRules().check(value, at: path, into: &report)
        case .triggerInstances:
            TriggerInstanceRules(snapshot: snapshot).check(value, at: path, into: &report)
        }
    }

    func checkReference(_ id: String, to kind: Kind, at path: String, into report: inout ProblemReport) {
        if snapshot.document(kind, id) == nil {
            report.add(path, "refers to \(kind.noun) \"\(id)\", which does not exist")
        }
    }

    private func expect(_ holds: Bool, _ value: JSONValue, _ expected: String, at path: String, into report: inout ProblemReport) {
        if !holds { report.add(path, "must be \(expected), found \(describe(value))") }
    }
}

/// How a wrong value is named in a message: its type and, when short, the value itself.
func describe(_ value: JSONValue) -> String {
    let text = JSONWriter.compactString(value)
    return text.count <= 40 ? "\(value.typeName) \(text)" : value.typeName
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
