import ConfigRepo

/// `left operator right`, each side a constant or a status of the instance's system.
public struct Comparison: Sendable, Hashable {
    public enum Operand: Sendable, Hashable {
        case constant(JSONValue)
        case status(StatusReference)

        /// A JSON object with `mod` or `status` is a status reference; anything else a constant.
        init?(_ value: JSONValue) {
            guard let members = value.objectValue, members["mod"] != nil || members["status"] != nil else {
                self = .constant(value)
                return
            }
            guard let mod = members["mod"]?.stringValue, let (name, index) = ModuleAddress.parse(mod),
                  let status = members["status"]?.stringValue, !status.isEmpty else { return nil }
            let keys = members["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            self = .status(StatusReference(name: name, index: index, status: status, keys: keys))
        }

        var reference: StatusReference? {
            if case .status(let reference) = self { return reference }
            return nil
        }
    }

    public var left: Operand
    public var op: ComparisonOperator
    public var right: Operand
}
