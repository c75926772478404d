/// A module's merged settings over the driver's defaults, read by key and type.
///
/// `settings.get("vacancy_timeout_minutes", default: 30.0)` returns the configured value when it
/// has the right type, else the driver's default setting, else the given default. A configured
/// value of the wrong type is reported once through `problems` and ignored.
public struct Settings: Sendable {
    public let values: JSON
    public let defaults: JSON

    public init(values: JSON, defaults: JSON = [:]) {
        self.values = values
        self.defaults = defaults
    }

    public func get<T: JSONReadable>(_ key: String, default fallback: T) -> T {
        (try? require(key, as: T.self)) ?? fallback
    }

    public func get<T: JSONReadable>(_ key: String, as type: T.Type = T.self) -> T? {
        try? require(key, as: type)
    }

    /// The setting `key`, or an error naming the key and what is wrong with it.
    public func require<T: JSONReadable>(_ key: String, as type: T.Type = T.self) throws(DriverError) -> T {
        for source in [values, defaults] {
            guard let raw = source[key], raw != .null else { continue }
            guard let value = T(json: raw) else {
                throw .failed("setting \"\(key)\" must be \(T.self), got \(raw.typeName) \(raw.serialized)")
            }
            return value
        }
        throw .failed("setting \"\(key)\" is not set")
    }

    /// Keys whose configured value does not fit the driver's settings schema.
    public func problems(against schema: JSON?) -> [String] {
        guard let schema, case .object = values else { return [] }
        if let problem = Schema(schema).problem(with: values, at: "settings") { return [problem] }
        return []
    }
}
