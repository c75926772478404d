import ConfigRepo

/// PlaceOS's comparison operators (placeos-runtime §5). Ordering operators need numbers;
/// `and`, `or` and `exclusive_or` use truthiness (anything but `false` and a missing value).
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case equal, notEqual = "not_equal"
    case greaterThan = "greater_than", greaterThanOrEqual = "greater_than_or_equal"
    case lessThan = "less_than", lessThanOrEqual = "less_than_or_equal"
    case and, or, exclusiveOr = "exclusive_or"

    /// Why a comparison could not be made; each time is a counted comparison error.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// The comparison of two values (nil: a status with no value). Equality treats numbers by
    /// value (`1` equals `1.0`); a missing value equals nothing, so `equal` and `not_equal`
    /// against a missing status are errors rather than quietly false or true.
    public func evaluate(_ left: JSONValue?, _ right: JSONValue?) -> Result<Bool, Failure> {
        switch self {
        case .equal, .notEqual:
            guard let left, let right else { return .failure(Failure(description: "no value to compare")) }
            let same = Self.equivalent(left, right)
            return .success(self == .equal ? same : !same)
        case .greaterThan, .greaterThanOrEqual, .lessThan, .lessThanOrEqual:
            guard let l = left?.doubleValue, let r = right?.doubleValue else {
                let shown = [left, right].map { $0.map { JSONWriter.compactString($0) } ?? "no value" }
                return .failure(Failure(description: "\(rawValue) needs two numbers, got \(shown[0]) and \(shown[1])"))
            }
            switch self {
            case .greaterThan: return .success(l > r)
            case .greaterThanOrEqual: return .success(l >= r)
            case .lessThan: return .success(l < r)
            default: return .success(l <= r)
            }
        case .and: return .success(Self.truthy(left) && Self.truthy(right))
        case .or: return .success(Self.truthy(left) || Self.truthy(right))
        case .exclusiveOr: return .success(Self.truthy(left) != Self.truthy(right))
        }
    }

    static func truthy(_ value: JSONValue?) -> Bool {
        guard let value, !value.isNull else { return false }
        return value.boolValue != false
    }

    /// JSON equality with numbers compared by value, at every depth.
    static func equivalent(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number, .number): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equivalent(value, $0) } ?? false }
        default: return a == b
        }
    }
}
