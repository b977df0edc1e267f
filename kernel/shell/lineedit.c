/*
 * kernel/shell/lineedit.c - reading a line on the serial console with
 * editing: backspace, left/right (and Home/End, Ctrl-A/Ctrl-E), history
 * with up/down, Ctrl-U to clear, Ctrl-C to abandon the line, Tab to
 * complete (complete.c). Escape
 * sequences are the VT100 ones terminals send ("ESC [ A" ...).
 */
#include "base/mem.h"
#include "kernel/drivers/serial/serial.h"
#include "kernel/lib/klog.h"
#include "kernel/shell/shell.h"

#define HISTORY 32

static char history[HISTORY][SHELL_LINE_MAX];
static int hist_count;

static int getc_console(void)
{
    char c;
    int n = serial_read(&c, 1, 0);
    return n == 1 ? (unsigned char)c : -1;
}

/* Redraws from the cursor position: the rest of the line, a blank to erase
 * a deleted character, then moves the cursor back. */
static void redraw_tail(const char *buf, int len, int pos, int erase)
{
    console_write(buf + pos, (size_t)(len - pos));
    for (int i = 0; i < erase; i++)
        console_write(" ", 1);
    for (int i = 0; i < len - pos + erase; i++)
        console_write("\b", 1);
}

static void replace_line(char *buf, int *len, int *pos, const char *with, size_t size)
{
    while (*pos > 0) {
        console_write("\b", 1);
        (*pos)--;
    }
    int old = *len;
    str_copy(buf, with, size);
    *len = *pos = (int)strlen(buf);
    console_write(buf, (size_t)*len);
    int erase = old > *len ? old - *len : 0;
    for (int i = 0; i < erase; i++)
        console_write(" ", 1);
    for (int i = 0; i < erase; i++)
        console_write("\b", 1);
}

/* Inserts text at the cursor. */
static void insert(char *buf, int *len, int *pos, const char *text, size_t size)
{
    for (; *text && *len + 1 < (int)size; text++) {
        memmove(buf + *pos + 1, buf + *pos, (size_t)(*len - *pos));
        buf[(*pos)++] = *text;
        (*len)++;
        console_write(buf + *pos - 1, 1);
    }
    redraw_tail(buf, *len, *pos, 0);
}

static void tab(const char *prompt, const char *cwd, char *buf, int *len, int *pos, size_t size)
{
    char add[SHELL_LINE_MAX];
    buf[*len] = '\0';
    if (shell_complete(cwd, buf, *pos, add, sizeof add)) { /* listed: redraw */
        console_write(prompt, strlen(prompt));
        console_write(buf, (size_t)*len);
        for (int i = *len; i > *pos; i--)
            console_write("\b", 1);
        return;
    }
    insert(buf, len, pos, add, size);
}

int shell_read_line(const char *prompt, const char *cwd, char *buf, size_t size)
{
    int len = 0, pos = 0, hist = hist_count;
    console_write(prompt, strlen(prompt));
    buf[0] = '\0';
    for (;;) {
        int c = getc_console();
        if (c < 0) return -1;
        if (c == '\r' || c == '\n') {
            console_write("\n", 1);
            buf[len] = '\0';
            if (len && (hist_count == 0 || strcmp(history[(hist_count - 1) % HISTORY], buf) != 0))
                str_copy(history[hist_count++ % HISTORY], buf, SHELL_LINE_MAX);
            return len;
        }
        if (c == 3) { /* Ctrl-C */
            console_write("^C\n", 3);
            buf[0] = '\0';
            return 0;
        }
        if (c == 4 && len == 0) /* Ctrl-D on an empty line */
            return -1;
        if (c == '\t' && cwd) {
            tab(prompt, cwd, buf, &len, &pos, size);
            continue;
        }
        if ((c == 0x7f || c == 8) && pos > 0) {
            memmove(buf + pos - 1, buf + pos, (size_t)(len - pos));
            len--, pos--;
            console_write("\b", 1);
            redraw_tail(buf, len, pos, 1);
        } else if (c == 21) { /* Ctrl-U */
            replace_line(buf, &len, &pos, "", size);
        } else if (c == 1) { /* Ctrl-A */
            while (pos > 0)
                console_write("\b", 1), pos--;
        } else if (c == 5) { /* Ctrl-E */
            console_write(buf + pos, (size_t)(len - pos));
            pos = len;
        } else if (c == 27) {
            int c1 = getc_console(), c2 = c1 == '[' || c1 == 'O' ? getc_console() : -1;
            if (c2 == 'D' && pos > 0) {
                console_write("\b", 1);
                pos--;
            } else if (c2 == 'C' && pos < len) {
                console_write(buf + pos, 1);
                pos++;
            } else if (c2 == 'H') {
                while (pos > 0)
                    console_write("\b", 1), pos--;
            } else if (c2 == 'F') {
                console_write(buf + pos, (size_t)(len - pos));
                pos = len;
            } else if (c2 == 'A' && hist > 0 && hist > hist_count - HISTORY) {
                hist--;
                replace_line(buf, &len, &pos, history[hist % HISTORY], size);
            } else if (c2 == 'B' && hist < hist_count) {
                hist++;
                replace_line(buf, &len, &pos, hist == hist_count ? "" : history[hist % HISTORY],
                             size);
            } else if (c2 == '3') { /* Delete: ESC [ 3 ~ */
                getc_console();
                if (pos < len) {
                    memmove(buf + pos, buf + pos + 1, (size_t)(len - pos - 1));
                    len--;
                    redraw_tail(buf, len, pos, 1);
                }
            }
        } else if (c >= 32 && c < 127 && len + 1 < (int)size) {
            memmove(buf + pos + 1, buf + pos, (size_t)(len - pos));
            buf[pos] = (char)c;
            len++;
            console_write(buf + pos, 1);
            pos++;
            redraw_tail(buf, len, pos, 0);
        }
        buf[len] = '\0';
    }
}
