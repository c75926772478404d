#if canImport(Glibc)
import Glibc
#endif
import Crypto
import SiteGen

/// What we send and publish as a SAML service provider: the AuthnRequest (redirect binding:
/// DEFLATE, base64, unsigned) and our metadata.
enum SAMLMessages {
    static let postBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

    /// The IdP URL that asks it to sign someone in and post the answer to `consumerURL`.
    static func redirect(strategy: SAMLStrategy, requestID: String, consumerURL: String, relayState: String, now: Int) -> String {
        var xml = #"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#
        xml += #" ID="\#(escape(requestID))" Version="2.0" IssueInstant="\#(instant(now))" Destination="\#(escape(strategy.idpSSOTargetURL))""#
        xml += #" AssertionConsumerServiceURL="\#(escape(consumerURL))" ProtocolBinding="\#(postBinding)">"#
        xml += "<saml:Issuer>\(escape(strategy.issuer))</saml:Issuer>"
        if !strategy.nameIdentifierFormat.isEmpty {
            xml += #"<samlp:NameIDPolicy Format="\#(escape(strategy.nameIdentifierFormat))" AllowCreate="true"/>"#
        }
        xml += "</samlp:AuthnRequest>"
        var parameters = strategy.idpSSOTargetParams.sorted { $0.key < $1.key }.filter { !["SAMLRequest", "RelayState"].contains($0.key) }
        parameters += [("SAMLRequest", Base64.encode(deflateStored(Array(xml.utf8)))), ("RelayState", relayState)]
        let query = parameters.map { FormEncoding.encode($0.0) + "=" + FormEncoding.encode($0.1) }.joined(separator: "&")
        return strategy.idpSSOTargetURL + (strategy.idpSSOTargetURL.contains("?") ? "&" : "?") + query
    }

    /// Our SP metadata for the IdP's administrator (or its metadata import).
    static func metadata(strategy: SAMLStrategy, consumerURL: String) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="\#(escape(strategy.issuer))">"#
        xml += #"<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">"#
        if !strategy.nameIdentifierFormat.isEmpty { xml += "<md:NameIDFormat>\(escape(strategy.nameIdentifierFormat))</md:NameIDFormat>" }
        xml += #"<md:AssertionConsumerService Binding="\#(postBinding)" Location="\#(escape(consumerURL))" index="0" isDefault="true"/>"#
        xml += "</md:SPSSODescriptor></md:EntityDescriptor>\n"
        return xml
    }

    /// DEFLATE (RFC 1951) in stored blocks: what the redirect binding asks for, without a compressor.
    static func deflateStored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        repeat {
            let length = min(65_535, bytes.count - index)
            let final: UInt8 = index + length == bytes.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += bytes[index..<(index + length)]
            index += length
        } while index < bytes.count
        return out
    }

    static func instant(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
