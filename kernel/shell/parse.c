/*
 * kernel/shell/parse.c - splitting a command line into words.
 *
 * Words are separated by blanks; '...' keeps everything literally, "..."
 * allows \" and \\ inside, a backslash outside quotes escapes the next
 * character. A trailing unquoted '&' asks for a background run. A '#' at
 * the start of a word begins a comment.
 */
#include "shell/shell.h"

int shell_split(const char *line, char *buf, size_t size, char **argv, int max, bool *background)
{
    size_t o = 0;
    int argc = 0;
    const char *p = line;
    *background = false;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p || *p == '#') break;
        if (*p == '&' && (p[1] == '\0' || p[1] == ' ' || p[1] == '\t' || p[1] == '\n')) {
            *background = true;
            p++;
            continue;
        }
        if (argc == max || o >= size) return -1;
        argv[argc++] = buf + o;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (o + 1 >= size) return -1;
            if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    if (o + 1 < size) buf[o++] = *p;
                if (!*p) return -1;
                p++;
            } else if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) p++;
                    if (o + 1 < size) buf[o++] = *p;
                }
                if (!*p) return -1;
                p++;
            } else if (*p == '\\' && p[1]) {
                buf[o++] = p[1];
                p += 2;
            } else {
                buf[o++] = *p++;
            }
        }
        buf[o++] = '\0';
    }
    if (*background && argc == 0) return -1;
    return argc;
}
