/// Compares a presented webhook secret with the instance's in time that does not depend on
/// where they differ (only the lengths may leak).
enum SecretComparison {
    static func matches(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
