#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Crypto

/// Why a SAML response was refused (for the log; the visitor sees only that sign-in failed).
public struct SAMLRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// What a checked response says: who signed in, and until when its assertion id must be
/// remembered (replay).
public struct SAMLAssertion: Sendable, Equatable {
    public var assertionID: String
    public var expiresAt: Int
    public var identity: SSOIdentity
}

/// Checks a SAML 2.0 Response (POST binding) for one strategy and one request of ours:
/// the signature and the document's shape (`SAMLSignature`, libxmlsec1: one assertion, the
/// signed element is the one read, no DTD), then — on the assertion the signature covers —
/// status Success, `Destination` and every bearer `Recipient` equal to our assertion consumer
/// URL, `InResponseTo` (response and confirmation) equal to our request id, the `Audience` our
/// entity id, `NotBefore`/`NotOnOrAfter` of the conditions and the confirmation with `skew`
/// seconds, the issuers agreeing, the NameID format when the strategy names one. Replays are
/// the caller's (`SAMLReplayCache`).
public struct SAMLResponseChecker: Sendable {
    public var strategy: SAMLStrategy
    public var consumerURL: String
    public var skew: Int

    public init(strategy: SAMLStrategy, consumerURL: String, skew: Int = 120) {
        self.strategy = strategy
        self.consumerURL = consumerURL
        self.skew = skew
    }

    public func check(_ xml: [UInt8], requestID: String, now: Int) throws(SAMLRejection) -> SAMLAssertion {
        let response = try verifiedDescription(xml)
        guard response["status"]?.stringValue == "urn:oasis:names:tc:SAML:2.0:status:Success" else {
            throw SAMLRejection("the IdP answered status \(response["status"]?.stringValue.map { "\"\($0.suffix(60))\"" } ?? "none")")
        }
        if let destination = response["destination"]?.stringValue, destination != consumerURL {
            throw SAMLRejection("Destination \"\(destination.prefix(200))\" is not our assertion consumer URL")
        }
        guard response["in_response_to"]?.stringValue == requestID else {
            throw SAMLRejection("the response answers another request (InResponseTo)")
        }
        guard let assertion = response["assertion"]?.objectValue else { throw SAMLRejection("no assertion") }
        let issuer = assertion["issuer"]?.stringValue ?? ""
        guard !issuer.isEmpty else { throw SAMLRejection("the assertion has no Issuer") }
        if let outer = response["issuer"]?.stringValue, outer != issuer {
            throw SAMLRejection("the response's Issuer differs from the assertion's")
        }
        let audiences = assertion["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard assertion["has_conditions"]?.boolValue == true, audiences.contains(strategy.issuer) else {
            throw SAMLRejection("the assertion is not for our entity id (Audience)")
        }
        if let notBefore = try time(assertion["not_before"]), notBefore > now + skew {
            throw SAMLRejection("the assertion is not valid yet (NotBefore)")
        }
        var expiresAt = Int.max
        if let notOnOrAfter = try time(assertion["not_on_or_after"]) {
            guard now - skew < notOnOrAfter else { throw SAMLRejection("the assertion expired (NotOnOrAfter)") }
            expiresAt = notOnOrAfter
        }
        let bearers = (assertion["confirmations"]?.arrayValue ?? []).compactMap(\.objectValue)
            .filter { $0["method"]?.stringValue == "urn:oasis:names:tc:SAML:2.0:cm:bearer" }
        guard !bearers.isEmpty else { throw SAMLRejection("the assertion has no bearer subject confirmation") }
        for bearer in bearers {
            guard bearer["recipient"]?.stringValue == consumerURL else {
                throw SAMLRejection("the confirmation's Recipient is not our assertion consumer URL")
            }
            if let answered = bearer["in_response_to"]?.stringValue, answered != requestID {
                throw SAMLRejection("the confirmation answers another request (InResponseTo)")
            }
            guard let until = try time(bearer["not_on_or_after"]) else {
                throw SAMLRejection("the confirmation has no NotOnOrAfter")
            }
            guard now - skew < until else { throw SAMLRejection("the confirmation expired (NotOnOrAfter)") }
            if let from = try time(bearer["not_before"]), from > now + skew {
                throw SAMLRejection("the confirmation is not valid yet (NotBefore)")
            }
            expiresAt = min(expiresAt, until)
        }
        let format = assertion["name_id_format"]?.stringValue ?? ""
        if !strategy.nameIdentifierFormat.isEmpty, format != strategy.nameIdentifierFormat {
            throw SAMLRejection("the NameID format \"\(format.suffix(80))\" is not the strategy's name_identifier_format")
        }
        guard let assertionID = assertion["id"]?.stringValue, !assertionID.isEmpty else { throw SAMLRejection("the assertion has no ID") }
        let identity = try self.identity(assertion)
        return SAMLAssertion(assertionID: assertionID, expiresAt: expiresAt == Int.max ? Int.max : expiresAt + skew, identity: identity)
    }

    /// The signature check with the configured certificate, or the embedded one when its
    /// fingerprint is the configured one.
    private func verifiedDescription(_ xml: [UInt8]) throws(SAMLRejection) -> [String: JSONValue] {
        let pem: String
        if let configured = strategy.idpCertificatePEM {
            pem = configured
        } else {
            let expected = strategy.idpCertificateFingerprint.filter { $0.isHexDigit }.lowercased()
            guard expected.count == 40 || expected.count == 64 else { throw SAMLRejection("the strategy has no usable idp_cert or idp_cert_fingerprint") }
            let embedded: String
            do { embedded = try SAMLSignature.embeddedCertificate(xml) } catch { throw SAMLRejection(error.description) }
            guard let der = Base64.decode(embedded.filter { !$0.isWhitespace }) else { throw SAMLRejection("the embedded certificate is not base64") }
            let actual = Hex.encode(expected.count == 40 ? Digest.sha1.hash(der) : Digest.sha256.hash(der))
            guard ConstantTime.equal(actual, expected) else { throw SAMLRejection("the response is signed by a certificate whose fingerprint is not idp_cert_fingerprint") }
            pem = SAMLStrategy.pem(base64: embedded)
        }
        do { return try SAMLSignature.verify(xml, certificatePEM: pem) } catch { throw SAMLRejection(error.description) }
    }

    private func identity(_ assertion: [String: JSONValue]) throws(SAMLRejection) -> SSOIdentity {
        let attributes = (assertion["attributes"]?.objectValue ?? [:]).mapValues { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
        func first(_ field: String) -> String? {
            for name in strategy.attributeNames(field) { if let value = attributes[name]?.first(where: { !$0.isEmpty }) { return value } }
            return nil
        }
        let nameID = assertion["name_id"]?.stringValue ?? ""
        let uid = strategy.uidAttribute.isEmpty ? nameID : attributes[strategy.uidAttribute]?.first ?? ""
        guard !uid.isEmpty else { throw SAMLRejection("the assertion has no uid (NameID or uid_attribute)") }
        let email = first("email") ?? (AccountWriter.isPlausibleEmail(nameID) ? nameID : "")
        let name = first("name") ?? [first("first_name"), first("last_name")].compactMap { $0 }.joined(separator: " ")
        let groups = strategy.attributeNames("groups").lazy.compactMap { attributes[$0] }.first ?? []
        return SSOIdentity(strategyID: strategy.id, uid: uid, email: email, name: name.isEmpty ? email : name, groups: groups)
    }

    /// Seconds since 1970 of an xs:dateTime (`2026-12-04T16:25:55Z`, fractions and offsets too);
    /// nil when absent.
    func time(_ value: JSONValue?) throws(SAMLRejection) -> Int? {
        guard let text = value?.stringValue else { return nil }
        guard let seconds = Self.parseTime(text) else { throw SAMLRejection("a time is not an xs:dateTime: \"\(text.prefix(40))\"") }
        return seconds
    }

    public static func parseTime(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        }
        var offset = 0
        if index < bytes.count, bytes[index] == 90 {
            index += 1
        } else if index + 6 == bytes.count, bytes[index] == 43 || bytes[index] == 45, bytes[index + 3] == 58,
                  let hours = number(index + 1, 2), let minutes = number(index + 4, 2) {
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts)) - offset
    }
}
