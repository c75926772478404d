import ConfigRepo
import Crypto
import Testing
@testable import Auth

/// ID tokens from an OpenID provider (`IDTokenVerifier`, `JSONWebKeySet`): only RS256/ES256
/// signatures by the provider's keys, then issuer, audience, times and nonce.
@Suite struct IDTokenVerifierTests {
    static let signer = RSAKey(pem: RSAKey.generatePEM()!)!
    static let other = RSAKey(pem: RSAKey.generatePEM()!)!
    static let now = 1_800_000_000
    let verifier = IDTokenVerifier(issuer: "https://idp.example/tenant/v2.0", clientID: "client-1")

    static func jwks(_ keys: [RSAKey]) -> JSONWebKeySet {
        JSONWebKeySet(json: .object(["keys": .array(keys.map { key in .object(key.publicJWK.mapValues(JSONValue.string)) })]))!
    }

    static func claims(_ changes: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var claims: [String: JSONValue] = ["iss": "https://idp.example/tenant/v2.0", "aud": "client-1", "sub": "u-1",
                                           "iat": .int(now - 10), "exp": .int(now + 600), "nonce": "n-1", "email": "a@b.example"]
        for (key, value) in changes { claims[key] = value.isNull ? nil : value }
        return claims
    }

    static func token(_ claims: [String: JSONValue], header: [String: JSONValue]? = nil, key: RSAKey = signer) -> String {
        let head = header ?? ["alg": "RS256", "kid": .string(key.keyID)]
        let input = Base64URL.encode(JSONWriter.compactString(.object(head))) + "." + Base64URL.encode(JSONWriter.compactString(.object(claims)))
        return input + "." + Base64URL.encode(key.sign(Array(input.utf8)))
    }

    func verify(_ token: String, keys: JSONWebKeySet = jwks([signer]), nonce: String = "n-1") throws(IDTokenRejection) -> [String: JSONValue] {
        try verifier.verify(token, nonce: nonce, now: Self.now) { keys.candidates(kid: $0.keyID, algorithm: $0.algorithm) }
    }

    @Test func aGoodTokenGivesItsClaims() throws {
        #expect(try verify(Self.token(Self.claims()))["sub"] == "u-1")
        // Several audiences need azp = our client.
        #expect(try verify(Self.token(Self.claims(["aud": ["client-1", "other"], "azp": "client-1"])))["sub"] == "u-1")
    }

    @Test func algorithmsOtherThanRS256AndES256AreRefusedBeforeAnyKeyIsLookedFor() {
        let body = Base64URL.encode(JSONWriter.compactString(.object(Self.claims())))
        let none = Base64URL.encode(#"{"alg":"none"}"#) + "." + body + "."
        #expect(throws: IDTokenRejection.algorithmNotAllowed("none")) { try verify(none) }
        let publicPEMAsSecret = Array(Self.signer.publicJWK["n"]!.utf8)
        let hsInput = Base64URL.encode(#"{"alg":"HS256"}"#) + "." + body
        let hs = hsInput + "." + Base64URL.encode(HMAC.code(.sha256, key: publicPEMAsSecret, message: Array(hsInput.utf8)))
        #expect(throws: IDTokenRejection.algorithmNotAllowed("HS256")) { try verify(hs) }
    }

    @Test func signaturesByOtherKeysOrAlteredTokensAreRefused() {
        #expect(throws: IDTokenRejection.unknownKey(Self.other.keyID)) { try verify(Self.token(Self.claims(), key: Self.other)) }
        // A key the JWKS has under the id of another key.
        let forged = Self.token(Self.claims(), header: ["alg": "RS256", "kid": .string(Self.signer.keyID)], key: Self.other)
        #expect(throws: IDTokenRejection.badSignature) { try verify(forged) }
        var parts = Self.token(Self.claims()).split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(JSONWriter.compactString(.object(Self.claims(["sub": "admin"]))))
        #expect(throws: IDTokenRejection.badSignature) { try verify(parts.joined(separator: ".")) }
        #expect(throws: IDTokenRejection.self) { try verify("a.b") }
    }

    @Test func claimsAreChecked() {
        #expect(throws: IDTokenRejection.wrongIssuer("https://evil.example")) { try verify(Self.token(Self.claims(["iss": "https://evil.example"]))) }
        #expect(throws: IDTokenRejection.wrongAudience) { try verify(Self.token(Self.claims(["aud": "other"]))) }
        #expect(throws: IDTokenRejection.wrongAudience) { try verify(Self.token(Self.claims(["aud": ["client-1", "other"]]))) }
        #expect(throws: IDTokenRejection.expired) { try verify(Self.token(Self.claims(["exp": .int(Self.now - 300)]))) }
        #expect(throws: IDTokenRejection.issuedInFuture) { try verify(Self.token(Self.claims(["iat": .int(Self.now + 600)]))) }
        #expect(throws: IDTokenRejection.wrongNonce) { try verify(Self.token(Self.claims()), nonce: "n-2") }
        #expect(throws: IDTokenRejection.wrongNonce) { try verify(Self.token(Self.claims(["nonce": .null]))) }
        #expect(throws: IDTokenRejection.noSubject) { try verify(Self.token(Self.claims(["sub": ""]))) }
        // A little clock skew is fine.
        #expect(throws: Never.self) { try verify(Self.token(Self.claims(["exp": .int(Self.now - 30), "iat": .int(Self.now + 30)]))) }
    }

    /// Found by the `idtoken` fuzz target (fuzz/corpus/idtoken/exp-*): a signed `exp` of
    /// 9223372036854775807 overflowed `exp + skew`, and `1e300` trapped converting to Int; both
    /// stopped the server. A far future is a time; a number past any clock is not one.
    @Test func timesPastAnyClockAreReadWithoutTrapping() throws {
        #expect(try verify(Self.token(Self.claims(["exp": .int(Int.max)])))["sub"] == "u-1")
        #expect(throws: IDTokenRejection.issuedInFuture) { try verify(Self.token(Self.claims(["nbf": .int(Int.max)]))) }
        #expect(throws: IDTokenRejection.expired) { try verify(Self.token(Self.claims(["exp": .int(Int.min)]))) }
        for huge in ["1e300", "-1e300", "1e400", "9.3e18"] {
            #expect(throws: IDTokenRejection.malformed("no exp, or not a time")) { try verify(Self.token(Self.claims(["exp": .number(huge)]))) }
            #expect(throws: IDTokenRejection.malformed("no iat, or not a time")) { try verify(Self.token(Self.claims(["iat": .number(huge)]))) }
        }
        // A fraction is cut off, as before.
        #expect(try verify(Self.token(Self.claims(["exp": .number("1800000600.5"), "iat": .number("1799999990.25")])))["sub"] == "u-1")
    }

    @Test func theKeySetKeepsOnlySigningKeysItCanUse() {
        var jwk = Self.signer.publicJWK.mapValues(JSONValue.string)
        jwk["use"] = "enc"
        let set = JSONWebKeySet(json: .object(["keys": [.object(jwk), ["kty": "oct", "k": "AAAA"], ["kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"]]]))
        #expect(set?.keys.isEmpty == true)
        #expect(JSONWebKeySet(json: ["nokeys": true]) == nil)
        #expect(Self.jwks([Self.signer, Self.other]).candidates(kid: nil, algorithm: .rs256).count == 2)
        #expect(Self.jwks([Self.signer]).candidates(kid: Self.signer.keyID, algorithm: .es256).isEmpty)
    }

    @Test func identitiesReadEntraStyleClaims() {
        let identity = SSOIdentity.from(claims: ["sub": "abc", "preferred_username": "ada@contoso.example", "given_name": "Ada",
                                                 "family_name": "L", "roles": ["bo-admins"]], mappings: [:], strategyID: "oauth_strat-x")
        #expect(identity == SSOIdentity(strategyID: "oauth_strat-x", uid: "abc", email: "ada@contoso.example", name: "Ada L", groups: ["bo-admins"]))
        let mapped = SSOIdentity.from(claims: ["id": .int(42), "mail": "g@h.example", "login": "gh"],
                                      mappings: ["uid": "id", "email": "mail", "name": "login"], strategyID: "oauth_strat-gh")
        #expect(mapped?.uid == "42" && mapped?.email == "g@h.example" && mapped?.name == "gh")
        #expect(SSOIdentity.from(claims: ["email": "x@y.example"], mappings: [:], strategyID: "s") == nil)
    }
}
