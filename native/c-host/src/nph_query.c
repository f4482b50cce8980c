/*
 * nph_query.c - read-only questions about a loaded, validated library's descriptors, each field read only where the
 * library's struct_size and the agreed minor cover it (rule H2). The out-of-process scanner (native/scanner) reports
 * its answers; nothing here calls into the library.
 */
#include "nph_internal.h"

uint32_t nph_plugin_interface_size(const np_plugin_descriptor_t *plugin, uint64_t index) {
    if (!plugin || index >= plugin->interface_count) return 0;
    const uint32_t *vtable = (const uint32_t *)plugin->interfaces[index].vtable;
    return vtable ? *vtable : 0;
}

uint64_t nph_plugin_interface_fingerprint(const nph_library_t *library, const np_plugin_descriptor_t *plugin,
                                          uint64_t index) {
    if (!library || !plugin || index >= plugin->interface_count) return 0;
    if (library->negotiation.abi_minor < 2 || !NP_HAS_FIELD(plugin, np_plugin_descriptor_t, interface_layouts))
        return 0;
    const np_interface_layout_t *layouts = plugin->interface_layouts;
    return layouts ? layouts[index].fingerprint : 0;
}

const np_layout_report_t *nph_plugin_interface_report(const nph_library_t *library,
                                                      const np_plugin_descriptor_t *plugin, uint64_t index) {
    if (!library || !plugin || index >= plugin->interface_count) return NULL;
    if (library->negotiation.abi_minor < 2 || !NP_HAS_FIELD(plugin, np_plugin_descriptor_t, interface_layouts))
        return NULL;
    const np_interface_layout_t *layouts = plugin->interface_layouts;
    return layouts ? layouts[index].report : NULL;
}
