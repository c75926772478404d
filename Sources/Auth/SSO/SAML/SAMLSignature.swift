import CXMLSecShim
import ConfigRepo

/// The one door to libxmlsec1 (`CXMLSecShim`): a SAML Response checked for shape and signature,
/// described as JSON (see `saml_verify_response`). Swift never sees libxml2.
enum SAMLSignature {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The response's description when its signature verifies with `certificatePEM`.
    static func verify(_ xml: [UInt8], certificatePEM: String) throws(Failure) -> [String: JSONValue] {
        guard !xml.isEmpty, !certificatePEM.isEmpty else { throw Failure(description: "an empty response or certificate") }
        var error: UnsafeMutablePointer<CChar>?
        let certificate = Array(certificatePEM.utf8)
        let result = xml.withUnsafeBufferPointer { document in
            certificate.withUnsafeBufferPointer { pem in
                document.baseAddress!.withMemoryRebound(to: CChar.self, capacity: document.count) { documentText in
                    pem.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pem.count) { pemText in
                        saml_verify_response(documentText, document.count, pemText, pem.count, &error)
                    }
                }
            }
        }
        guard let result else { throw Failure(description: take(error) ?? "the response was refused") }
        let text = take(result) ?? ""
        guard let json = try? JSONParser.parse(text), let members = json.objectValue else {
            throw Failure(description: "the response could not be described")
        }
        return members
    }

    /// The base64 DER of the certificate a response's signature carries.
    static func embeddedCertificate(_ xml: [UInt8]) throws(Failure) -> String {
        guard !xml.isEmpty else { throw Failure(description: "an empty response") }
        var error: UnsafeMutablePointer<CChar>?
        let result = xml.withUnsafeBufferPointer { document in
            document.baseAddress!.withMemoryRebound(to: CChar.self, capacity: document.count) {
                saml_embedded_certificate($0, document.count, &error)
            }
        }
        guard let result else { throw Failure(description: take(error) ?? "no certificate") }
        return take(result) ?? ""
    }

    private static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { saml_free(pointer) }
        return String(cString: pointer)
    }
}
