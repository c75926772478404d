import Crypto

extension SecretBox {
    /// 32 bytes derived from the deployment secret for one purpose and subject, the same on
    /// every start and every node of the deployment, different for any other purpose or
    /// subject: HKDF-SHA256 of the box's key with info `backoffice derived v1`, 0, `purpose`,
    /// 0, `subject`. Used where a secret must exist without being written anywhere (a zone
    /// trigger's instance in each of its systems gets its own webhook secret).
    public func derivedSecret(purpose: String, subject: String) -> [UInt8] {
        let info = Array("backoffice derived v1".utf8) + [0] + Array(purpose.utf8) + [0] + Array(subject.utf8)
        guard let bytes = KeyDerivation.hkdfSHA256(key: key, info: info, length: 32) else {
            fatalError("OpenSSL HKDF-SHA256 failed; the crypto library is unusable")
        }
        return bytes
    }
}
