import Auth
import ConfigRepo
import Crypto

/// The OpenID Connect ID token check (`IDTokenVerifier.header` and `verify`) against a JWKS
/// holding one RSA key made for the run. The first byte picks what the rest is:
/// - 0: a whole token as a provider's answer would carry it: refused (nobody but the run holds
///   the key), and a header it reads names RS256 or ES256 exactly;
/// - 1: the claims (JSON text), signed RS256 with the key: accepted only when they are right
///   (our issuer, our client id among the audiences, and `azp` when it must be, not expired,
///   not issued in the future, our nonce, a subject);
/// - 2: the header (JSON text) over good claims, signed with the key: accepted only when it
///   says `"alg":"RS256"` and names our key or none (`none`, `HS256`, an unknown or misspelt
///   algorithm never is, whatever the signature).
public enum IDTokenCheck: FuzzCheck {
    public static let name = "idtoken"
    static let key = RSAKey(pem: RSAKey.generatePEM(bits: 2048)!)!
    static let jwks = JSONWebKeySet(json: .object(["keys": [.object(key.publicJWK.mapValues(JSONValue.string))]]))!
    static let verifier = IDTokenVerifier(issuer: "https://idp.fuzz", clientID: "fuzz-client")
    static let now = 1_780_000_000
    static let nonce = "fuzz-nonce"
    static let goodClaims = JSONWriter.compactString(.object([
        "iss": "https://idp.fuzz", "aud": "fuzz-client", "sub": "s-1", "nonce": .string(nonce),
        "iat": .int(now - 10), "exp": .int(now + 600)]))

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let first = input.first else { return }
        let rest = Array(input.dropFirst())
        switch first % 3 {
        case 0:
            let token = String(decoding: rest, as: UTF8.self)
            if let header = try? IDTokenVerifier.header(of: token) {
                let alg = headerObject(token)?["alg"]?.stringValue
                try require(alg == header.algorithm.rawValue && ["RS256", "ES256"].contains(alg),
                            "the header's alg \(String(describing: alg)) was read as \(header.algorithm)")
            }
            if let claims = try? verify(token) {
                throw PropertyViolation("accepted a token the run's key did not sign: \(claims)")
            }
        case 1:
            let header = JSONWriter.compactString(.object(["alg": "RS256", "kid": .string(key.keyID)]))
            guard let claims = try? verify(signed(header: Array(header.utf8), payload: rest)) else { return }
            try require(areRight(claims), "accepted wrong claims: \(JSONWriter.compactString(.object(claims)))")
        default:
            let token = signed(header: rest, payload: Array(goodClaims.utf8))
            guard (try? verify(token)) != nil else { return }
            let header = headerObject(token)
            try require(header?["alg"]?.stringValue == "RS256", "accepted a token whose header is \(String(decoding: rest, as: UTF8.self).debugDescription)")
            let kid = header?["kid"]
            try require(kid == nil || kid?.stringValue == key.keyID, "accepted a token naming another key: \(String(describing: kid))")
        }
    }

    static func verify(_ token: String) throws(IDTokenRejection) -> [String: JSONValue] {
        try verifier.verify(token, nonce: nonce, now: now) { jwks.candidates(kid: $0.keyID, algorithm: $0.algorithm) }
    }

    static func signed(header: [UInt8], payload: [UInt8]) -> String {
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        return input + "." + Base64URL.encode(key.sign(Array(input.utf8)))
    }

    static func headerObject(_ token: String) -> [String: JSONValue]? {
        guard let part = token.split(separator: ".", omittingEmptySubsequences: false).first,
              let bytes = Base64URL.decode(part) else { return nil }
        return (try? JSONParser.parse(bytes))?.objectValue
    }

    /// The claim rules, said again independently of the verifier.
    static func areRight(_ claims: [String: JSONValue]) -> Bool {
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        let azpRight = (audiences.count <= 1 && claims["azp"] == nil) || claims["azp"]?.stringValue == "fuzz-client"
        // Whole seconds, a fraction cut off as the verifier cuts it.
        func seconds(_ name: String) -> Double? { claims[name]?.intValue.map(Double.init) ?? claims[name]?.doubleValue?.rounded(.towardZero) }
        let skew = Double(verifier.skew)
        return claims["iss"]?.stringValue == "https://idp.fuzz" && audiences.contains("fuzz-client") && azpRight
            && (seconds("exp").map { $0 + skew > Double(now) } ?? false)
            && (seconds("iat").map { $0 <= Double(now) + skew } ?? false)
            && claims["nonce"]?.stringValue == nonce && !(claims["sub"]?.stringValue ?? "").isEmpty
    }
}
