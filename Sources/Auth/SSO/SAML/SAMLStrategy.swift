import ConfigRepo

/// A SAML 2.0 sign-in strategy of a domain (`auth/adfs_strat-….json`, PlaceOS's field names):
/// we are the service provider `issuer`; the IdP is reached at `idp_sso_target_url` and its
/// responses must be signed by `idp_cert` (or a certificate whose SHA-1 or SHA-256 fingerprint
/// is `idp_cert_fingerprint`).
public struct SAMLStrategy: Sendable, Equatable {
    public var id: String
    public var name: String
    public var domainID: String
    /// Our entity id: the audience the IdP's assertions must name.
    public var issuer: String
    public var idpSSOTargetURL: String
    /// Extra query parameters of the sign-in request.
    public var idpSSOTargetParams: [String: String]
    /// PEM (or bare base64, as AD FS exports it); empty with only a fingerprint.
    public var idpCertificate: String
    public var idpCertificateFingerprint: String
    /// Where the IdP posts the response; empty: this server's `/auth/adfs/callback?id=<id>`.
    public var assertionConsumerServiceURL: String
    public var nameIdentifierFormat: String
    /// The attribute holding the user's stable id; empty: the NameID.
    public var uidAttribute: String
    /// Our field (`email`, `name`, `first_name`, `last_name`, `groups`) → attribute names to try.
    public var attributeStatements: [String: [String]]

    public static let idPrefix = "adfs_strat-"

    public init?(_ document: ConfigDocument) {
        guard document.kind == .authStrategy, document.id.hasPrefix(Self.idPrefix) else { return nil }
        id = document.id
        name = document.string("name") ?? document.id
        domainID = document.string("authority_id") ?? ""
        issuer = document.string("issuer") ?? ""
        idpSSOTargetURL = document.string("idp_sso_target_url") ?? ""
        idpSSOTargetParams = (document.object("idp_sso_target_url_runtime_params") ?? [:]).compactMapValues(\.stringValue)
        idpCertificate = document.string("idp_cert") ?? ""
        idpCertificateFingerprint = document.string("idp_cert_fingerprint") ?? ""
        assertionConsumerServiceURL = document.string("assertion_consumer_service_url") ?? ""
        nameIdentifierFormat = document.string("name_identifier_format") ?? ""
        uidAttribute = document.string("uid_attribute") ?? ""
        var statements: [String: [String]] = [:]
        for (field, value) in document.object("attribute_statements") ?? [:] {
            statements[field] = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
        }
        attributeStatements = statements
    }

    /// The attribute names read for each of our fields: the strategy's, else common names
    /// (omniauth-saml's, the LDAP OIDs, and the claim URIs of AD FS and Entra ID).
    public func attributeNames(_ field: String) -> [String] {
        if let configured = attributeStatements[field], !configured.isEmpty { return configured }
        return Self.defaultAttributes[field] ?? []
    }

    static let defaultAttributes: [String: [String]] = [
        "email": ["email", "mail", "urn:oid:0.9.2342.19200300.100.1.3",
                  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"],
        "name": ["name", "displayName", "urn:oid:2.16.840.1.113730.3.1.241",
                 "http://schemas.microsoft.com/identity/claims/displayname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"],
        "first_name": ["first_name", "firstname", "firstName", "givenName", "urn:oid:2.5.4.42",
                       "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"],
        "last_name": ["last_name", "lastname", "lastName", "sn", "urn:oid:2.5.4.4",
                      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"],
        "groups": ["groups", "memberOf", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                   "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"],
    ]

    /// `idp_cert` as PEM (bare base64 is wrapped).
    public var idpCertificatePEM: String? {
        let trimmed = idpCertificate.trimmingSpaces
        guard !trimmed.isEmpty else { return nil }
        if trimmed.hasPrefix("-----BEGIN") { return trimmed + "\n" }
        return SAMLStrategy.pem(base64: trimmed)
    }

    static func pem(base64: String) -> String {
        let body = Array(base64.filter { !$0.isWhitespace })
        var lines: [String] = []
        var index = 0
        while index < body.count {
            lines.append(String(body[index..<min(index + 64, body.count)]))
            index += 64
        }
        return "-----BEGIN CERTIFICATE-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE-----\n"
    }
}
