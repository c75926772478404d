import Crypto
import Testing

@Test func hkdfMatchesRFC5869() throws {
    let ikm = [UInt8](repeating: 0x0b, count: 22)
    // Test case 3: no salt, no info.
    let okm3 = try #require(KeyDerivation.hkdfSHA256(key: ikm, info: [], length: 42))
    #expect(Hex.encode(okm3) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    // Test case 1: salt 00…0c, info f0…f9.
    let okm1 = try #require(KeyDerivation.hkdfSHA256(key: ikm, salt: Array(0...12), info: Array(0xf0...0xf9), length: 42))
    #expect(Hex.encode(okm1) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
}

@Test func scryptMatchesRFC7914() throws {
    // Section 12, second vector: "password", salt "NaCl", N = 1024, r = 8, p = 16, 64 bytes.
    let derived = try #require(KeyDerivation.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8),
                                                    n: 1024, r: 8, p: 16, length: 64))
    #expect(Hex.encode(derived) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    #expect(KeyDerivation.scrypt(password: [], salt: [], n: 3, r: 8, p: 1, length: 32) == nil)  // N not a power of two
}

@Test func aesGCMOpensWhatItSealsAndNothingAltered() throws {
    let key = SecureRandom.bytes(AES256GCM.keyLength), nonce = SecureRandom.bytes(AES256GCM.nonceLength)
    let aad = Array("binding".utf8)
    for plaintext in [[], Array("hunter2".utf8), [UInt8](repeating: 7, count: 1000)] {
        let sealed = try #require(AES256GCM.seal(key: key, nonce: nonce, aad: aad, plaintext: plaintext))
        #expect(sealed.count == plaintext.count + AES256GCM.tagLength)
        #expect(AES256GCM.open(key: key, nonce: nonce, aad: aad, sealed: sealed) == plaintext)
        var altered = sealed
        altered[0] ^= 1
        #expect(AES256GCM.open(key: key, nonce: nonce, aad: aad, sealed: altered) == nil)
        #expect(AES256GCM.open(key: key, nonce: nonce, aad: Array("other".utf8), sealed: sealed) == nil)
    }
    #expect(AES256GCM.seal(key: [1, 2], nonce: nonce, aad: [], plaintext: [1]) == nil)
    #expect(AES256GCM.open(key: key, nonce: nonce, aad: [], sealed: [1, 2, 3]) == nil)
}
