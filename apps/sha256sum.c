/*
 * apps/sha256sum.c - `sha256sum [FILE]...` prints "HASH  NAME" for each
 * FILE (standard input for "-" or none), and `sha256sum -c [FILE]...`
 * checks the "HASH  NAME" lines of FILE, printing "NAME: OK" or "NAME:
 * FAILED", as GNU coreutils does. SHA-256 (FIPS 180-4) is the SDK's
 * apps/sdk/sha256.c, written for the interpreter. Exit status 1 when a
 * file cannot be read or a checksum does not match.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdk/cli.h"
#include "sdk/sha256.h"

static const char help[] = "Usage: sha256sum [-c] [FILE]...\n"
                           "Print or check SHA-256 (FIPS 180-4) checksums.\n"
                           "With no FILE, or when FILE is -, read standard input.\n"
                           "  -c  read checksums from the FILEs and check them\n";

static char buf[256 * 1024];

/* Hashes path ("-": stdin) into hex[65]. Returns 0 or an errno. */
static int hash_file(const char *path, char hex[65])
{
    bool is_stdin = !strcmp(path, "-");
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) return errno;
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    struct sdk_sha256 s;
    sdk_sha256_init(&s);
    while (!err) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : 0;
            break;
        }
        sdk_sha256_update(&s, buf, (size_t)n);
    }
    if (!is_stdin) close(fd);
    if (!err) {
        uint8_t d[32];
        sdk_sha256_final(&s, d);
        sdk_sha256_hex(d, hex);
    }
    return err;
}

static bool is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

struct check_stats {
    unsigned bad_lines, unreadable, mismatched, good;
};

/* One checksum line: "HEX  NAME" or "HEX *NAME" (binary mode marker). */
static void check_line(char *line, struct check_stats *st)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (len < 67 || !is_hex64(line) || line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
        st->bad_lines++;
        return;
    }
    const char *name = line + 66;
    char hex[65];
    int err = hash_file(name, hex);
    if (err) {
        cli_warn_err(err, "%s", name);
        printf("%s: FAILED open or read\n", name);
        st->unreadable++;
    } else if (strncasecmp(hex, line, 64) != 0) {
        printf("%s: FAILED\n", name);
        st->mismatched++;
    } else {
        printf("%s: OK\n", name);
        st->good++;
    }
}

static bool check_list(const char *path)
{
    FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "r");
    if (!f) {
        cli_warn_err(errno, "%s", path);
        return false;
    }
    struct check_stats st = {0};
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0)
        check_line(line, &st);
    free(line);
    if (f != stdin) fclose(f);
    if (st.good + st.mismatched + st.unreadable == 0) {
        cli_warn("%s: no properly formatted checksum lines found", path);
        return false;
    }
    if (st.bad_lines)
        cli_warn("WARNING: %u line%s improperly formatted", st.bad_lines,
                 st.bad_lines == 1 ? " is" : "s are");
    if (st.unreadable)
        cli_warn("WARNING: %u listed file%s could not be read", st.unreadable,
                 st.unreadable == 1 ? "" : "s");
    if (st.mismatched)
        cli_warn("WARNING: %u computed checksum%s did NOT match", st.mismatched,
                 st.mismatched == 1 ? "" : "s");
    return st.unreadable == 0 && st.mismatched == 0;
}

int main(int argc, char **argv)
{
    cli_init("sha256sum", CLI_FAIL);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    bool check = false;
    int c;
    while ((c = cli_opts_next(&o, "cbt", help)) != 0)
        check |= c == 'c'; /* -b and -t (binary, text) mean the same here */
    static char *dash[] = {"-"};
    char **files = o.index < argc ? argv + o.index : dash;
    int n = o.index < argc ? argc - o.index : 1;
    bool ok = true;
    for (int i = 0; i < n; i++) {
        if (check) {
            ok = check_list(files[i]) && ok;
            continue;
        }
        char hex[65];
        int err = hash_file(files[i], hex);
        if (err) {
            cli_warn_err(err, "%s", files[i]);
            ok = false;
        } else {
            printf("%s  %s\n", hex, files[i]);
        }
    }
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write error");
        return CLI_FAIL;
    }
    return ok ? CLI_OK : CLI_FAIL;
}
