#define _GNU_SOURCE
#include "CXMLSecShim.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#define NS_PROTOCOL "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DSIG "http://www.w3.org/2000/09/xmldsig#"

// MARK: - once

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ready = 0;

/// xmlsec's errors go to its callback; ours are the messages we return.
static void quiet(const char *file, int line, const char *func, const char *object, const char *subject, int reason, const char *msg) {
    (void)file; (void)line; (void)func; (void)object; (void)subject; (void)reason; (void)msg;
}

static void initialise(void) {
    xmlInitParser();
    if (xmlSecInit() < 0) return;
    if (xmlSecCheckVersion() != 1) return;
    if (xmlSecCryptoAppInit(NULL) < 0) return;
    if (xmlSecCryptoInit() < 0) return;
    xmlSecErrorsSetCallback(quiet);
    ready = 1;
}

// MARK: - small helpers

static char *format(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, args) < 0) text = NULL;
    va_end(args);
    return text;
}

static int is_element(xmlNodePtr node, const char *ns, const char *name) {
    return node && node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           strcmp((const char *)node->ns->href, ns) == 0 && strcmp((const char *)node->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr parent, const char *ns, const char *name) {
    for (xmlNodePtr node = parent ? parent->children : NULL; node; node = node->next)
        if (is_element(node, ns, name)) return node;
    return NULL;
}

/// An attribute without namespace, or NULL (free with xmlFree).
static char *attribute(xmlNodePtr node, const char *name) {
    return node ? (char *)xmlGetNoNsProp(node, (const xmlChar *)name) : NULL;
}

typedef struct {
    int assertions, encrypted, signatures, duplicate_ids, ids_count, ids_capacity;
    char **ids;
} census;

static void count(xmlNodePtr node, census *found) {
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        if (is_element(node, NS_ASSERTION, "Assertion")) found->assertions++;
        if (is_element(node, NS_ASSERTION, "EncryptedAssertion")) found->encrypted++;
        if (is_element(node, NS_DSIG, "Signature")) found->signatures++;
        for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
            if (attr->ns || strcmp((const char *)attr->name, "ID") != 0) continue;
            char *value = (char *)xmlNodeGetContent((xmlNodePtr)attr);
            if (!value) continue;
            for (int i = 0; i < found->ids_count; i++)
                if (strcmp(found->ids[i], value) == 0) found->duplicate_ids++;
            if (found->ids_count == found->ids_capacity) {
                found->ids_capacity = found->ids_capacity ? found->ids_capacity * 2 : 8;
                found->ids = realloc(found->ids, sizeof(char *) * (size_t)found->ids_capacity);
            }
            found->ids[found->ids_count++] = value;
        }
        count(node->children, found);
    }
}

// MARK: - JSON output

typedef struct {
    char *data;
    size_t length, capacity;
} text;

static void put(text *out, const char *bytes, size_t length) {
    if (out->length + length + 1 > out->capacity) {
        out->capacity = (out->length + length + 1) * 2;
        out->data = realloc(out->data, out->capacity);
    }
    memcpy(out->data + out->length, bytes, length);
    out->length += length;
    out->data[out->length] = 0;
}

static void puts_(text *out, const char *string) { put(out, string, strlen(string)); }

static void put_string(text *out, const char *value) {
    if (!value) {
        puts_(out, "null");
        return;
    }
    puts_(out, "\"");
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        char escaped[8];
        if (*p == '"' || *p == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)*p;
            put(out, escaped, 2);
        } else if (*p < 0x20) {
            snprintf(escaped, sizeof escaped, "\\u%04x", *p);
            puts_(out, escaped);
        } else {
            put(out, (const char *)p, 1);
        }
    }
    puts_(out, "\"");
}

static void put_member(text *out, const char *name, const char *value, int comma) {
    if (comma) puts_(out, ",");
    put_string(out, name);
    puts_(out, ":");
    put_string(out, value);
}

/// The trimmed text content of an element (free with xmlFree), or NULL.
static char *content(xmlNodePtr node) {
    if (!node) return NULL;
    char *value = (char *)xmlNodeGetContent(node);
    if (!value) return NULL;
    size_t start = 0, end = strlen(value);
    while (start < end && (value[start] == ' ' || value[start] == '\n' || value[start] == '\r' || value[start] == '\t')) start++;
    while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\n' || value[end - 1] == '\r' || value[end - 1] == '\t')) end--;
    memmove(value, value + start, end - start);
    value[end - start] = 0;
    return value;
}

static void put_owned(text *out, const char *name, char *value, int comma) {
    put_member(out, name, value, comma);
    if (value) xmlFree(value);
}

static void describe_assertion(text *out, xmlNodePtr assertion) {
    puts_(out, "{");
    put_owned(out, "id", attribute(assertion, "ID"), 0);
    put_owned(out, "issuer", content(child(assertion, NS_ASSERTION, "Issuer")), 1);
    xmlNodePtr subject = child(assertion, NS_ASSERTION, "Subject");
    xmlNodePtr name_id = child(subject, NS_ASSERTION, "NameID");
    put_owned(out, "name_id", content(name_id), 1);
    put_owned(out, "name_id_format", attribute(name_id, "Format"), 1);
    xmlNodePtr conditions = child(assertion, NS_ASSERTION, "Conditions");
    put_owned(out, "not_before", attribute(conditions, "NotBefore"), 1);
    put_owned(out, "not_on_or_after", attribute(conditions, "NotOnOrAfter"), 1);
    puts_(out, ",\"has_conditions\":");
    puts_(out, conditions ? "true" : "false");
    puts_(out, ",\"audiences\":[");
    int first = 1;
    for (xmlNodePtr restriction = conditions ? conditions->children : NULL; restriction; restriction = restriction->next) {
        if (!is_element(restriction, NS_ASSERTION, "AudienceRestriction")) continue;
        for (xmlNodePtr audience = restriction->children; audience; audience = audience->next) {
            if (!is_element(audience, NS_ASSERTION, "Audience")) continue;
            if (!first) puts_(out, ",");
            first = 0;
            char *value = content(audience);
            put_string(out, value);
            if (value) xmlFree(value);
        }
    }
    puts_(out, "],\"confirmations\":[");
    first = 1;
    for (xmlNodePtr confirmation = subject ? subject->children : NULL; confirmation; confirmation = confirmation->next) {
        if (!is_element(confirmation, NS_ASSERTION, "SubjectConfirmation")) continue;
        if (!first) puts_(out, ",");
        first = 0;
        xmlNodePtr data = child(confirmation, NS_ASSERTION, "SubjectConfirmationData");
        puts_(out, "{");
        put_owned(out, "method", attribute(confirmation, "Method"), 0);
        put_owned(out, "recipient", attribute(data, "Recipient"), 1);
        put_owned(out, "not_on_or_after", attribute(data, "NotOnOrAfter"), 1);
        put_owned(out, "not_before", attribute(data, "NotBefore"), 1);
        put_owned(out, "in_response_to", attribute(data, "InResponseTo"), 1);
        puts_(out, "}");
    }
    puts_(out, "],\"attributes\":{");
    first = 1;
    for (xmlNodePtr statement = assertion->children; statement; statement = statement->next) {
        if (!is_element(statement, NS_ASSERTION, "AttributeStatement")) continue;
        for (xmlNodePtr attr = statement->children; attr; attr = attr->next) {
            if (!is_element(attr, NS_ASSERTION, "Attribute")) continue;
            char *name = attribute(attr, "Name");
            if (!name) continue;
            if (!first) puts_(out, ",");
            first = 0;
            put_string(out, name);
            xmlFree(name);
            puts_(out, ":[");
            int first_value = 1;
            for (xmlNodePtr value = attr->children; value; value = value->next) {
                if (!is_element(value, NS_ASSERTION, "AttributeValue")) continue;
                if (!first_value) puts_(out, ",");
                first_value = 0;
                char *text_value = content(value);
                put_string(out, text_value ? text_value : "");
                if (text_value) xmlFree(text_value);
            }
            puts_(out, "]");
        }
    }
    puts_(out, "}}");
}

// MARK: - signatures

/// Checks the shape of a signature (one Reference, to its parent's ID) and verifies it.
static char *verify_signature(xmlNodePtr signature, xmlNodePtr parent, const char *pem, size_t pem_length) {
    xmlNodePtr signed_info = child(signature, NS_DSIG, "SignedInfo");
    if (!signed_info) return format("a signature has no SignedInfo");
    int references = 0;
    xmlNodePtr reference = NULL;
    for (xmlNodePtr node = signed_info->children; node; node = node->next)
        if (is_element(node, NS_DSIG, "Reference")) {
            references++;
            reference = node;
        }
    if (references != 1) return format("a signature has %d references (one is allowed)", references);
    char *uri = attribute(reference, "URI");
    char *id = attribute(parent, "ID");
    int matches = uri && id && uri[0] == '#' && strcmp(uri + 1, id) == 0;
    if (uri) xmlFree(uri);
    if (id) xmlFree(id);
    if (!matches) return format("the signature of <%s> does not reference that element's ID", (const char *)parent->name);

    xmlSecDSigCtxPtr context = xmlSecDSigCtxCreate(NULL);
    if (!context) return format("cannot create a signature context");
    char *problem = NULL;
    context->signKey = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)pem, (xmlSecSize)pem_length, xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    if (!context->signKey) {
        problem = format("the IdP certificate (idp_cert) cannot be read as PEM");
    } else {
        context->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
        xmlSecTransformId reference_transforms[] = {
            xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
            xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId, xmlSecTransformSha256Id, xmlSecTransformSha1Id,
            xmlSecTransformSha512Id,
        };
        xmlSecTransformId signature_transforms[] = {
            xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformInclC14NId,
            xmlSecTransformInclC14NWithCommentsId, xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha1Id,
            xmlSecTransformRsaSha512Id, xmlSecTransformEcdsaSha256Id,
        };
        for (size_t i = 0; i < sizeof reference_transforms / sizeof reference_transforms[0]; i++)
            xmlSecDSigCtxEnableReferenceTransform(context, reference_transforms[i]);
        for (size_t i = 0; i < sizeof signature_transforms / sizeof signature_transforms[0]; i++)
            xmlSecDSigCtxEnableSignatureTransform(context, signature_transforms[i]);
        if (xmlSecDSigCtxVerify(context, signature) < 0) {
            problem = format("the signature of <%s> cannot be checked (unsupported transform, algorithm or shape)", (const char *)parent->name);
        } else if (context->status != xmlSecDSigStatusSucceeded) {
            problem = format("the signature of <%s> does not verify with the IdP certificate", (const char *)parent->name);
        }
    }
    xmlSecDSigCtxDestroy(context);
    return problem;
}

/// Parses without DTDs, entities or network; NULL with *error.
static xmlDocPtr parse(const char *xml, size_t length, char **error) {
    if (length > 1024 * 1024) {
        *error = format("the response is larger than 1 MiB");
        return NULL;
    }
    // Refuse a DTD before parsing: no entity can be declared, so none is expanded or fetched.
    for (size_t i = 0; i + 9 <= length; i++)
        if (xml[i] == '<' && xml[i + 1] == '!' && strncmp(xml + i + 2, "DOCTYPE", 7) == 0) {
            *error = format("the response has a DTD (<!DOCTYPE>), which is not allowed");
            return NULL;
        }
    xmlDocPtr doc = xmlReadMemory(xml, (int)length, "saml-response.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        *error = format("the response is not well-formed XML");
        return NULL;
    }
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        *error = format("the response has a DTD, which is not allowed");
        return NULL;
    }
    return doc;
}

char *saml_verify_response(const char *xml, size_t length, const char *pem, size_t pem_length, char **error) {
    *error = NULL;
    pthread_once(&once, initialise);
    if (!ready) {
        *error = format("xmlsec could not be initialised");
        return NULL;
    }
    xmlDocPtr doc = parse(xml, length, error);
    if (!doc) return NULL;
    char *result = NULL;
    census found = {0};
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!is_element(root, NS_PROTOCOL, "Response")) {
        *error = format("the document is not a SAML 2.0 Response");
        goto done;
    }
    count(root, &found);
    if (found.encrypted) {
        *error = format("encrypted assertions are not supported");
        goto done;
    }
    if (found.assertions != 1) {
        *error = format("the response has %d assertions (exactly one is accepted)", found.assertions);
        goto done;
    }
    if (found.duplicate_ids) {
        *error = format("the response has duplicate IDs");
        goto done;
    }
    xmlNodePtr assertion = child(root, NS_ASSERTION, "Assertion");
    if (!assertion) {
        *error = format("the assertion is not a child of the Response");
        goto done;
    }
    // IDs for the signature references (only the Response's and the assertion's).
    for (int i = 0; i < 2; i++) {
        xmlNodePtr node = i == 0 ? root : assertion;
        xmlAttrPtr id = xmlHasProp(node, (const xmlChar *)"ID");
        char *value = attribute(node, "ID");
        if (id && value) xmlAddID(NULL, doc, (const xmlChar *)value, id);
        if (value) xmlFree(value);
    }
    xmlNodePtr response_signature = child(root, NS_DSIG, "Signature");
    xmlNodePtr assertion_signature = child(assertion, NS_DSIG, "Signature");
    if (found.signatures != (response_signature ? 1 : 0) + (assertion_signature ? 1 : 0)) {
        *error = format("the response has a signature in an unexpected place");
        goto done;
    }
    if (!response_signature && !assertion_signature) {
        *error = format("the response is not signed");
        goto done;
    }
    if (assertion_signature) {
        char *problem = verify_signature(assertion_signature, assertion, pem, pem_length);
        if (problem) {
            *error = problem;
            goto done;
        }
    }
    if (response_signature) {
        char *problem = verify_signature(response_signature, root, pem, pem_length);
        if (problem) {
            *error = problem;
            goto done;
        }
    }
    text out = {0};
    puts_(&out, "{");
    put_member(&out, "signed", response_signature && assertion_signature ? "both" : response_signature ? "response" : "assertion", 0);
    put_owned(&out, "id", attribute(root, "ID"), 1);
    put_owned(&out, "destination", attribute(root, "Destination"), 1);
    put_owned(&out, "in_response_to", attribute(root, "InResponseTo"), 1);
    put_owned(&out, "issuer", content(child(root, NS_ASSERTION, "Issuer")), 1);
    xmlNodePtr status_code = child(child(root, NS_PROTOCOL, "Status"), NS_PROTOCOL, "StatusCode");
    put_owned(&out, "status", attribute(status_code, "Value"), 1);
    puts_(&out, ",\"assertion\":");
    describe_assertion(&out, assertion);
    puts_(&out, "}");
    result = out.data;
done:
    for (int i = 0; i < found.ids_count; i++) xmlFree(found.ids[i]);
    free(found.ids);
    xmlFreeDoc(doc);
    return result;
}

static xmlNodePtr find_certificate(xmlNodePtr node) {
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        if (is_element(node, NS_DSIG, "X509Certificate")) return node;
        xmlNodePtr found = find_certificate(node->children);
        if (found) return found;
    }
    return NULL;
}

char *saml_embedded_certificate(const char *xml, size_t length, char **error) {
    *error = NULL;
    pthread_once(&once, initialise);
    xmlDocPtr doc = parse(xml, length, error);
    if (!doc) return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char *result = NULL;
    xmlNodePtr signatures[2] = {child(root, NS_DSIG, "Signature"), child(child(root, NS_ASSERTION, "Assertion"), NS_DSIG, "Signature")};
    for (int i = 0; i < 2 && !result; i++) {
        xmlNodePtr certificate = signatures[i] ? find_certificate(signatures[i]->children) : NULL;
        char *value = content(certificate);
        if (value) {
            result = strdup(value);
            xmlFree(value);
        }
    }
    if (!result) *error = format("the response's signature carries no certificate");
    xmlFreeDoc(doc);
    return result;
}

void saml_free(char *pointer) { free(pointer); }
