// Emits interop/tests/layout_conformance.g.c: the C compiler's layout checked against the manifest twice, at
// compile time (_Static_assert on sizeof/_Alignof/offsetof) and at run time through NP_DEFINE_LAYOUT_REPORT (the
// table libraries hand to hosts), and the fingerprints recomputed from that table.
using NativePlugins.Generator.Model;

namespace NativePlugins.Generator.Emit;

internal static class CLayoutTestEmitter
{
    public const string Path = "interop/tests/layout_conformance.g.c";

    public static IEnumerable<(string Path, string Text)> Emit(AbiModel model)
    {
        var w = new CodeWriter();
        Banner.CBlock(w, "interop/layout/layout.g.json (the layout manifest)");
        w.Line("#include <inttypes.h>");
        w.Line("#include <stdio.h>");
        w.Line("#include <string.h>");
        w.Line();
        w.Line("#include \"nplug/nplug.h\"");
        w.Line();
        w.Line("/* ---- Compile time: this compiler's sizeof/_Alignof/offsetof equal the manifest. ---- */");
        foreach (var s in model.LaidOutStructs)
        {
            w.Line($"_Static_assert(sizeof({s.Name}) == {s.Size}, \"sizeof({s.Name})\");");
            w.Line($"_Static_assert(_Alignof({s.Name}) == {s.Align}, \"_Alignof({s.Name})\");");
            foreach (var f in s.Fields)
            {
                w.Line($"_Static_assert(offsetof({s.Name}, {f.Name}) == {f.Offset}, \"offsetof({s.Name}, {f.Name})\");");
                w.Line($"_Static_assert(sizeof((({s.Name} *)0)->{f.Name}) == {f.Size}, \"sizeof {s.Name}.{f.Name}\");");
            }
        }
        w.Line();
        w.Line("/* ---- Run time: NP_DEFINE_LAYOUT_REPORT describes the same layout, and its fingerprints are the constants. ---- */");
        w.Line("typedef struct manifest_field { const char *name; const char *canonical_type; uint32_t offset, size, since; } manifest_field;");
        w.Line("typedef struct manifest_struct {");
        w.Line("    const char *name;");
        w.Line("    uint32_t size, align, since;");
        w.Line("    const manifest_field *fields;");
        w.Line("    size_t field_count;");
        w.Line("} manifest_struct;");
        w.Line();
        foreach (var s in model.LaidOutStructs)
        {
            w.Line($"static const manifest_field manifest_{s.Name}[] = {{");
            foreach (var f in s.Fields)
                w.Line($"    {{\"{f.Name}\", \"{f.Type.Canonical}\", {f.Offset}, {f.Size}, {f.SinceMinor}}},");
            w.Line("};");
        }
        w.Line("static const manifest_struct manifest[] = {");
        foreach (var s in model.LaidOutStructs)
            w.Line($"    {{\"{s.Name}\", {s.Size}, {s.Align}, {s.SinceMinor}, manifest_{s.Name}, {s.Fields.Count}}},");
        w.Line("};");
        w.Line($"static const uint64_t expected_fingerprints[] = {{{string.Join(", ", Enumerable.Range(0, (int)model.AbiMinor + 1).Select(m => $"NP_LAYOUT_FINGERPRINT_{model.AbiMajor}_{m}"))}}};");
        w.Line();
        w.Line("NP_DEFINE_LAYOUT_REPORT(np_c_layout);");
        w.Line();
        w.Line("/* The C++ compiler's report (layout_report_cxx.cpp): the macro must work there too. */");
        w.Line("extern const np_layout_report_t *np_cxx_layout_report(void);");
        w.Line();
        w.Line("static int failures;");
        w.Line();
        w.Line("static int name_is(np_str_t s, const char *expected) {");
        w.Line("    return s.len == strlen(expected) && memcmp(s.ptr, expected, s.len) == 0;");
        w.Line("}");
        w.Line();
        w.Line("static void check_report(const char *who, const np_layout_report_t *r) {");
        w.Line("    if (r->struct_size != sizeof(np_layout_report_t) || r->reserved != 0 ||");
        w.Line("        r->struct_count != sizeof(manifest) / sizeof(manifest[0])) {");
        w.Line("        printf(\"FAIL %s: report header (struct_size %\" PRIu32 \", struct_count %\" PRIu64 \")\\n\", who, r->struct_size, r->struct_count);");
        w.Line("        failures++;");
        w.Line("        return;");
        w.Line("    }");
        w.Line("    for (size_t i = 0; i < r->struct_count; i++) {");
        w.Line("        const np_layout_struct_t *s = &r->structs[i];");
        w.Line("        const manifest_struct *m = &manifest[i];");
        w.Line("        if (!name_is(s->name, m->name) || s->size != m->size || s->align != m->align || s->field_count != m->field_count) {");
        w.Line("            printf(\"FAIL %s: struct %s: size %\" PRIu32 \" align %\" PRIu32 \" fields %\" PRIu64 \", manifest %\" PRIu32 \"/%\" PRIu32 \"/%zu\\n\",");
        w.Line("                   who, m->name, s->size, s->align, s->field_count, m->size, m->align, m->field_count);");
        w.Line("            failures++;");
        w.Line("            continue;");
        w.Line("        }");
        w.Line("        for (size_t j = 0; j < m->field_count; j++) {");
        w.Line("            const np_layout_field_t *f = &s->fields[j];");
        w.Line("            const manifest_field *mf = &m->fields[j];");
        w.Line("            if (!name_is(f->name, mf->name) || f->offset != mf->offset || f->size != mf->size) {");
        w.Line("                printf(\"FAIL %s: %s.%s: offset %\" PRIu32 \" size %\" PRIu32 \", manifest %\" PRIu32 \"+%\" PRIu32 \"\\n\",");
        w.Line("                       who, m->name, mf->name, f->offset, f->size, mf->offset, mf->size);");
        w.Line("                failures++;");
        w.Line("            }");
        w.Line("        }");
        w.Line("    }");
        w.Line("}");
        w.Line();
        w.Line("static uint64_t fnv1a(uint64_t h, const char *text) {");
        w.Line("    for (; *text; text++) { h ^= (uint8_t)*text; h *= 0x100000001b3ull; }");
        w.Line("    return h;");
        w.Line("}");
        w.Line();
        w.Line("/* The fingerprint of `minor` from this compiler's offsets and sizes (canonical text: interop/generator/README.md). */");
        w.Line("static uint64_t fingerprint_from_report(const np_layout_report_t *r, uint32_t minor) {");
        w.Line("    uint64_t h = 0xcbf29ce484222325ull;");
        w.Line("    char line[512];");
        w.Line("    for (size_t i = 0; i < r->struct_count; i++) {");
        w.Line("        const manifest_struct *m = &manifest[i];");
        w.Line("        if (m->since > minor) continue;");
        w.Line("        snprintf(line, sizeof line, \"struct %s\\n\", m->name);");
        w.Line("        h = fnv1a(h, line);");
        w.Line("        for (size_t j = 0; j < m->field_count; j++) {");
        w.Line("            if (m->fields[j].since > minor) continue;");
        w.Line("            const np_layout_field_t *f = &r->structs[i].fields[j];");
        w.Line("            snprintf(line, sizeof line, \"%s:%s@%\" PRIu32 \"+%\" PRIu32 \"\\n\", m->fields[j].name, m->fields[j].canonical_type, f->offset, f->size);");
        w.Line("            h = fnv1a(h, line);");
        w.Line("        }");
        w.Line("    }");
        w.Line("    return h;");
        w.Line("}");
        w.Line();
        w.Line("int main(void) {");
        w.Line("    check_report(\"C\", &np_c_layout);");
        w.Line("    check_report(\"C++\", np_cxx_layout_report());");
        w.Line("    for (uint32_t minor = 0; minor < sizeof(expected_fingerprints) / sizeof(expected_fingerprints[0]); minor++) {");
        w.Line("        uint64_t got = fingerprint_from_report(&np_c_layout, minor);");
        w.Line("        if (got != expected_fingerprints[minor] || NP_LAYOUT_FINGERPRINT_FOR_MINOR(minor) != expected_fingerprints[minor]) {");
        w.Line($"            printf(\"FAIL fingerprint {model.AbiMajor}.%\" PRIu32 \": computed 0x%016\" PRIx64 \", np_layout.g.h 0x%016\" PRIx64 \"\\n\", minor, got, expected_fingerprints[minor]);");
        w.Line("            failures++;");
        w.Line("        }");
        w.Line("    }");
        w.Line("    if (NP_LAYOUT_FINGERPRINT != expected_fingerprints[NP_ABI_MINOR]) { printf(\"FAIL NP_LAYOUT_FINGERPRINT is not the current minor's\\n\"); failures++; }");
        w.Line("    if (failures) { printf(\"%d layout mismatches\\n\", failures); return 1; }");
        w.Line($"    printf(\"layout conformance: %zu structs match the manifest in C and C++; fingerprints {model.AbiMajor}.0..{model.AbiMajor}.%u match\\n\",");
        w.Line("           sizeof(manifest) / sizeof(manifest[0]), (unsigned)NP_ABI_MINOR);");
        w.Line("    return 0;");
        w.Line("}");
        yield return (Path, w.ToString());
    }
}
