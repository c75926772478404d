import Crypto
import WebServer

/// The RS256 signing key in `<state>/auth/signing-key.pem` (mode 0600), generated on first start.
/// There is no built-in default key.
public enum SigningKeyStore {
    public static func loadOrCreate(authDirectory: String) throws -> RSAKey {
        let file = StateFile(directory: authDirectory, name: "signing-key.pem")
        if let bytes = try file.readBytes() {
            guard let key = RSAKey(pem: String(decoding: bytes, as: UTF8.self)) else {
                throw SigningKeyError(message: "\(file.path) is not an RSA private key")
            }
            return key
        }
        guard let pem = RSAKey.generatePEM(bits: 2048), let key = RSAKey(pem: pem) else {
            throw SigningKeyError(message: "OpenSSL could not generate an RSA key")
        }
        try file.write(Array(pem.utf8))
        return key
    }
}

public struct SigningKeyError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
