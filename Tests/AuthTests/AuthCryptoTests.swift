import ConfigRepo
import Crypto
import Testing
@testable import Auth
@testable import WebServer

/// One RSA key pair per test run (generation is the slow part).
enum TestKeys {
    static let primary = RSAKey(pem: RSAKey.generatePEM()!)!
    static let other = RSAKey(pem: RSAKey.generatePEM()!)!
}

func sampleClaims(now: Int = 1_800_000_000, audience: String = "localhost", role: Role = .admin) -> AccessTokenClaims {
    AccessTokenClaims(issuedAt: now, expiresAt: now + 7200, audience: audience, subject: "user-alice",
                      scopes: ["public"], name: "Alice", email: "alice@example.com", role: role, groups: ["staff"])
}

@Test func passwordsHashWithScryptAndOnlyTheRightOneMatches() {
    let hasher = PasswordHasher.fastForTests
    let stored = hasher.hash("correct horse battery")
    #expect(stored.hasPrefix("scrypt$1024$8$1$"))
    #expect(PasswordHasher.verify("correct horse battery", against: stored))
    #expect(!PasswordHasher.verify("correct horse batterY", against: stored))
    #expect(!PasswordHasher.verify("", against: stored))
    #expect(hasher.hash("same") != hasher.hash("same"))   // salted
    #expect(!PasswordHasher.verify("x", against: "scrypt$3$8$1$AAAA$AAAA"))  // N not a power of two
    #expect(!PasswordHasher.verify("x", against: "plain"))
    #expect(!PasswordHasher.verify(String(repeating: "a", count: 5000), against: stored))
}

@Test func jwtRoundTripCarriesThePlaceOSClaims() throws {
    let codec = JWTCodec(key: TestKeys.primary)
    let claims = sampleClaims()
    let token = codec.sign(claims)
    let back = try codec.verify(token, audience: "localhost", now: claims.issuedAt + 10)
    #expect(back == claims)
    #expect(back.role == .admin && back.permissionBits == 3)
    let payload = try JSONParser.parse(Base64URL.decode(token.split(separator: ".")[1])!)
    #expect(payload["iss"]?.stringValue == "POS")
    #expect(payload["u"]?["p"]?.intValue == 3)
    #expect(payload["u"]?["e"]?.stringValue == "alice@example.com")
    #expect(payload["scope"]?.arrayValue?.count == 1)
}

@Test func jwtRefusesForgedNoneHMACExpiredWrongAudienceAndWrongKey() throws {
    let codec = JWTCodec(key: TestKeys.primary)
    let now = 1_800_000_000
    let good = codec.sign(sampleClaims(now: now))
    let parts = good.split(separator: ".").map(String.init)
    func reject(_ token: String, audience: String = "localhost", at time: Int = now + 5) -> TokenRejection? {
        do { _ = try codec.verify(token, audience: audience, now: time); return nil } catch { return error }
    }
    // Forged: payload changed (role raised), signature kept.
    var forgedClaims = sampleClaims(now: now, role: .user)
    forgedClaims.permissionBits = 3
    let forgedPayload = Base64URL.encode(JSONWriter.compactString(forgedClaims.json))
    #expect(reject(parts[0] + "." + forgedPayload + "." + parts[2]) == .badSignature)
    // alg: none, with and without a signature.
    let noneHeader = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")
    #expect(reject(noneHeader + "." + parts[1] + ".") == .unsupportedAlgorithm("none"))
    #expect(reject(noneHeader + "." + parts[1] + "." + parts[2]) == .unsupportedAlgorithm("none"))
    let hmacHeader = Base64URL.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")
    #expect(reject(hmacHeader + "." + parts[1] + "." + parts[2]) == .unsupportedAlgorithm("HS256"))
    // Expired, wrong audience, wrong key, issued in the future.
    #expect(reject(good, at: now + 7200) == .expired)
    #expect(reject(good, audience: "evil.example") == .wrongAudience)
    #expect(reject(JWTCodec(key: TestKeys.other).sign(sampleClaims(now: now))) == .unknownKey)
    let otherKeyNoKid = Base64URL.encode("{\"alg\":\"RS256\"}")
    let otherSigned = otherKeyNoKid + "." + parts[1]
    let otherSignature = Base64URL.encode(TestKeys.other.sign(Array(otherSigned.utf8)))
    #expect(reject(otherSigned + "." + otherSignature) == .badSignature)
    #expect(reject(good, at: now - 3600) == .notYetValid)
    // Malformed and oversized.
    #expect(reject("not-a-token") == .malformed)
    #expect(reject("a.b.c") == .malformed)
    #expect(reject(parts[0] + "." + parts[1] + ".!!!") == .malformed)
    #expect(reject(String(repeating: "a", count: 9000)) == .tooLarge)
}

@Test func apiKeySecretsAreSaltedAndBoundToTheirID() {
    let (secret, hash) = APIKeySecret.make(id: "key-abc")
    #expect(hash.hasPrefix("hmac-sha512$"))
    #expect(!hash.contains(secret))
    #expect(APIKeySecret.matches(secret: secret, id: "key-abc", storedHash: hash))
    #expect(!APIKeySecret.matches(secret: secret + "x", id: "key-abc", storedHash: hash))
    #expect(!APIKeySecret.matches(secret: secret, id: "key-abd", storedHash: hash))
    #expect(!APIKeySecret.matches(secret: secret, id: "key-abc", storedHash: "hmac-sha512$$"))
    #expect(APIKeySecret.make(id: "key-abc").hash != APIKeySecret.make(id: "key-abc").hash)
    #expect(APIKeySecret.split("key-abc.s3cret")! == ("key-abc", "s3cret"))
    #expect(APIKeySecret.split("nodot") == nil)
    #expect(APIKeySecret.split("user-x.secret") == nil)
    #expect(APIKeySecret.split("key-a." + String(repeating: "x", count: 300)) == nil)
}

@Test func scopesFollowPlaceOSRules() {
    #expect(Scope.allows(nil, "systems.write"))
    #expect(Scope.allows(["public"], "drivers.write"))
    #expect(Scope.allows(["systems"], "systems.write"))
    #expect(Scope.allows(["systems.read"], "systems.read"))
    #expect(!Scope.allows(["systems.read"], "systems.write"))
    #expect(!Scope.allows(["zones"], "systems.read"))
    #expect(!Scope.allows(["systems.read"], nil))
    #expect(Scope.isWellFormed("systems.read") && Scope.isWellFormed("public"))
    #expect(!Scope.isWellFormed("systems.delete") && !Scope.isWellFormed("Sys tems") && !Scope.isWellFormed(""))
}
