import ConfigRepo
import Crypto

/// Why an ID token was refused (for the log; the visitor sees only that sign-in failed).
public enum IDTokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case algorithmNotAllowed(String)
    case unknownKey(String?)
    case badSignature
    case wrongIssuer(String)
    case wrongAudience
    case expired
    case issuedInFuture
    case wrongNonce
    case noSubject

    public var description: String {
        switch self {
        case .malformed(let what): "malformed ID token: \(what)"
        case .algorithmNotAllowed(let alg): "ID token algorithm \"\(alg.prefix(16))\" is not allowed (RS256 or ES256 only)"
        case .unknownKey(let kid): "ID token signed with a key the provider's JWKS does not have (kid \(kid.map { "\"\($0.prefix(64))\"" } ?? "none"))"
        case .badSignature: "ID token signature does not verify"
        case .wrongIssuer(let issuer): "ID token issuer \"\(issuer.prefix(200))\" is not the provider's"
        case .wrongAudience: "ID token audience is not our client id"
        case .expired: "ID token expired"
        case .issuedInFuture: "ID token issued in the future (or not valid yet)"
        case .wrongNonce: "ID token nonce differs from the one of this sign-in"
        case .noSubject: "ID token has no subject (sub)"
        }
    }
}

/// Checks an OpenID Connect ID token (OIDC Core §3.1.3.7): a compact JWS signed RS256 or
/// ES256 by one of the provider's keys (`none`, HMAC and everything else are refused before
/// any signature work, so a public key used as an HMAC secret gets nowhere), then `iss`, `aud`
/// (and `azp` when there are several audiences), `exp`, `iat`/`nbf` with a small skew, and
/// the `nonce` of this sign-in.
public struct IDTokenVerifier: Sendable {
    public var issuer: String
    public var clientID: String
    /// Seconds of clock difference tolerated with the provider.
    public var skew: Int

    public static let maximumLength = 16 * 1024

    public init(issuer: String, clientID: String, skew: Int = 120) {
        self.issuer = issuer
        self.clientID = clientID
        self.skew = skew
    }

    /// The header's algorithm and key id, checked before any key is looked for.
    public struct Header: Sendable {
        public var algorithm: SignatureAlgorithm
        public var keyID: String?
    }

    public static func header(of token: String) throws(IDTokenRejection) -> Header {
        guard token.utf8.count <= maximumLength else { throw .malformed("larger than \(maximumLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("not three dot-separated parts") }
        guard let bytes = Base64URL.decode(parts[0]), let header = (try? JSONParser.parse(bytes))?.objectValue else {
            throw .malformed("the header is not base64url JSON")
        }
        guard let alg = header["alg"]?.stringValue else { throw .malformed("no alg") }
        guard let algorithm = SignatureAlgorithm(rawValue: alg) else { throw .algorithmNotAllowed(alg) }
        return Header(algorithm: algorithm, keyID: header["kid"]?.stringValue)
    }

    /// The token's claims when every check passes. `keys` gives the candidate keys for the
    /// header (the caller refetches the JWKS once when it has none).
    public func verify(_ token: String, nonce: String, now: Int,
                       keys: (Header) -> [PublicKey]) throws(IDTokenRejection) -> [String: JSONValue] {
        let header = try Self.header(of: token)
        let candidates = keys(header)
        guard !candidates.isEmpty else { throw .unknownKey(header.keyID) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard let signature = Base64URL.decode(parts[2]), !signature.isEmpty else { throw .malformed("the signature is not base64url") }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard candidates.contains(where: { $0.verify(header.algorithm, message: signingInput, signature: signature) }) else {
            throw .badSignature
        }
        guard let payload = Base64URL.decode(parts[1]), let claims = (try? JSONParser.parse(payload))?.objectValue else {
            throw .malformed("the payload is not base64url JSON")
        }
        try check(claims, nonce: nonce, now: now)
        return claims
    }

    /// A NumericDate claim (`exp`, `iat`, `nbf`) in whole seconds, a fraction cut off; nil when
    /// absent, not a number, or past any clock (a provider's `1e300` or `9223372036854775807` is
    /// compared, never converted or added to: either would trap).
    static func seconds(_ value: JSONValue?) -> Int? {
        if let whole = value?.intValue { return whole }
        guard let double = value?.doubleValue, double.isFinite, abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    /// The claim checks alone (after the signature).
    func check(_ claims: [String: JSONValue], nonce: String, now: Int) throws(IDTokenRejection) {
        let iss = claims["iss"]?.stringValue ?? ""
        guard iss == issuer else { throw .wrongIssuer(iss) }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(clientID) else { throw .wrongAudience }
        if audiences.count > 1 || claims["azp"] != nil {
            guard claims["azp"]?.stringValue == clientID else { throw .wrongAudience }
        }
        guard let expires = Self.seconds(claims["exp"]) else { throw .malformed("no exp, or not a time") }
        guard expires > now - skew else { throw .expired }
        guard let issuedAt = Self.seconds(claims["iat"]) else { throw .malformed("no iat, or not a time") }
        guard issuedAt <= now + skew else { throw .issuedInFuture }
        if let notBefore = Self.seconds(claims["nbf"]), notBefore > now + skew { throw .issuedInFuture }
        guard let presented = claims["nonce"]?.stringValue, ConstantTime.equal(presented, nonce) else { throw .wrongNonce }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else { throw .noSubject }
    }
}
