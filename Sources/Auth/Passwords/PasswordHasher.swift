import Crypto
import WebServer

/// Hashes and checks passwords with scrypt (`KeyDerivation.scrypt`).
///
/// Stored form: `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>` — the parameters travel
/// with the hash, so they can be raised later without breaking existing hashes.
public struct PasswordHasher: Sendable {
    public var costN: UInt64
    public var blockSize: UInt64
    public var parallelism: UInt64

    /// Production cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds).
    public static let standard = PasswordHasher(costN: 1 << 15, blockSize: 8, parallelism: 1)
    /// A cheap setting for tests only.
    public static let fastForTests = PasswordHasher(costN: 1 << 10, blockSize: 8, parallelism: 1)

    /// Longest password accepted (bytes): anything longer is refused, not truncated.
    public static let maximumLength = 1024
    public static let minimumLength = 8

    public init(costN: UInt64, blockSize: UInt64, parallelism: UInt64) {
        self.costN = costN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(16)
        let derived = Self.derive(password, salt: salt, n: costN, r: blockSize, p: parallelism)!
        return "scrypt$\(costN)$\(blockSize)$\(parallelism)$\(Base64URL.encode(salt))$\(Base64URL.encode(derived))"
    }

    /// Whether `password` matches `stored`. A malformed stored hash never matches.
    public static func verify(_ password: String, against stored: String) -> Bool {
        guard password.utf8.count <= maximumLength else { return false }
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let n = UInt64(parts[1]), let r = UInt64(parts[2]), let p = UInt64(parts[3]),
              n >= 2, n <= 1 << 20, n & (n - 1) == 0, (1...32).contains(r), (1...16).contains(p),
              let salt = Base64URL.decode(parts[4]), let expected = Base64URL.decode(parts[5]), expected.count == 32,
              let derived = derive(password, salt: salt, n: n, r: r, p: p)
        else { return false }
        return ConstantTime.equal(derived, expected)
    }

    /// Spends the same effort as a real check, so unknown accounts take as long as known ones.
    public func burn(_ password: String) {
        _ = Self.derive(password, salt: [UInt8](repeating: 0, count: 16), n: costN, r: blockSize, p: parallelism)
    }

    private static func derive(_ password: String, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64) -> [UInt8]? {
        KeyDerivation.scrypt(password: Array(password.utf8), salt: salt, n: n, r: r, p: p, length: 32)
    }
}
