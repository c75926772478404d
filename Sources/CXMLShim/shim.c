#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "CXMLShim.h"

static const char *svg_namespace = "http://www.w3.org/2000/svg";

static const char *allowed_elements[] = {
    "svg", "g", "title", "desc", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path",
    "text", "tspan", "defs", "linearGradient", "radialGradient", "stop", "clipPath", "symbol", "use",
    "marker", "pattern", "mask", NULL
};

static int is_allowed_element(const xmlNode *node) {
    if (node->ns != NULL && (node->ns->href == NULL || strcmp((const char *)node->ns->href, svg_namespace) != 0)) return 0;
    for (const char **name = allowed_elements; *name != NULL; name++) {
        if (strcmp((const char *)node->name, *name) == 0) return 1;
    }
    return 0;
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

static int is_reference_attribute(const xmlAttr *attribute) {
    return strcmp((const char *)attribute->name, "href") == 0 || strcmp((const char *)attribute->name, "src") == 0;
}

static void sanitize_attributes(xmlNode *node) {
    xmlAttr *attribute = node->properties;
    while (attribute) {
        xmlAttr *next = attribute->next;
        const char *name = (const char *)attribute->name;
        xmlChar *value = xmlNodeGetContent((xmlNode *)attribute);
        const char *text = value ? (const char *)value : "";
        int drop = 0;
        if (strncasecmp(name, "on", 2) == 0) drop = 1;
        else if (attribute->ns != NULL && attribute->ns->href != NULL
                 && strcmp((const char *)attribute->ns->href, "http://www.w3.org/1999/xlink") != 0
                 && strcmp((const char *)attribute->ns->href, "http://www.w3.org/XML/1998/namespace") != 0) drop = 1;
        else if (is_reference_attribute(attribute) && text[0] != '#') drop = 1;
        else if (!is_safe_value(text)) drop = 1;
        if (drop) xmlRemoveProp(attribute);
        if (value) xmlFree(value);
        attribute = next;
    }
}

static void sanitize_children(xmlNode *parent) {
    xmlNode *child = parent->children;
    while (child) {
        xmlNode *next = child->next;
        int keep = 0;
        if (child->type == XML_TEXT_NODE) keep = 1;
        else if (child->type == XML_ELEMENT_NODE && is_allowed_element(child)) keep = 1;
        if (!keep) {
            xmlUnlinkNode(child);
            xmlFreeNode(child);
        } else if (child->type == XML_ELEMENT_NODE) {
            sanitize_attributes(child);
            sanitize_children(child);
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
    xmlDoc *document = xmlReadMemory(data, (int)length, "map.svg", NULL, options);
    if (!document) {
        const xmlError *last = xmlGetLastError();
        *error = dup_error(last && last->message ? last->message : "not well-formed XML");
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(document);
    if (!root || strcmp((const char *)root->name, "svg") != 0
        || (root->ns != NULL && strcmp((const char *)root->ns->href, svg_namespace) != 0)) {
        xmlFreeDoc(document);
        *error = dup_error("the root element is not <svg>");
        return NULL;
    }
    if (document->intSubset) {
        xmlNode *dtd = (xmlNode *)document->intSubset;
        xmlUnlinkNode(dtd);
        xmlFreeDtd(document->intSubset);
        document->intSubset = NULL;
    }
    sanitize_attributes(root);
    sanitize_children(root);
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
