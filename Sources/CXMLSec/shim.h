// libxmlsec1 (XML signatures over libxml2 and OpenSSL). Only CXMLSecShim includes these
// headers: Swift never imports libxml2 (its headers clash with Foundation's ICU).
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/crypto.h>
