/*
 * fast_replay: a replay program that analyses nothing, to expose the fuzzer's
 * own overhead (benchmarks/bench_throughput.py compiles it with cc -O2 at run
 * time; nothing compiled is committed).
 *
 * It speaks the port's batch protocol (shared/spec/targets.md): it reads all
 * of stdin, then for each non-blank line writes
 *     {"id": <the line's id, copied as JSON text>, "report": <one fixed report>}
 * and flushes only at the end, exit status 0. The fixed report is valid
 * against fuzz/engine/schemas/report.schema.json: no signals, quality neutral.
 *
 * It does not parse JSON. It copies the value of the first "id" key on the
 * line, which is right for what the fuzzer sends ({"id": <int>, ...}, the id
 * first) and for short string ids without a quote in them; a line without
 * one gets {"id": null, "error": ...}.
 *
 * Optional arguments make it cost what a real analyzer costs, in CPU time
 * (burnt in a loop, since an analyzer computes rather than sleeps):
 *     fast_replay [START_US [PER_CONVERSATION_US]]
 * spends START_US microseconds before reading and PER_CONVERSATION_US for
 * each non-blank line. With the real port's measured costs it stands in for
 * the port in bench_throughput.py --port-like.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char REPORT[] =
    "{\"interaction_signals\": {"
    "\"misalignment\": {\"category\": \"misalignment\", \"count\": 0, \"severity\": 0, \"signals\": []}, "
    "\"stagnation\": {\"category\": \"stagnation\", \"count\": 0, \"severity\": 0, \"signals\": []}, "
    "\"disengagement\": {\"category\": \"disengagement\", \"count\": 0, \"severity\": 0, \"signals\": []}, "
    "\"satisfaction\": {\"category\": \"satisfaction\", \"count\": 0, \"severity\": 0, \"signals\": []}}, "
    "\"execution_signals\": {"
    "\"failure\": {\"category\": \"failure\", \"count\": 0, \"severity\": 0, \"signals\": []}, "
    "\"loops\": {\"category\": \"loops\", \"count\": 0, \"severity\": 0, \"signals\": []}}, "
    "\"environment_signals\": {"
    "\"exhaustion\": {\"category\": \"exhaustion\", \"count\": 0, \"severity\": 0, \"signals\": []}}, "
    "\"overall_quality\": \"neutral\", "
    "\"summary\": \"Overall Quality: neutral | Turns: fixed | fast_replay analyses nothing\"}";

static const char NO_ID[] = "{\"id\": null, \"error\": \"fast_replay: no id on this line\"}\n";

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} Buffer;

/* Room for `extra` more bytes; the process gives up (exit 2) when memory runs out. */
static void reserve(Buffer *buffer, size_t extra) {
    if (buffer->len + extra <= buffer->cap) {
        return;
    }
    size_t cap = buffer->cap ? buffer->cap : (size_t)1 << 16;
    while (cap < buffer->len + extra) {
        cap *= 2;
    }
    char *grown = realloc(buffer->data, cap);
    if (grown == NULL) {
        perror("fast_replay");
        exit(2);
    }
    buffer->data = grown;
    buffer->cap = cap;
}

static void append(Buffer *buffer, const char *bytes, size_t count) {
    reserve(buffer, count);
    memcpy(buffer->data + buffer->len, bytes, count);
    buffer->len += count;
}

/* All of stdin: the port answers only after end of input, and so does this. */
static Buffer read_all(void) {
    Buffer input = {0};
    size_t got;
    do {
        reserve(&input, (size_t)1 << 16);
        got = fread(input.data + input.len, 1, input.cap - input.len, stdin);
        input.len += got;
    } while (got > 0);
    if (ferror(stdin)) {
        perror("fast_replay: stdin");
        exit(2);
    }
    return input;
}

static int is_blank(const char *line, size_t length) {
    for (size_t i = 0; i < length; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            return 0;
        }
    }
    return 1;
}

static const char *skip_spaces(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    return p;
}

/* The JSON text of the first "id" value on the line; its length, 0 if none. */
static size_t find_id(const char *line, size_t length, const char **start) {
    const char *end = line + length;
    for (const char *key = line; key + 4 <= end; key++) {
        if (memcmp(key, "\"id\"", 4) != 0) {
            continue;
        }
        const char *p = skip_spaces(key + 4, end);
        if (p >= end || *p != ':') {
            continue;
        }
        p = skip_spaces(p + 1, end);
        const char *value = p;
        if (p < end && *p == '"') {
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\') {
                    p++;
                }
            }
            if (p >= end) {
                return 0;
            }
            p++;
        } else {
            while (p < end && *p != ',' && *p != '}' && *p != ' ' && *p != '\t') {
                p++;
            }
        }
        *start = value;
        return (size_t)(p - value);
    }
    return 0;
}

static double cpu_microseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec * 1e6 + (double)now.tv_nsec / 1e3;
}

/* Burn `microseconds` of this process's CPU time. */
static void burn(double microseconds) {
    if (microseconds <= 0) {
        return;
    }
    double until = cpu_microseconds() + microseconds;
    volatile unsigned long spin = 0;
    while (cpu_microseconds() < until) {
        spin++;
    }
}

/* A non-negative number of microseconds, or exit 2 naming the argument. */
static double microseconds_argument(const char *text, const char *what) {
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || value < 0) {
        fprintf(stderr, "fast_replay: %s must be a number of microseconds >= 0, not %s\n", what, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc > 3) {
        fprintf(stderr, "usage: fast_replay [START_US [PER_CONVERSATION_US]]\n");
        return 2;
    }
    double start_us = argc > 1 ? microseconds_argument(argv[1], "START_US") : 0;
    double per_conversation_us = argc > 2 ? microseconds_argument(argv[2], "PER_CONVERSATION_US") : 0;
    burn(start_us);
    Buffer input = read_all();
    Buffer output = {0};
    const char *cursor = input.data;
    const char *end = input.data + input.len;
    while (cursor < end) {
        const char *newline = memchr(cursor, '\n', (size_t)(end - cursor));
        const char *line_end = newline ? newline : end;
        size_t length = (size_t)(line_end - cursor);
        if (!is_blank(cursor, length)) {
            burn(per_conversation_us);
            const char *id = NULL;
            size_t id_length = find_id(cursor, length, &id);
            if (id_length == 0) {
                append(&output, NO_ID, sizeof NO_ID - 1);
            } else {
                append(&output, "{\"id\": ", 7);
                append(&output, id, id_length);
                append(&output, ", \"report\": ", 12);
                append(&output, REPORT, sizeof REPORT - 1);
                append(&output, "}\n", 2);
            }
        }
        cursor = line_end + 1;
    }
    if (output.len > 0 && fwrite(output.data, 1, output.len, stdout) != output.len) {
        perror("fast_replay: stdout");
        return 2;
    }
    return fflush(stdout) == 0 ? 0 : 2;
}
