/*
 * miou-manifest.c - turn a unikernel's manifest.json (Solo5's format) into
 * the C that the hosted platform links into the program:
 *
 *   miou-manifest SOURCE.json OUTPUT.c
 *
 *   {"type": "solo5.manifest", "version": 1,
 *    "devices": [{"name": "service", "type": "NET_BASIC"}]}
 *
 * becomes
 *
 *   const char *const miou_hosted_manifest[] = {"NET_BASIC service", NULL};
 *
 * The same file serves the real Solo5 target (solo5-elftool), so the tool
 * refuses what Solo5 refuses: anything but the three keys, a version other
 * than 1, a device with other keys than name and type, a name that is not
 * 1 to 67 ASCII letters and digits, an unknown type, more than 63 devices,
 * a name declared twice. A mistake found here costs less than one found at
 * start-up. Each error is one line, "miou-manifest: FILE:LINE: what", and
 * exit status 1; the output is written (through a temporary file, renamed)
 * only when the whole manifest is right. A host tool: it uses the C
 * library freely, and ends the process at the first error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROG "miou-manifest"

/* Solo5's limits (its manifest has 64 entries, the first reserved). */
#define MAX_DEVICES 63
#define NAME_MAX_LEN 67

/* Deeper JSON than this is no manifest; the limit keeps the recursive
 * parser's stack small. */
#define MAX_DEPTH 32

/* Bytes of a manifest that no one would write by hand or tool. */
#define MAX_SOURCE (1 << 20)

static const char *source; /* file name, for messages */

static void fail(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void fail(int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        fprintf(stderr, "%s: %s:%d: %s\n", PROG, source, line, msg);
    else
        fprintf(stderr, "%s: %s: %s\n", PROG, source, msg);
    exit(1);
}

/* Every allocation of the tool, freed together at the end. An error ends
 * the process wherever it is found; kept on this list, nothing it had
 * allocated is lost track of. */
struct chunk {
    struct chunk *next;
    max_align_t data[];
};

static struct chunk *chunks;

static void *xcalloc(size_t n, size_t size)
{
    struct chunk *c = NULL;

    if (size == 0 || n <= (SIZE_MAX - sizeof *c) / size)
        c = calloc(1, sizeof *c + n * size);
    if (c == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        exit(1);
    }
    c->next = chunks;
    chunks = c;
    return c->data;
}

static void free_all(void)
{
    while (chunks != NULL) {
        struct chunk *c = chunks;

        chunks = c->next;
        free(c);
    }
}

/* ---- JSON values -------------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_INT, J_REAL, J_STRING, J_ARRAY, J_OBJECT };

struct jvalue {
    enum jtype type;
    int line;          /* where the value starts */
    long long i;       /* J_INT; J_BOOL: 0 or 1 */
    char *s;           /* J_STRING, without NUL bytes */
    size_t n, cap;     /* J_ARRAY, J_OBJECT: members, and room */
    struct jvalue **v; /* their values */
    char **keys;       /* J_OBJECT: their keys */
};

static const char *jtype_name(enum jtype t)
{
    static const char *const names[] = {
        "null",     "true or false", "an integer", "a number",
        "a string", "an array",      "an object"};
    return names[t];
}

/* ---- The parser: RFC 8259, strictly ------------------------------- */

struct parser {
    const char *p, *end;
    int line;
};

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;

        if (c == '\n')
            ps->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            return;
        ps->p++;
    }
}

/* A short, printable rendering of the character at (p), for messages. */
static const char *show_char(const struct parser *ps)
{
    static char buf[16];
    unsigned char c;

    if (ps->p >= ps->end)
        return "the end of the file";
    c = (unsigned char)*ps->p;
    if (c > ' ' && c < 0x7f)
        snprintf(buf, sizeof buf, "'%c'", c);
    else
        snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
}

static struct jvalue *parse_value(struct parser *ps, int depth);
static const char *shown(const char *s);

static struct jvalue *new_value(enum jtype type, int line)
{
    struct jvalue *v = xcalloc(1, sizeof *v);

    v->type = type;
    v->line = line;
    return v;
}

static int hex4(struct parser *ps)
{
    int k, x = 0;

    if (ps->end - ps->p < 4)
        fail(ps->line, "\\u needs four hexadecimal digits");
    for (k = 0; k < 4; k++) {
        char c = *ps->p++;

        x <<= 4;
        if (c >= '0' && c <= '9')
            x |= c - '0';
        else if (c >= 'a' && c <= 'f')
            x |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            x |= c - 'A' + 10;
        else
            fail(ps->line, "\\u needs four hexadecimal digits");
    }
    return x;
}

/* The code point of a \u escape (after "\u"), joining surrogate pairs. */
static long unicode_escape(struct parser *ps)
{
    long cp = hex4(ps), lo;

    if (cp >= 0xdc00 && cp <= 0xdfff)
        fail(ps->line, "\\u%04lx is half of a surrogate pair", cp);
    if (cp < 0xd800 || cp > 0xdbff)
        return cp;
    if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
        fail(ps->line, "\\u%04lx is half of a surrogate pair", cp);
    ps->p += 2;
    lo = hex4(ps);
    if (lo < 0xdc00 || lo > 0xdfff)
        fail(ps->line, "\\u%04lx is half of a surrogate pair", cp);
    return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
}

static size_t put_utf8(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* The length of the UTF-8 sequence at (p), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *p, const unsigned char *end)
{
    size_t len, k;
    unsigned long cp;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0)
        len = 2, cp = p[0] & 0x1f;
    else if ((p[0] & 0xf0) == 0xe0)
        len = 3, cp = p[0] & 0x0f;
    else if ((p[0] & 0xf8) == 0xf0)
        len = 4, cp = p[0] & 0x07;
    else
        return 0;
    if ((size_t)(end - p) < len)
        return 0;
    for (k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3f);
    }
    /* No overlong forms, no surrogates, nothing beyond U+10FFFF. */
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* The bytes from (p) to the string's closing quote, or to the end. */
static size_t raw_length(const char *p, const char *end)
{
    const char *q = p;

    while (q < end && *q != '"')
        q += *q == '\\' && q + 1 < end ? 2 : 1;
    return (size_t)(q - p);
}

/* A string, after its opening quote; decoded into a new buffer. */
static char *parse_string_body(struct parser *ps)
{
    /* The decoded text is never longer than its source. */
    char *out = xcalloc(raw_length(ps->p, ps->end) + 1, 1);
    size_t n = 0;

    for (;;) {
        unsigned char c;

        if (ps->p >= ps->end)
            fail(ps->line, "string not closed before the end of the file");
        c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            out[n] = '\0';
            return out;
        }
        if (c < 0x20)
            fail(ps->line,
                 "control character (byte 0x%02x) in a string; "
                 "write it as an escape",
                 c);
        if (c != '\\') {
            size_t len = utf8_length((const unsigned char *)ps->p,
                                     (const unsigned char *)ps->end);

            if (len == 0)
                fail(ps->line, "invalid UTF-8 in a string");
            memcpy(out + n, ps->p, len);
            n += len;
            ps->p += len;
            continue;
        }
        ps->p++;
        if (ps->p >= ps->end)
            fail(ps->line, "string not closed before the end of the file");
        switch (*ps->p++) {
        case '"':
            out[n++] = '"';
            break;
        case '\\':
            out[n++] = '\\';
            break;
        case '/':
            out[n++] = '/';
            break;
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u': {
            long cp = unicode_escape(ps);

            /* C strings end at NUL: no name or type can contain one. */
            if (cp == 0)
                fail(ps->line, "\\u0000 is not allowed in a string");
            n += put_utf8(out + n, cp);
            break;
        }
        default:
            ps->p--;
            fail(ps->line, "invalid escape '\\%c' in a string",
                 *ps->p > ' ' && *ps->p < 0x7f ? *ps->p : '?');
        }
    }
}

static struct jvalue *parse_number(struct parser *ps)
{
    struct jvalue *v = new_value(J_INT, ps->line);
    const char *start = ps->p;
    int neg = 0, real = 0;
    unsigned long long x = 0;

    if (*ps->p == '-') {
        neg = 1;
        ps->p++;
    }
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
        fail(ps->line, "'-' must be followed by digits");
    /* No leading zeros: "01" is not JSON. */
    if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' &&
        ps->p[1] <= '9')
        fail(ps->line, "a number cannot start with 0");
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        unsigned d = (unsigned)(*ps->p++ - '0');

        if (x > (9223372036854775807ull - d) / 10) {
            while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
                ps->p++;
            fail(ps->line, "integer %.*s is too large", (int)(ps->p - start),
                 start);
        }
        x = x * 10 + d;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        real = 1;
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            fail(ps->line, "'.' must be followed by digits");
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        real = 1;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            fail(ps->line, "an exponent needs digits");
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    }
    if (real)
        v->type = J_REAL;
    v->i = neg ? -(long long)x : (long long)x;
    return v;
}

/* Append (item) (and its key) to the array or object (v). */
static void add_member(struct jvalue *v, char *key, struct jvalue *item)
{
    /* Room doubles, so that the copies cost as much as the members. */
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 4;
        struct jvalue **values = xcalloc(cap, sizeof *values);
        char **keys = xcalloc(cap, sizeof *keys);

        if (v->n > 0) {
            memcpy(values, v->v, v->n * sizeof *values);
            memcpy(keys, v->keys, v->n * sizeof *keys);
        }
        v->v = values;
        v->keys = keys;
        v->cap = cap;
    }
    v->keys[v->n] = key;
    v->v[v->n++] = item;
}

/* The keys of an object so far, to find one given twice: a table of
 * their indexes + 1 (0: a free slot), at most half full, by hash.
 * Comparing each key with every other would take a time growing as the
 * square of their number: half a minute for a megabyte of keys. */
struct keyset {
    size_t *slot;
    size_t size; /* a power of 2, or 0 */
};

static size_t key_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return (size_t)(h ^ h >> 32);
}

/* Whether (key) is one of the (n) keys of (keys), which (ks) holds; when
 * it is not, (ks) takes it as the next one, keys[n]. */
static int key_given_twice(struct keyset *ks, char *const *keys, size_t n,
                           const char *key)
{
    size_t k, i;

    if (2 * (n + 1) > ks->size) {
        size_t size = ks->size ? 2 * ks->size : 8;
        size_t *slot = xcalloc(size, sizeof *slot);

        for (k = 0; k < n; k++) {
            for (i = key_hash(keys[k]) & (size - 1); slot[i] != 0;
                 i = (i + 1) & (size - 1))
                ;
            slot[i] = k + 1;
        }
        ks->slot = slot;
        ks->size = size;
    }
    for (i = key_hash(key) & (ks->size - 1); ks->slot[i] != 0;
         i = (i + 1) & (ks->size - 1))
        if (strcmp(keys[ks->slot[i] - 1], key) == 0)
            return 1;
    ks->slot[i] = n + 1;
    return 0;
}

/* The members of an array or object, after its opening bracket. */
static struct jvalue *parse_members(struct parser *ps, enum jtype type,
                                    int depth)
{
    struct jvalue *v = new_value(type, ps->line);
    char close = type == J_ARRAY ? ']' : '}';
    struct keyset seen = {NULL, 0};

    if (depth > MAX_DEPTH)
        fail(ps->line, "values nested more than %d deep", MAX_DEPTH);
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return v;
    }
    for (;;) {
        char *key = NULL;

        skip_space(ps);
        if (type == J_OBJECT) {
            if (ps->p >= ps->end || *ps->p != '"')
                fail(ps->line, "expected a key (a string), found %s",
                     show_char(ps));
            ps->p++;
            key = parse_string_body(ps);
            /* shown(): a key may hold any character, a newline too. */
            if (key_given_twice(&seen, v->keys, v->n, key))
                fail(ps->line, "key \"%s\" appears twice in an object",
                     shown(key));
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                fail(ps->line, "expected ':' after a key, found %s",
                     show_char(ps));
            ps->p++;
        }
        add_member(v, key, parse_value(ps, depth + 1));
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return v;
        }
        fail(ps->line, "expected ',' or '%c', found %s", close, show_char(ps));
    }
}

/* Whether the text at (p) is the word (w); consumes it if so. */
static int word(struct parser *ps, const char *w)
{
    size_t len = strlen(w);

    if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, w, len) != 0)
        return 0;
    ps->p += len;
    return 1;
}

static struct jvalue *parse_value(struct parser *ps, int depth)
{
    struct jvalue *v;
    char c;

    skip_space(ps);
    if (ps->p >= ps->end)
        fail(ps->line, "expected a value, found the end of the file");
    c = *ps->p;
    if (c == '{' || c == '[') {
        ps->p++;
        return parse_members(ps, c == '{' ? J_OBJECT : J_ARRAY, depth);
    }
    if (c == '"') {
        v = new_value(J_STRING, ps->line);
        ps->p++;
        v->s = parse_string_body(ps);
        return v;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(ps);
    v = new_value(J_NULL, ps->line);
    if (word(ps, "null"))
        return v;
    v->type = J_BOOL;
    if (word(ps, "true")) {
        v->i = 1;
        return v;
    }
    if (word(ps, "false"))
        return v;
    fail(ps->line, "expected a value, found %s", show_char(ps));
}

/* ---- The manifest ------------------------------------------------- */

struct device {
    const char *type, *name;
    int line;
};

/* (s) for a message: printable ASCII, cut at 80 characters. */
static const char *shown(const char *s)
{
    static char buf[4][100];
    static int next;
    char *out = buf[next++ % 4];
    size_t n = 0;

    for (; *s != '\0' && n < 80; s++) {
        unsigned char c = (unsigned char)*s;

        out[n++] = c >= ' ' && c < 0x7f ? (char)c : '?';
    }
    if (*s != '\0')
        n -= 3, memcpy(out + n, "...", 3), n += 3;
    out[n] = '\0';
    return out;
}

static void expect_type(const struct jvalue *v, enum jtype t, const char *what)
{
    if (v->type != t)
        fail(v->line, "%s must be %s, not %s", what, jtype_name(t),
             jtype_name(v->type));
}

static const char *const device_types[] = {"NET_BASIC", "BLOCK_BASIC"};

static void check_name(const struct jvalue *v)
{
    size_t len = strlen(v->s);

    if (len == 0)
        fail(v->line, "a device name cannot be empty");
    if (len > NAME_MAX_LEN)
        fail(v->line, "device name \"%s\" is longer than %d characters",
             shown(v->s), NAME_MAX_LEN);
    if (strspn(v->s, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != len)
        fail(v->line,
             "device name \"%s\" may hold only ASCII letters and "
             "digits",
             shown(v->s));
}

static struct device read_device(const struct jvalue *o)
{
    struct device d = {NULL, NULL, o->line};
    const struct jvalue *type = NULL, *name = NULL;
    size_t k;

    expect_type(o, J_OBJECT, "a device");
    for (k = 0; k < o->n; k++) {
        if (strcmp(o->keys[k], "name") == 0)
            name = o->v[k];
        else if (strcmp(o->keys[k], "type") == 0)
            type = o->v[k];
        else
            fail(o->v[k]->line,
                 "unknown key \"%s\" in a device (only "
                 "\"name\" and \"type\")",
                 shown(o->keys[k]));
    }
    if (name == NULL)
        fail(o->line, "a device has no \"name\"");
    if (type == NULL)
        fail(o->line, "a device has no \"type\"");
    expect_type(name, J_STRING, "a device's \"name\"");
    check_name(name);
    expect_type(type, J_STRING, "a device's \"type\"");
    for (k = 0; k < sizeof device_types / sizeof device_types[0]; k++)
        if (strcmp(type->s, device_types[k]) == 0)
            d.type = device_types[k];
    if (d.type == NULL)
        fail(type->line,
             "device \"%s\": unknown type \"%s\" (NET_BASIC or "
             "BLOCK_BASIC)",
             name->s, shown(type->s));
    d.name = name->s;
    d.line = name->line;
    return d;
}

/* Check the manifest (root) and fill (devs); the number of devices. */
static size_t read_manifest(const struct jvalue *root,
                            struct device devs[MAX_DEVICES])
{
    const struct jvalue *type = NULL, *version = NULL, *devices = NULL;
    size_t k, j, n = 0;

    expect_type(root, J_OBJECT, "the manifest");
    for (k = 0; k < root->n; k++) {
        if (strcmp(root->keys[k], "type") == 0)
            type = root->v[k];
        else if (strcmp(root->keys[k], "version") == 0)
            version = root->v[k];
        else if (strcmp(root->keys[k], "devices") == 0)
            devices = root->v[k];
        else
            fail(root->v[k]->line,
                 "unknown key \"%s\" (only \"type\", "
                 "\"version\" and \"devices\")",
                 shown(root->keys[k]));
    }
    if (type == NULL || version == NULL || devices == NULL)
        fail(root->line, "the manifest has no \"%s\"",
             type == NULL      ? "type"
             : version == NULL ? "version"
                               : "devices");
    expect_type(type, J_STRING, "\"type\"");
    if (strcmp(type->s, "solo5.manifest") != 0)
        fail(type->line, "\"type\" must be \"solo5.manifest\", not \"%s\"",
             shown(type->s));
    expect_type(version, J_INT, "\"version\"");
    if (version->i != 1)
        fail(version->line, "unsupported version %lld (only 1)", version->i);
    expect_type(devices, J_ARRAY, "\"devices\"");
    for (k = 0; k < devices->n; k++) {
        if (n == MAX_DEVICES)
            fail(devices->v[k]->line, "more than %d devices", MAX_DEVICES);
        devs[n] = read_device(devices->v[k]);
        for (j = 0; j < n; j++)
            if (strcmp(devs[j].name, devs[n].name) == 0)
                fail(devs[n].line,
                     "device name \"%s\" is declared twice "
                     "(first at line %d)",
                     devs[n].name, devs[j].line);
        n++;
    }
    return n;
}

/* ---- Input and output --------------------------------------------- */

static char *read_source(size_t *size)
{
    FILE *f = fopen(source, "rb");
    char *buf;

    if (f == NULL)
        fail(0, "cannot open: %s", strerror(errno));
    buf = xcalloc(MAX_SOURCE + 1, 1);
    *size = fread(buf, 1, MAX_SOURCE + 1, f);
    if (ferror(f))
        fail(0, "cannot read: %s", strerror(errno));
    fclose(f);
    if (*size > MAX_SOURCE)
        fail(0, "larger than %d bytes: not a manifest", MAX_SOURCE);
    return buf;
}

static struct jvalue *parse_source(const char *text, size_t size)
{
    struct parser ps = {text, text + size, 1};
    struct jvalue *root;

    /* A byte-order mark is not JSON (RFC 8259 lets parsers refuse it). */
    if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        fail(1, "the file starts with a byte-order mark");
    root = parse_value(&ps, 0);
    skip_space(&ps);
    if (ps.p < ps.end)
        fail(ps.line, "%s after the manifest's end", show_char(&ps));
    return root;
}

/* (path) in a C comment: no "*" followed by "/", nothing unprintable. */
static void put_comment_text(FILE *f, const char *path)
{
    for (; *path != '\0'; path++) {
        unsigned char c = (unsigned char)*path;

        if (c == '*' && path[1] == '/')
            fputs("*_", f);
        else
            fputc(c >= ' ' && c < 0x7f ? c : '?', f);
    }
}

static void write_c(FILE *f, const struct device *devs, size_t n)
{
    size_t k;

    fputs("/* Generated by " PROG " from ", f);
    put_comment_text(f, source);
    fputs(": do not edit. */\n"
          "#include <stddef.h>\n"
          "\n"
          "/* The devices of the program's manifest, \"TYPE NAME\", in\n"
          " * declaration order; read by the hosted platform at start-up. "
          "*/\n"
          "extern const char *const miou_hosted_manifest[];\n"
          "const char *const miou_hosted_manifest[] = {\n",
          f);
    /* Names and types are letters, digits and '_': no escaping. */
    for (k = 0; k < n; k++)
        fprintf(f, "    \"%s %s\",\n", devs[k].type, devs[k].name);
    fputs("    NULL,\n};\n", f);
}

/* Write the C to (output) whole, or not at all. */
static void write_output(const char *output, const struct device *devs,
                         size_t n)
{
    size_t len = strlen(output);
    char *tmp = xcalloc(len + 8, 1);
    mode_t mask;
    FILE *f;
    int fd;

    memcpy(tmp, output, len);
    memcpy(tmp + len, ".XXXXXX", 7);
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "%s: %s: cannot create: %s\n", PROG, output,
                strerror(errno));
        exit(1);
    }
    /* mkstemp() makes 0600; the output is as public as any file the user
     * creates. */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || (f = fdopen(fd, "w")) == NULL) {
        fprintf(stderr, "%s: %s: cannot write: %s\n", PROG, tmp,
                strerror(errno));
        unlink(tmp);
        exit(1);
    }
    write_c(f, devs, n);
    if (fflush(f) != 0 || ferror(f) || fclose(f) != 0 ||
        rename(tmp, output) != 0) {
        fprintf(stderr, "%s: %s: cannot write: %s\n", PROG, output,
                strerror(errno));
        unlink(tmp);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    static struct device devs[MAX_DEVICES];
    struct jvalue *root;
    size_t size, n;
    char *text;

    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        printf("Usage: %s SOURCE.json OUTPUT.c\n"
               "Write the C that declares the devices of the Solo5 manifest "
               "SOURCE.json\n"
               "to the hosted platform (miou_hosted_manifest).\n",
               PROG);
        return 0;
    }
    if (argc != 3 || argv[1][0] == '\0' || argv[2][0] == '\0') {
        fprintf(stderr, "usage: %s SOURCE.json OUTPUT.c\n", PROG);
        return 2;
    }
    source = argv[1];
    text = read_source(&size);
    if (memchr(text, '\0', size) != NULL) {
        const char *nul = memchr(text, '\0', size);
        int line = 1;

        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        fail(line, "NUL byte in the file");
    }
    root = parse_source(text, size);
    n = read_manifest(root, devs);
    write_output(argv[2], devs, n);
    free_all();
    return 0;
}
