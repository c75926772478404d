import COpenSSL

/// The few OpenSSL primitives settings encryption needs, as plain Swift functions over
/// byte arrays: random bytes, HKDF-SHA256 and AES-256-GCM. Internal: the rest of the code
/// uses ``SecretBox``.
enum SettingsCrypto {
    /// Length of an AES-256 key.
    static let keyLength = 32
    /// Length of a GCM nonce (the standard 96 bits).
    static let nonceLength = 12
    /// Length of a GCM tag (full 128 bits).
    static let tagLength = 16

    /// `count` bytes from OpenSSL's CSPRNG, or nil when it fails (which it should not).
    static func randomBytes(_ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        let status = out.withUnsafeMutableBufferPointer { buffer in
            RAND_bytes(buffer.baseAddress, Int32(count))
        }
        return status == 1 ? out : nil
    }

    /// HKDF with SHA-256 (RFC 5869). An empty salt means "no salt" (HashLen zero bytes).
    static func hkdfSHA256(key: [UInt8], salt: [UInt8] = [], info: [UInt8], length: Int) -> [UInt8]? {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_derive_init(context) == 1,
              EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) == 1 else { return nil }
        let keyOK = key.withUnsafeBufferPointer { EVP_PKEY_CTX_set1_hkdf_key(context, $0.baseAddress, Int32(key.count)) }
        guard keyOK == 1 else { return nil }
        if !salt.isEmpty {
            let saltOK = salt.withUnsafeBufferPointer { EVP_PKEY_CTX_set1_hkdf_salt(context, $0.baseAddress, Int32(salt.count)) }
            guard saltOK == 1 else { return nil }
        }
        if !info.isEmpty {
            let infoOK = info.withUnsafeBufferPointer { EVP_PKEY_CTX_add1_hkdf_info(context, $0.baseAddress, Int32(info.count)) }
            guard infoOK == 1 else { return nil }
        }
        var out = [UInt8](repeating: 0, count: length)
        var outLength = length
        let status = out.withUnsafeMutableBufferPointer { EVP_PKEY_derive(context, $0.baseAddress, &outLength) }
        guard status == 1, outLength == length else { return nil }
        return out
    }

    /// AES-256-GCM encryption: returns `ciphertext || tag`, or nil on an OpenSSL failure.
    static func sealAES256GCM(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength,
              let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return nil }
        var scratch: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &scratch, aad, Int32(aad.count)) == 1 else { return nil }
        }
        // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var written: Int32 = 0
        let ok = out.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(context, base, &written, plaintext, Int32(plaintext.count)) == 1,
                      Int(written) == plaintext.count else { return false }
            }
            var final: Int32 = 0
            guard EVP_EncryptFinal_ex(context, base + plaintext.count, &final) == 1, final == 0 else { return false }
            return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), base + plaintext.count) == 1
        }
        return ok ? out : nil
    }

    /// AES-256-GCM decryption of `ciphertext || tag`: the plaintext, or nil when the tag
    /// does not verify (wrong key, wrong AAD, altered bytes).
    static func openAES256GCM(key: [UInt8], nonce: [UInt8], aad: [UInt8], sealed: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength, sealed.count >= tagLength,
              let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { return nil }
        var scratch: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &scratch, aad, Int32(aad.count)) == 1 else { return nil }
        }
        let ciphertextLength = sealed.count - tagLength
        var tag = Array(sealed[ciphertextLength...])
        var out = [UInt8](repeating: 0, count: max(ciphertextLength, 1))
        let ok = out.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            var written: Int32 = 0
            if ciphertextLength > 0 {
                let status = sealed.withUnsafeBufferPointer { input in
                    EVP_DecryptUpdate(context, base, &written, input.baseAddress, Int32(ciphertextLength))
                }
                guard status == 1, Int(written) == ciphertextLength else { return false }
            }
            let tagOK = tag.withUnsafeMutableBufferPointer { tagBuffer in
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), tagBuffer.baseAddress)
            }
            guard tagOK == 1 else { return false }
            var final: Int32 = 0
            return EVP_DecryptFinal_ex(context, base + ciphertextLength, &final) == 1
        }
        guard ok else { return nil }
        return Array(out.prefix(ciphertextLength))
    }
}
