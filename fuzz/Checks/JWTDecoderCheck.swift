import Auth
import ConfigRepo
import Crypto

/// The JWT decoder (`JWTCodec.verify`) with a key made for the run. The first byte picks what
/// the rest is:
/// - 0: a token as a client sends it: it must be refused (nobody but the key signs);
/// - 1: claims (name, email, groups): signed and verified, they come back equal;
/// - 2: an edit (offset, byte) of a freshly signed token: refused, or read as the same claims.
public enum JWTDecoderCheck: FuzzCheck {
    public static let name = "jwt"
    static let codec = JWTCodec(key: RSAKey(pem: RSAKey.generatePEM(bits: 1024)!)!)
    static let now = 1_780_000_000
    static let audience = "fuzz.example"

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let first = input.first else { return }
        let rest = Array(input.dropFirst())
        switch first % 3 {
        case 0:
            let token = String(decoding: rest, as: UTF8.self)
            if let claims = try? codec.verify(token, audience: audience, now: now) {
                throw PropertyViolation("accepted a token it did not sign: \(claims)")
            }
        case 1:
            let claims = self.claims(rest)
            do {
                let read = try codec.verify(codec.sign(claims), audience: audience, now: now)
                try require(read == claims, "the claims changed on the way: \(claims) against \(read)")
            } catch let error as PropertyViolation {
                throw error
            } catch {
                throw PropertyViolation("refused its own token (\(error)) for \(claims)")
            }
        default:
            let claims = self.claims(Array(rest.dropFirst(3)))
            var token = Array(codec.sign(claims).utf8)
            guard rest.count >= 3 else { return }
            let offset = (Int(rest[0]) << 8 | Int(rest[1])) % token.count
            token[offset] = rest[2]
            guard let read = try? codec.verify(String(decoding: token, as: UTF8.self), audience: audience, now: now) else { return }
            try require(read == claims, "an edited token was read as other claims: \(read)")
        }
    }

    /// Claims whose free-text fields come from `bytes` (`\0`-separated: name, email, groups…).
    static func claims(_ bytes: [UInt8]) -> AccessTokenClaims {
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        return AccessTokenClaims(issuedAt: now - 10, expiresAt: now + 600, tokenID: "fuzz", audience: audience, subject: "user-fuzz",
                                 scopes: ["public"], name: fields.first ?? "", email: fields.count > 1 ? fields[1] : "",
                                 role: .user, groups: Array(fields.dropFirst(2)))
    }
}
