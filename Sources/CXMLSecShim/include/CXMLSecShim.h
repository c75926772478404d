#ifndef CXMLSECSHIM_H
#define CXMLSECSHIM_H
#include <stddef.h>

/// Checks a SAML 2.0 `<samlp:Response>` and its signature, and describes it.
///
/// Refused (NULL, with a message in *error): anything with a DTD (so no entity can be declared
/// or expanded: XXE, billion laughs); a root that is not a Response; zero or several
/// `<saml:Assertion>` elements anywhere (signature wrapping puts a second one beside or inside);
/// an EncryptedAssertion; an assertion that is not a child of the Response; duplicate `ID`s; a
/// `<ds:Signature>` anywhere but as a child of the Response or of the assertion; a signature
/// with other than one Reference, or whose Reference is not `#<ID of its parent>`; transforms
/// other than enveloped-signature and (exclusive) canonicalisation; a signature that does not
/// verify with `certificate_pem`; and a response in which neither the Response nor the
/// assertion is signed.
///
/// On success returns a JSON object (UTF-8, free with saml_free): `signed` ("response",
/// "assertion" or "both"), the Response's `id`, `destination`, `in_response_to`, `issuer`,
/// `status`; and `assertion`: `id`, `issuer`, `name_id`, `name_id_format`, `not_before`,
/// `not_on_or_after`, `audiences` [..], `confirmations` [{method, recipient, not_on_or_after,
/// not_before, in_response_to}], `attributes` {name: [values]}. Every value is read from the one
/// assertion the signature covers.
char *saml_verify_response(const char *xml, size_t length, const char *certificate_pem, size_t certificate_length, char **error);

/// The base64 text of the first `<ds:X509Certificate>` inside a signature of the response, for
/// a strategy that pins the IdP by fingerprint (`idp_cert_fingerprint`); NULL with *error.
/// Nothing is verified here: the caller checks the fingerprint, then verifies with it.
char *saml_embedded_certificate(const char *xml, size_t length, char **error);

void saml_free(char *pointer);

#endif
