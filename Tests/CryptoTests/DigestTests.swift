import Crypto
import Testing

@Test func digestsMatchPublishedVectors() {
    // FIPS 180-4 / RFC 1321 test vectors for "abc".
    #expect(Digest.md5.hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
    #expect(Digest.sha1.hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
    #expect(Digest.sha256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest.sha512.hex("abc") == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
    #expect(Digest.md5.hex("") == "d41d8cd98f00b204e9800998ecf8427e")
    #expect([Digest.md5, .sha1, .sha256, .sha512].map(\.byteCount) == [16, 20, 32, 64])
}

@Test func aStreamedDigestEqualsTheOneShotDigest() throws {
    let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let stream = try #require(DigestStream(.sha1))
    for start in stride(from: 0, to: bytes.count, by: 7_001) {
        let piece = Array(bytes[start..<min(start + 7_001, bytes.count)])
        #expect(piece.withUnsafeBytes { stream.update($0) })
    }
    #expect(stream.finish() == Digest.sha1.hash(bytes))
}

@Test func tokenNamesAreBase64URLOfSHA256() {
    #expect(Digest.sha256.base64URL(of: "abc") == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0")
}

@Test func hmacMatchesRFC4231() {
    // Test case 2: key "Jefe", data "what do ya want for nothing?".
    let key = Array("Jefe".utf8), message = Array("what do ya want for nothing?".utf8)
    #expect(Hex.encode(HMAC.code(.sha256, key: key, message: message))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    #expect(Hex.encode(HMAC.code(.sha512, key: key, message: message))
            == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    #expect(HMAC.code(.sha256, key: [], message: []).count == 32)
}

@Test func constantTimeComparisonComparesEveryByteAndTheLength() {
    #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
    #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
    #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
    #expect(ConstantTime.equal("token", "token") && !ConstantTime.equal("token", "tokem"))
    #expect(ConstantTime.equal([], []))
}

@Test func randomBytesDifferAndTokensHaveTheirLength() {
    #expect(SecureRandom.bytes(32).count == 32)
    #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    #expect(SecureRandom.token(32).count == 43)
    #expect(SecureRandom.hex(16).count == 32 && SecureRandom.hex(16).allSatisfy(\.isHexDigit))
    #expect(SecureRandom.bytes(0).isEmpty)
}
