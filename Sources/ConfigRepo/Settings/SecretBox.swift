import Crypto
import Foundation

/// Seals and opens `enc:v1:` envelopes: one JSON value encrypted with AES-256-GCM under a
/// key derived from the ``DeploymentSecret``, bound to a ``SecretBinding``.
///
/// Envelope text: `enc:v1:` followed by standard base64 (with padding) of
/// `nonce (12 bytes) || ciphertext || tag (16 bytes)`. The plaintext is the compact
/// canonical JSON of the value (`JSONWriter.compactString`: sorted keys, no spaces), so
/// strings, numbers, booleans, arrays and objects all round-trip. The key is
/// HKDF-SHA256(secret, no salt, info `backoffice settings v1`, 32 bytes), derived once per
/// box. The additional data is ``SecretBinding/additionalData``. The nonce is random per
/// seal, so sealing the same value twice gives different text.
///
/// See `docs/settings-and-secrets.md` for the full format.
public struct SecretBox: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The prefix every envelope starts with.
    public static let envelopePrefix = "enc:v1:"
    /// The HKDF `info` string of the settings key.
    public static let keyDerivationInfo = "backoffice settings v1"
    /// Nonce plus tag: the smallest decoded envelope is one byte longer.
    static let overhead = AES256GCM.nonceLength + AES256GCM.tagLength

    /// The envelope key; also the root of `derivedSecret` (with other HKDF info, so the keys stay apart).
    let key: [UInt8]

    /// Derives the envelope key from the deployment secret.
    public init(secret: DeploymentSecret) {
        guard let key = KeyDerivation.hkdfSHA256(key: secret.bytes, info: Array(Self.keyDerivationInfo.utf8),
                                                 length: AES256GCM.keyLength) else {
            fatalError("OpenSSL HKDF-SHA256 failed; the crypto library is unusable")
        }
        self.key = key
    }

    public var description: String { "SecretBox(hidden)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// True when `string` has the envelope prefix `enc:v1:` (it may still be malformed:
    /// see ``envelopeProblem(_:)``).
    public static func isEnvelope(_ string: String) -> Bool {
        string.hasPrefix(envelopePrefix)
    }

    /// True when `value` is a string with the envelope prefix.
    public static func isEnvelope(_ value: JSONValue) -> Bool {
        if case .string(let text) = value { return isEnvelope(text) }
        return false
    }

    /// Why `string` is not a well-formed envelope, or nil when it is one. Checks the shape
    /// only (prefix, base64, length); whether it opens needs the key and binding.
    public static func envelopeProblem(_ string: String) -> String? {
        switch decode(string) {
        case .success: nil
        case .failure(let error): error.description
        }
    }

    /// Encrypts `value` for `binding`. Crashes only if OpenSSL itself fails (no randomness,
    /// no AES), which leaves nothing sensible to do.
    public func seal(_ value: JSONValue, binding: SecretBinding) -> String {
        seal(value, binding: binding, nonce: SecureRandom.bytes(AES256GCM.nonceLength))
    }

    /// ``seal(_:binding:)`` with a given nonce: for published test vectors only. Reusing a
    /// nonce under one key breaks AES-GCM, so production code never calls this.
    func seal(_ value: JSONValue, binding: SecretBinding, nonce: [UInt8]) -> String {
        let plaintext = Array(JSONWriter.compactString(value).utf8)
        guard let sealed = AES256GCM.seal(key: key, nonce: nonce, aad: binding.additionalData, plaintext: plaintext) else {
            fatalError("OpenSSL AES-256-GCM encryption failed")
        }
        return Self.envelopePrefix + Data(nonce + sealed).base64EncodedString()
    }

    /// Decrypts an envelope sealed for `binding`.
    ///
    /// Throws ``SecretBoxError/notAnEnvelope`` or ``SecretBoxError/malformed(_:)`` for bad
    /// text, and ``SecretBoxError/cannotOpen`` when authentication fails: the value was
    /// sealed for another object, level or key, with another deployment secret, or altered.
    public func open(_ envelope: String, binding: SecretBinding) throws(SecretBoxError) -> JSONValue {
        let bytes = try Self.decode(envelope).get()
        let nonce = Array(bytes[0..<AES256GCM.nonceLength])
        let sealed = Array(bytes[AES256GCM.nonceLength...])
        guard let plaintext = AES256GCM.open(key: key, nonce: nonce, aad: binding.additionalData, sealed: sealed) else {
            throw .cannotOpen
        }
        do {
            return try JSONParser.parse(plaintext)
        } catch {
            // Authentic but not JSON: sealed by something other than this code.
            throw .notJSON(error.description)
        }
    }

    /// The decoded `nonce || ciphertext || tag`, or why it cannot be.
    private static func decode(_ envelope: String) -> Result<[UInt8], SecretBoxError> {
        guard envelope.hasPrefix(envelopePrefix) else {
            if envelope.hasPrefix("enc:") {
                return .failure(.malformed("unknown envelope version; this BackOffice reads `enc:v1:` only"))
            }
            return .failure(.notAnEnvelope)
        }
        let payload = envelope.dropFirst(envelopePrefix.count)
        guard let data = Data(base64Encoded: String(payload)) else {
            return .failure(.malformed("the text after `enc:v1:` is not valid base64"))
        }
        guard data.count > overhead else {
            return .failure(.malformed("too short: \(data.count) bytes, an envelope holds at least \(overhead + 1)"))
        }
        return .success([UInt8](data))
    }
}

/// Why an envelope could not be opened.
public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text does not start with `enc:v1:`.
    case notAnEnvelope
    /// The text starts like an envelope but its body is unusable (bad base64, too short,
    /// unknown version).
    case malformed(String)
    /// Authentication failed: wrong binding, wrong deployment secret, or altered bytes.
    case cannotOpen
    /// It opened, but the plaintext is not JSON (not sealed by BackOffice).
    case notJSON(String)

    public var description: String {
        switch self {
        case .notAnEnvelope:
            "not an encrypted value (it does not start with `enc:v1:`)"
        case .malformed(let detail):
            "malformed encrypted value: \(detail)"
        case .cannotOpen:
            "this value was encrypted for another object, level or key, or with another deployment secret (or it was altered)"
        case .notJSON(let detail):
            "the decrypted value is not JSON (\(detail)); it was not sealed by BackOffice"
        }
    }
}
