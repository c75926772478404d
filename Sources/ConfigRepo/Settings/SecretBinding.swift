/// Where an encrypted value belongs. It is the AES-GCM additional data of the envelope, so
/// a ciphertext opens only at the place it was sealed for: copied to another object, level
/// or key, it fails to open.
public struct SecretBinding: Sendable, Hashable {
    /// The id of the object whose file holds the value (`mod-…`, `sys-…`; `backoffice`
    /// for the global settings in `backoffice.json`).
    public var objectID: String
    /// The settings level's raw value (`support`, `admin`, `never_display`), or `field` for
    /// secrets that are ordinary fields (OAuth client secrets, repository passwords …).
    public var scope: String
    /// The top-level settings key, or the field's path for `field` secrets (`client_secret`).
    public var key: String

    public init(objectID: String, scope: String, key: String) {
        self.objectID = objectID
        self.scope = scope
        self.key = key
    }

    /// The scope used for secrets that are ordinary fields rather than settings.
    public static let fieldScope = "field"

    /// The binding of a top-level key in one level of an object's settings.
    public static func setting(objectID: String, level: SettingsLevel, key: String) -> SecretBinding {
        SecretBinding(objectID: objectID, scope: level.rawValue, key: key)
    }

    /// The binding of a secret field of an object (`client_secret`, `password` …).
    public static func field(objectID: String, path: String) -> SecretBinding {
        SecretBinding(objectID: objectID, scope: fieldScope, key: path)
    }

    /// The unambiguous byte encoding used as additional authenticated data: for each of
    /// object id, scope and key in that order, its UTF-8 length as a 4-byte big-endian
    /// integer followed by its UTF-8 bytes.
    public var additionalData: [UInt8] {
        var out: [UInt8] = []
        for part in [objectID, scope, key] {
            let bytes = Array(part.utf8)
            let length = UInt32(bytes.count)
            out.append(contentsOf: [UInt8(length >> 24), UInt8((length >> 16) & 0xFF),
                                    UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)])
            out.append(contentsOf: bytes)
        }
        return out
    }
}
