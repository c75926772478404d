#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <stdio.h>
#include "CXMLShim.h"

static const char *svg_namespace = "http://www.w3.org/2000/svg";
static const char *xlink_namespace = "http://www.w3.org/1999/xlink";
static const char *xml_namespace = "http://www.w3.org/XML/1998/namespace";

static const char *allowed_elements[] = {
    "svg", "g", "title", "desc", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path",
    "text", "tspan", "defs", "linearGradient", "radialGradient", "stop", "clipPath", "symbol", "use",
    "marker", "pattern", "mask", NULL
};

static int is_allowed_element(const xmlNode *node) {
    if (node->ns != NULL && (node->ns->href == NULL || strcmp((const char *)node->ns->href, svg_namespace) != 0)) return 0;
    // Case-insensitive: the browser's HTML parser reads inline SVG names in any case.
    for (const char **name = allowed_elements; *name != NULL; name++) {
        if (strcasecmp((const char *)node->name, *name) == 0) return 1;
    }
    return 0;
}

/// What the parser reported that does not stop it but changes what the document means: an
/// entity it does not declare is left out of the value checked here, yet a browser may read
/// it (`&lpar;`, `&colon;` under a DOCTYPE whose subset is not loaded). One per parse, per thread.
static _Thread_local int undeclared_entity;
static _Thread_local char undeclared_message[200];

static void record_parse_problem(void *context, xmlErrorPtr problem) {
    (void)context;
    if (!problem || undeclared_entity) return;
    if (problem->code == XML_WAR_UNDECLARED_ENTITY || problem->code == XML_ERR_UNDECLARED_ENTITY) {
        undeclared_entity = 1;
        snprintf(undeclared_message, sizeof undeclared_message, "%s", problem->message ? problem->message : "undeclared entity");
    }
}

static char *dup_error(const char *message) {
    char *copy = malloc(strlen(message) + 1);
    if (copy) strcpy(copy, message);
    return copy;
}

/// Lower-cased copy without whitespace or control characters (browsers ignore them in schemes).
static char *squeezed_lower(const char *value) {
    size_t length = strlen(value);
    char *out = malloc(length + 1);
    if (!out) return NULL;
    size_t j = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c <= 0x20) continue;
        out[j++] = (char)tolower(c);
    }
    out[j] = 0;
    return out;
}

/// True when every url(...) in the value points inside the document (url(#id)), and the value
/// carries no script scheme or CSS expression.
static int is_safe_value(const char *value) {
    char *text = squeezed_lower(value);
    if (!text) return 0;
    int safe = 1;
    if (strstr(text, "javascript:") || strstr(text, "vbscript:") || strstr(text, "data:") || strstr(text, "expression(")
        || strstr(text, "@import") || strstr(text, "&#") || strstr(text, "\\")) safe = 0;
    for (const char *p = strstr(text, "url("); safe && p; p = strstr(p + 4, "url(")) {
        const char *target = p + 4;
        if (*target == '\'' || *target == '"') target++;
        if (*target != '#') safe = 0;
    }
    free(text);
    return safe;
}

/// href and src in any case and namespace (`HREF`, `xlink:href`): the browser lower-cases names.
static int is_reference_attribute(const xmlAttr *attribute) {
    return strcasecmp((const char *)attribute->name, "href") == 0 || strcasecmp((const char *)attribute->name, "src") == 0;
}

/// True when the attribute's value is plain text. An entity reference the parser could not
/// resolve (`&lpar;`, `&colon;` under a DOCTYPE it does not load) stays a reference node: the
/// browser resolves it, so the value checked here would not be the value used.
static int has_only_text(const xmlAttr *attribute) {
    for (const xmlNode *child = attribute->children; child; child = child->next) {
        if (child->type != XML_TEXT_NODE) return 0;
    }
    return 1;
}

/// Namespaced attributes: xlink's (href is checked as a reference) and `xml:space`/`xml:lang`;
/// `xml:base` would change what every relative reference means.
static int is_allowed_namespace(const xmlAttr *attribute) {
    if (attribute->ns == NULL) return 1;
    const char *href = attribute->ns->href ? (const char *)attribute->ns->href : "";
    if (strcmp(href, xlink_namespace) == 0) return 1;
    if (strcmp(href, xml_namespace) == 0) {
        return strcmp((const char *)attribute->name, "space") == 0 || strcmp((const char *)attribute->name, "lang") == 0;
    }
    return 0;
}

static void sanitize_attributes(xmlNode *node) {
    xmlAttr *attribute = node->properties;
    while (attribute) {
        xmlAttr *next = attribute->next;
        const char *name = (const char *)attribute->name;
        int drop = 0;
        if (!has_only_text(attribute)) drop = 1;
        else if (strncasecmp(name, "on", 2) == 0) drop = 1;
        else if (!is_allowed_namespace(attribute)) drop = 1;
        else {
            // The value as the browser sees it: character references are decoded by now.
            xmlChar *value = xmlNodeGetContent((xmlNode *)attribute);
            const char *text = value ? (const char *)value : "";
            if (is_reference_attribute(attribute) && text[0] != '#') drop = 1;
            else if (!is_safe_value(text)) drop = 1;
            if (value) xmlFree(value);
        }
        if (drop) xmlRemoveProp(attribute);
        attribute = next;
    }
}

/// Drops namespace declarations other than SVG's, xlink's and xml's: elements and attributes
/// of other namespaces are gone already, and the declarations would only carry their URLs along.
static void sanitize_namespaces(xmlNode *node) {
    xmlNs **link = &node->nsDef;
    while (*link) {
        xmlNs *ns = *link;
        const char *href = ns->href ? (const char *)ns->href : "";
        if (strcmp(href, svg_namespace) == 0 || strcmp(href, xlink_namespace) == 0 || strcmp(href, xml_namespace) == 0) {
            link = &ns->next;
            continue;
        }
        *link = ns->next;
        ns->next = NULL;
        xmlFreeNs(ns);
    }
}

/// An SVG `<a>`: its link goes (maps link rooms themselves) but what it wraps stays — a room's
/// label drawn inside a link by an editor such as Inkscape.
static int is_unwrapped_element(const xmlNode *node) {
    if (node->ns != NULL && (node->ns->href == NULL || strcmp((const char *)node->ns->href, svg_namespace) != 0)) return 0;
    return strcasecmp((const char *)node->name, "a") == 0;
}

static void sanitize_children(xmlNode *parent) {
    xmlNode *child = parent->children;
    while (child) {
        xmlNode *next = child->next;
        if (child->type == XML_ELEMENT_NODE && is_unwrapped_element(child)) {
            // Move its children before it, drop it, and go on from the first of them (a moved
            // text node may merge into the text before it, so start again from that node).
            xmlNode *before = child->prev;
            for (xmlNode *inner = child->children; inner;) {
                xmlNode *after = inner->next;
                xmlUnlinkNode(inner);
                xmlAddPrevSibling(child, inner);
                inner = after;
            }
            xmlUnlinkNode(child);
            xmlFreeNode(child);
            child = before ? before->next : parent->children;
            continue;
        }
        int keep = 0;
        if (child->type == XML_TEXT_NODE) keep = 1;
        else if (child->type == XML_ELEMENT_NODE && is_allowed_element(child)) keep = 1;
        if (!keep) {
            xmlUnlinkNode(child);
            xmlFreeNode(child);
        } else if (child->type == XML_ELEMENT_NODE) {
            sanitize_attributes(child);
            sanitize_children(child);
            sanitize_namespaces(child);
        }
        child = next;
    }
}

static xmlNode *find_by_id(xmlNode *node, const char *id) {
    for (xmlNode *child = node; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        xmlChar *value = xmlGetProp(child, (const xmlChar *)"id");
        int match = value && strcmp((const char *)value, id) == 0;
        if (value) xmlFree(value);
        if (match) return child;
        xmlNode *inner = find_by_id(child->children, id);
        if (inner) return inner;
    }
    return NULL;
}

static void add_link(xmlDoc *document, xmlNode *element, const svg_room_link *link) {
    xmlNode *anchor = xmlNewDocNode(document, element->ns, (const xmlChar *)"a", NULL);
    xmlSetProp(anchor, (const xmlChar *)"href", (const xmlChar *)link->href);
    xmlSetProp(anchor, (const xmlChar *)"class", (const xmlChar *)"room-link");
    xmlReplaceNode(element, anchor);
    xmlAddChild(anchor, element);
    xmlNode *title = xmlNewDocNode(document, element->ns, (const xmlChar *)"title", NULL);
    xmlAddChild(title, xmlNewDocText(document, (const xmlChar *)link->title));
    xmlAddChild(anchor, title);
}

char *sanitize_svg(const char *data, size_t length, const svg_room_link *links, size_t link_count, int *found, char **error) {
    *error = NULL;
    for (size_t i = 0; i < link_count; i++) found[i] = 0;
    if (length > 16 * 1024 * 1024) { *error = dup_error("the map is larger than 16 MiB"); return NULL; }
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlParserCtxt *context = xmlNewParserCtxt();
    if (!context) { *error = dup_error("out of memory"); return NULL; }
    undeclared_entity = 0;
    context->sax->serror = record_parse_problem;
    xmlDoc *document = xmlCtxtReadMemory(context, data, (int)length, "map.svg", NULL, options);
    if (document && undeclared_entity) {
        char message[260];
        snprintf(message, sizeof message, "the map uses an entity it does not declare (%s)", undeclared_message);
        for (char *p = message; *p; p++) if (*p == '\n') *p = ' ';
        *error = dup_error(message);
        xmlFreeDoc(document);
        xmlFreeParserCtxt(context);
        return NULL;
    }
    // A namespace error (an undeclared prefix) leaves a document the browser reads differently
    // from the one checked here: refuse it as the malformed XML it is to a namespace-aware reader.
    if (!document || !context->wellFormed || !context->nsWellFormed) {
        const xmlError *last = xmlCtxtGetLastError(context);
        *error = dup_error(last && last->message ? last->message : "not well-formed XML");
        if (document) xmlFreeDoc(document);
        xmlFreeParserCtxt(context);
        return NULL;
    }
    xmlFreeParserCtxt(context);
    xmlNode *root = xmlDocGetRootElement(document);
    if (!root || strcmp((const char *)root->name, "svg") != 0
        || (root->ns != NULL && strcmp((const char *)root->ns->href, svg_namespace) != 0)) {
        xmlFreeDoc(document);
        *error = dup_error("the root element is not <svg>");
        return NULL;
    }
    if (document->intSubset) {
        // xmlUnlinkNode clears document->intSubset: keep the pointer to free it (the DTD, its
        // entities and the dictionary they hold leaked here; found by the `svg` fuzz target).
        xmlDtd *dtd = document->intSubset;
        xmlUnlinkNode((xmlNode *)dtd);
        xmlFreeDtd(dtd);
    }
    sanitize_attributes(root);
    sanitize_children(root);
    sanitize_namespaces(root);
    for (size_t i = 0; i < link_count; i++) {
        xmlNode *element = find_by_id(root->children, links[i].element_id);
        if (element && element != root) {
            add_link(document, element, &links[i]);
            found[i] = 1;
        }
    }
    xmlBuffer *buffer = xmlBufferCreate();
    xmlNodeDump(buffer, document, root, 0, 0);
    size_t size = (size_t)xmlBufferLength(buffer);
    char *result = malloc(size + 1);
    if (result) {
        memcpy(result, xmlBufferContent(buffer), size);
        result[size] = 0;
    }
    xmlBufferFree(buffer);
    xmlFreeDoc(document);
    if (!result) *error = dup_error("out of memory");
    return result;
}

void svg_free(char *pointer) { free(pointer); }
