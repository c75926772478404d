#ifndef CXMLSHIM_H
#define CXMLSHIM_H
#include <stddef.h>

/// One room link to add to a level map: the element with id `element_id` is wrapped in a
/// link to `href` and gets `title` as its tooltip.
typedef struct {
    const char *element_id;
    const char *href;
    const char *title;
} svg_room_link;

/// Sanitises an SVG document and links its rooms. Returns the `<svg>` element serialised as
/// UTF-8 (free it with svg_free), or NULL with a message in *error (free it with svg_free).
/// Refused (NULL): XML that is not well-formed, including namespace errors (an undeclared prefix).
/// Removed: scripts, event-handler attributes, foreignObject, any element outside a short
/// list of SVG drawing elements, external or javascript: references (href, url(...)), style
/// elements, comments, processing instructions, DTDs and entities, any attribute holding an
/// entity reference, xml:base, attributes and namespace declarations of other namespaces.
/// Names are compared without regard to case (the browser's HTML parser ignores it).
/// `found[i]` is set to 1 when links[i] matched an element, else 0.
char *sanitize_svg(const char *data, size_t length, const svg_room_link *links, size_t link_count,
                   int *found, char **error);

void svg_free(char *pointer);

#endif
