/// The naming rules of the Prometheus data model: metric names match
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`, and label names starting
/// with `__` are reserved for Prometheus itself.
public enum MetricName {
    public static func isValidMetric(_ name: String) -> Bool {
        valid(name, allowColon: true)
    }

    public static func isValidLabel(_ name: String) -> Bool {
        valid(name, allowColon: false) && !name.hasPrefix("__")
    }

    private static func valid(_ name: String, allowColon: Bool) -> Bool {
        guard !name.isEmpty else { return false }
        for (offset, byte) in name.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9") where offset > 0: continue
            case UInt8(ascii: ":") where allowColon: continue
            default: return false
            }
        }
        return true
    }
}
