import ConfigRepo
import Crypto
import WebServer

/// Why a bearer token was refused. The client only ever sees "invalid token"; the reason goes
/// to the log.
public enum TokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge
    case malformed
    case unsupportedAlgorithm(String)
    case unknownKey
    case badSignature
    case expired
    case notYetValid
    case wrongIssuer
    case wrongAudience
    case revoked
    case unknownUser

    public var description: String {
        switch self {
        case .tooLarge: "token too large"
        case .malformed: "malformed token"
        case .unsupportedAlgorithm(let alg): "unsupported algorithm \"\(alg.prefix(16))\""
        case .unknownKey: "unknown key id"
        case .badSignature: "bad signature"
        case .expired: "expired"
        case .notYetValid: "issued in the future"
        case .wrongIssuer: "wrong issuer"
        case .wrongAudience: "wrong audience"
        case .revoked: "revoked (issued before sign-out, or revoked explicitly)"
        case .unknownUser: "user no longer exists"
        }
    }
}

/// Signs and verifies RS256 JWTs with one key. Only `RS256` is accepted on the way in: `none`,
/// HMAC and every other algorithm are refused before any signature work.
public struct JWTCodec: Sendable {
    public let key: RSAKey
    /// Longest token accepted, in bytes.
    public static let maximumLength = 8192
    /// Clock skew allowed on `iat`, in seconds.
    public static let leeway = 60

    public init(key: RSAKey) { self.key = key }

    public func sign(_ claims: AccessTokenClaims) -> String {
        let header = JSONWriter.compactString(.object(["alg": "RS256", "typ": "JWT", "kid": .string(key.keyID)]))
        let payload = JSONWriter.compactString(claims.json)
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        return signingInput + "." + Base64URL.encode(key.sign(Array(signingInput.utf8)))
    }

    /// The claims of a token signed by our key, unexpired, for `audience`. Revocation is the
    /// caller's concern (it needs the state directory).
    public func verify(_ token: String, audience: String, now: Int) throws(TokenRejection) -> AccessTokenClaims {
        guard token.utf8.count <= Self.maximumLength else { throw .tooLarge }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONParser.parse(headerBytes), let headerObject = header.objectValue
        else { throw .malformed }
        guard let alg = headerObject["alg"]?.stringValue else { throw .malformed }
        guard alg == "RS256" else { throw .unsupportedAlgorithm(alg) }
        if let kid = headerObject["kid"] {
            guard kid.stringValue == key.keyID else { throw .unknownKey }
        }
        guard let signature = Base64URL.decode(parts[2]), !signature.isEmpty else { throw .malformed }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.verify(signingInput, signature: signature) else { throw .badSignature }
        guard let payloadBytes = Base64URL.decode(parts[1]), let payload = try? JSONParser.parse(payloadBytes),
              let claims = AccessTokenClaims(json: payload) else { throw .malformed }
        guard claims.issuer == AccessTokenClaims.defaultIssuer else { throw .wrongIssuer }
        guard claims.expiresAt > now else { throw .expired }
        guard claims.issuedAt <= now + Self.leeway else { throw .notYetValid }
        guard claims.audience == audience else { throw .wrongAudience }
        return claims
    }
}
