/*
 * apps/echo.c - `echo [-neE] [STRING]...` as coreutils does it: the words
 * separated by spaces and a newline; -n drops the newline, -e interprets
 * backslash escapes (\\ \a \b \c \e \f \n \r \t \v \0NNN \xHH), -E does
 * not (the default). Only a first word made of those letters is an
 * option; "--help" alone prints the usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sdk/cli.h"

static const char help[] = "Usage: echo [-neE] [STRING]...\n"
                           "Write the STRINGs to standard output, separated by spaces.\n"
                           "  -n  do not output the trailing newline\n"
                           "  -e  interpret backslash escapes\n"
                           "  -E  do not interpret backslash escapes (default)\n";

/* True when w is "-" followed only by n, e and E: an option word. */
static bool is_option_word(const char *w)
{
    if (w[0] != '-' || w[1] == '\0') return false;
    return strspn(w + 1, "neE") == strlen(w + 1);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Writes s with its escapes interpreted. Returns false after "\c", which
 * ends all output. */
static bool put_escaped(const char *s)
{
    static const char from[] = "\\abefnrtv", to[] = "\\\a\b\x1b\f\n\r\t\v";
    while (*s) {
        if (*s != '\\' || s[1] == '\0') {
            putchar(*s++);
            continue;
        }
        char c = s[1];
        s += 2;
        const char *p = strchr(from, c);
        if (c == 'c') return false;
        if (p && c) {
            putchar(to[p - from]);
        } else if (c == '0') {
            int v = 0;
            for (int i = 0; i < 3 && *s >= '0' && *s <= '7'; i++)
                v = v * 8 + (*s++ - '0');
            putchar(v);
        } else if (c == 'x' && hex_value(*s) >= 0) {
            int v = hex_value(*s++);
            if (hex_value(*s) >= 0) v = v * 16 + hex_value(*s++);
            putchar(v);
        } else {
            putchar('\\');
            putchar(c);
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    cli_init("echo", CLI_FAIL);
    if (argc == 2 && strcmp(argv[1], "--help") == 0) cli_help(help);
    bool newline = true, escapes = false;
    int i = 1;
    for (; i < argc && is_option_word(argv[i]); i++) {
        for (const char *p = argv[i] + 1; *p; p++) {
            if (*p == 'n')
                newline = false;
            else
                escapes = *p == 'e';
        }
    }
    for (; i < argc; i++) {
        if (escapes) {
            if (!put_escaped(argv[i])) {
                newline = false;
                break;
            }
        } else {
            fputs(argv[i], stdout);
        }
        if (i + 1 < argc) putchar(' ');
    }
    if (newline) putchar('\n');
    if (fflush(stdout) != 0) {
        cli_warn_err(errno, "write error");
        return CLI_FAIL;
    }
    return CLI_OK;
}
